/**
 * The HTTP filter chain of every sidecar HttpConnectionManager, in Istio's order (fault, cors,
 * router; Istio's own telemetry and ALPN filters are not Envoy protos and are left out). Routes
 * configure fault and CORS per route through typed_per_filter_config under these filter names.
 */
const PREFIX = 'type.googleapis.com/';

export const HttpFilterType = Object.freeze({
  Fault: `${PREFIX}envoy.extensions.filters.http.fault.v3.HTTPFault`,
  Cors: `${PREFIX}envoy.extensions.filters.http.cors.v3.Cors`,
  CorsPolicy: `${PREFIX}envoy.extensions.filters.http.cors.v3.CorsPolicy`,
  Router: `${PREFIX}envoy.extensions.filters.http.router.v3.Router`,
});

export const HttpFilterName = Object.freeze({
  Fault: 'envoy.filters.http.fault',
  Cors: 'envoy.filters.http.cors',
  Router: 'envoy.filters.http.router',
});

export function sidecarHttpFilters(): Record<string, unknown>[] {
  return [
    { name: HttpFilterName.Fault, typed_config: { '@type': HttpFilterType.Fault } },
    { name: HttpFilterName.Cors, typed_config: { '@type': HttpFilterType.Cors } },
    { name: HttpFilterName.Router, typed_config: { '@type': HttpFilterType.Router } },
  ];
}
