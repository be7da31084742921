/** networking.istio.io EnvoyFilter and ProxyConfig. */
import type { MatchLabelsSelector } from './common.js';
import type { WorkloadSelector, PolicyTargetReference } from './workload.js';

export type PatchContext = 'ANY' | 'SIDECAR_INBOUND' | 'SIDECAR_OUTBOUND' | 'GATEWAY' | 'WAYPOINT';
export type ApplyTo =
  | 'LISTENER' | 'FILTER_CHAIN' | 'NETWORK_FILTER' | 'HTTP_FILTER' | 'ROUTE_CONFIGURATION' | 'VIRTUAL_HOST' | 'HTTP_ROUTE'
  | 'CLUSTER' | 'EXTENSION_CONFIG' | 'BOOTSTRAP' | 'LISTENER_FILTER';
export type PatchOperation = 'MERGE' | 'ADD' | 'REMOVE' | 'INSERT_BEFORE' | 'INSERT_AFTER' | 'INSERT_FIRST' | 'REPLACE' | 'MERGE_AND_REPLACE_LIST';

export interface EnvoyConfigObjectMatch {
  context?: PatchContext;
  proxy?: { proxyVersion?: string; metadata?: Record<string, string> };
  listener?: Record<string, unknown>;
  routeConfiguration?: Record<string, unknown>;
  cluster?: Record<string, unknown>;
  waypoint?: Record<string, unknown>;
}

export interface EnvoyConfigObjectPatch {
  applyTo: ApplyTo;
  match?: EnvoyConfigObjectMatch;
  patch: { operation: PatchOperation; value?: Record<string, unknown>; filterClass?: 'UNSPECIFIED' | 'AUTHN' | 'AUTHZ' | 'STATS' };
}

export interface EnvoyFilterSpec {
  workloadSelector?: WorkloadSelector;
  targetRefs?: PolicyTargetReference[];
  configPatches?: EnvoyConfigObjectPatch[];
  priority?: number;
}

export interface ProxyConfigSpec {
  selector?: MatchLabelsSelector;
  concurrency?: number;
  environmentVariables?: Record<string, string>;
  image?: { imageType?: string };
}
