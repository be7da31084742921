/**
 * The HTTP filter chain of every sidecar HttpConnectionManager, in Istio's order (fault, cors,
 * router; Istio's own telemetry and ALPN filters are not Envoy protos and are left out). Routes
 * configure fault and CORS per route through typed_per_filter_config under these filter names.
 */
import { AnyType, FilterName } from '../common/any-types.js';

export const HttpFilterType = Object.freeze({
  Fault: AnyType.HttpFault,
  Cors: AnyType.Cors,
  CorsPolicy: AnyType.CorsPolicy,
  Router: AnyType.Router,
});

export const HttpFilterName = Object.freeze({
  Fault: FilterName.Fault,
  Cors: FilterName.Cors,
  Router: FilterName.Router,
});

/** `suppressEnvoyHeaders`: ProxyConfig proxyHeaders.envoyDebugHeaders disabled (no x-envoy-* debug headers). */
export function sidecarHttpFilters(suppressEnvoyHeaders = false): Record<string, unknown>[] {
  return [
    { name: HttpFilterName.Fault, typed_config: { '@type': HttpFilterType.Fault } },
    { name: HttpFilterName.Cors, typed_config: { '@type': HttpFilterType.Cors } },
    { name: HttpFilterName.Router, typed_config: { '@type': HttpFilterType.Router, ...(suppressEnvoyHeaders ? { suppress_envoy_headers: true } : {}) } },
  ];
}
