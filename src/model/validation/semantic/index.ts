/**
 * Istio's semantic rules (what pkg/config/validation checks beyond the CRD schema), one file
 * per kind. Runs only on objects that passed the schema, but never throws on any input.
 */
import type { ConfigObject } from '../../config.js';
import type { KindName } from '../../kinds.js';
import { issue, type ValidationIssue } from '../../../lib/issue.js';
import { validateAuthorizationPolicy } from './authorization-policy.js';
import { validatePeerAuthentication, validateRequestAuthentication } from './authentication.js';
import { validateDestinationRule } from './destination-rule.js';
import { validateEnvoyFilter } from './envoy-filter.js';
import { validateProxyConfig, validateTelemetry, validateWasmPlugin, validateWorkloadGroup } from './extensions.js';
import { validateGateway } from './gateway.js';
import { validateGatewayApi } from './gateway-api.js';
import { validateServiceEntry } from './service-entry.js';
import { validateSidecar } from './sidecar.js';
import { validateVirtualService } from './virtual-service.js';
import { validateWorkloadEntry } from './workload-entry.js';

export interface SemanticContext {
  readonly domain: string;
}

type KindValidator = (obj: ConfigObject, ctx: SemanticContext) => ValidationIssue[];

const VALIDATORS: Partial<Record<KindName, KindValidator>> = {
  VirtualService: validateVirtualService,
  DestinationRule: validateDestinationRule,
  Gateway: validateGateway,
  ServiceEntry: validateServiceEntry,
  WorkloadEntry: validateWorkloadEntry,
  WorkloadGroup: validateWorkloadGroup,
  Sidecar: validateSidecar,
  EnvoyFilter: validateEnvoyFilter,
  ProxyConfig: validateProxyConfig,
  PeerAuthentication: validatePeerAuthentication,
  RequestAuthentication: validateRequestAuthentication,
  AuthorizationPolicy: validateAuthorizationPolicy,
  Telemetry: validateTelemetry,
  WasmPlugin: validateWasmPlugin,
  GatewayClass: validateGatewayApi,
  KubernetesGateway: validateGatewayApi,
  HTTPRoute: validateGatewayApi,
  GRPCRoute: validateGatewayApi,
  TCPRoute: validateGatewayApi,
  TLSRoute: validateGatewayApi,
  ReferenceGrant: validateGatewayApi,
  BackendTLSPolicy: validateGatewayApi,
};

export function validateSemantics(obj: ConfigObject, ctx: SemanticContext): ValidationIssue[] {
  const validator = VALIDATORS[obj.kind];
  if (!validator) return [];
  try {
    return validator(obj, ctx);
  } catch (err) {
    // A rule bug must not take the validator down; report it on the object instead.
    const message = err instanceof Error ? err.message : String(err);
    return [issue('spec', 'Internal error', `semantic validation of ${obj.kind} failed: ${message}`)];
  }
}
