/**
 * How a service port is handled on the outbound side, by Istio's rules: HTTP-family ports share
 * the `0.0.0.0_<port>` listener and route configuration `<port>`; TCP-family ports get a
 * `<vip>_<port>` tcp_proxy listener; undeclared ports are sniffed (HTTP and TCP filter chains);
 * UDP is not proxied.
 */
import { isAutoDetect, type Protocol } from '../../model/registry/types.js';

export type PortKind = 'http' | 'tcp' | 'auto' | 'none';

const HTTP: ReadonlySet<Protocol> = new Set<Protocol>(['HTTP', 'HTTP2', 'GRPC', 'GRPC-Web', 'HTTP_PROXY']);

export function portKind(protocol: Protocol): PortKind {
  if (protocol === 'UDP') return 'none';
  if (isAutoDetect(protocol)) return 'auto';
  return HTTP.has(protocol) ? 'http' : 'tcp';
}

/** Upstream connections speak HTTP/2 for these (Envoy's http2_protocol_options on the cluster). */
export function isHttp2(protocol: Protocol): boolean {
  return protocol === 'HTTP2' || protocol === 'GRPC' || protocol === 'GRPC-Web';
}

/** Ports whose traffic may carry HTTP routes (route configuration `<port>`). */
export function carriesHttp(protocol: Protocol): boolean {
  const kind = portKind(protocol);
  return kind === 'http' || kind === 'auto';
}
