/** Type URLs of the messages translate/ puts inside Anys, and the filter names gRPC looks for. */
import { TYPE_URL_PREFIX as PREFIX } from '../type-urls.js';

export const AnyType = Object.freeze({
  HttpConnectionManager: `${PREFIX}envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager`,
  Router: `${PREFIX}envoy.extensions.filters.http.router.v3.Router`,
  HttpFault: `${PREFIX}envoy.extensions.filters.http.fault.v3.HTTPFault`,
  Cors: `${PREFIX}envoy.extensions.filters.http.cors.v3.Cors`,
  CorsPolicy: `${PREFIX}envoy.extensions.filters.http.cors.v3.CorsPolicy`,
  UpstreamTlsContext: `${PREFIX}envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext`,
  DownstreamTlsContext: `${PREFIX}envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext`,
  RawBuffer: `${PREFIX}envoy.extensions.transport_sockets.raw_buffer.v3.RawBuffer`,
});

export const FilterName = Object.freeze({
  Router: 'envoy.filters.http.router',
  Fault: 'envoy.filters.http.fault',
  Cors: 'envoy.filters.http.cors',
});

/** `{ ads: {} }` with the v3 resource version: everything comes over the same ADS stream. */
export function adsConfigSource(): Record<string, unknown> {
  return { ads: {}, resource_api_version: 'V3' };
}
