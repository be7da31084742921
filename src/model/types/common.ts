/**
 * Types shared by several Istio kinds, in the proto3-JSON shape users write: camelCase fields,
 * enums as strings, durations as strings ("5s", "100ms"), wrapper types as plain scalars.
 */

/** A Go/proto duration string: "10s", "1.5s", "100ms", "1h". */
export type Duration = string;

/** Exactly one of exact, prefix or regex (RE2 syntax). */
export type StringMatch = { exact: string } | { prefix: string } | { regex: string };

export interface PortSelector {
  number?: number;
}

export interface Destination {
  host: string;
  subset?: string;
  port?: PortSelector;
}

/** A percentage in [0, 100], fractional. */
export interface Percent {
  value?: number;
}

export interface HeaderOperations {
  set?: Record<string, string>;
  add?: Record<string, string>;
  remove?: string[];
}

export interface Headers {
  request?: HeaderOperations;
  response?: HeaderOperations;
}

/** networking Port (Gateway servers). */
export interface Port {
  number: number;
  protocol: string;
  name: string;
  /** Deprecated; has no effect on Gateways. */
  targetPort?: number;
}

/** Istio's label map that selects workloads in security/telemetry/extension kinds. */
export interface MatchLabelsSelector {
  matchLabels?: Record<string, string>;
}

export type { WorkloadSelector, LabelSelector, PolicyTargetReference } from './workload.js';
