/** Spec types of every Istio config kind, keyed by kind name. */
import type { DestinationRuleSpec } from './destination-rule.js';
import type { EnvoyFilterSpec, ProxyConfigSpec } from './envoy-filter.js';
import type { GatewaySpec } from './gateway.js';
import type { AuthorizationPolicySpec, PeerAuthenticationSpec, RequestAuthenticationSpec } from './security.js';
import type { SidecarSpec } from './sidecar.js';
import type { TelemetrySpec, WasmPluginSpec } from './telemetry.js';
import type { VirtualServiceSpec } from './virtual-service.js';
import type { ServiceEntrySpec, WorkloadEntrySpec, WorkloadGroupSpec } from './workload.js';

export type * from './common.js';
export type * from './virtual-service.js';
export type * from './destination-rule.js';
export type * from './gateway.js';
export type * from './sidecar.js';
export type * from './envoy-filter.js';
export type * from './security.js';
export type * from './telemetry.js';
export type * from './workload.js';

export interface IstioSpecs {
  VirtualService: VirtualServiceSpec;
  DestinationRule: DestinationRuleSpec;
  Gateway: GatewaySpec;
  ServiceEntry: ServiceEntrySpec;
  WorkloadEntry: WorkloadEntrySpec;
  WorkloadGroup: WorkloadGroupSpec;
  Sidecar: SidecarSpec;
  EnvoyFilter: EnvoyFilterSpec;
  ProxyConfig: ProxyConfigSpec;
  PeerAuthentication: PeerAuthenticationSpec;
  RequestAuthentication: RequestAuthenticationSpec;
  AuthorizationPolicy: AuthorizationPolicySpec;
  Telemetry: TelemetrySpec;
  WasmPlugin: WasmPluginSpec;
}

export type IstioKind = keyof IstioSpecs;
