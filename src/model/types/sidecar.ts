/** networking.istio.io Sidecar. */
import type { Destination } from './common.js';
import type { ConnectionPoolSettings } from './destination-rule.js';
import type { ServerTLSSettings } from './gateway.js';
import type { WorkloadSelector } from './workload.js';

export type CaptureMode = 'DEFAULT' | 'IPTABLES' | 'NONE';

export interface SidecarPort {
  number?: number;
  protocol?: string;
  name?: string;
  targetPort?: number;
}

export interface IstioIngressListener {
  port: SidecarPort;
  bind?: string;
  captureMode?: CaptureMode;
  defaultEndpoint?: string;
  tls?: ServerTLSSettings;
  connectionPool?: ConnectionPoolSettings;
}

export interface IstioEgressListener {
  port?: SidecarPort;
  bind?: string;
  captureMode?: CaptureMode;
  /** `namespace/dnsName`. */
  hosts: string[];
}

export interface SidecarSpec {
  workloadSelector?: WorkloadSelector;
  ingress?: IstioIngressListener[];
  egress?: IstioEgressListener[];
  inboundConnectionPool?: ConnectionPoolSettings;
  outboundTrafficPolicy?: { mode?: 'REGISTRY_ONLY' | 'ALLOW_ANY'; egressProxy?: Destination };
}
