/** Port numbers, port names and protocol names, as Istio's protocol.Parse understands them. */
import { isDNS1123Label } from './hosts.js';

export type Protocol =
  | 'TCP' | 'UDP' | 'GRPC' | 'GRPC-Web' | 'HTTP' | 'HTTP_PROXY' | 'HTTP2' | 'HTTPS' | 'TLS' | 'Mongo' | 'Redis' | 'MySQL';

const PROTOCOLS: Readonly<Record<string, Protocol>> = {
  tcp: 'TCP', udp: 'UDP', grpc: 'GRPC', 'grpc-web': 'GRPC-Web', http: 'HTTP', http_proxy: 'HTTP_PROXY',
  http2: 'HTTP2', https: 'HTTPS', tls: 'TLS', mongo: 'Mongo', redis: 'Redis', mysql: 'MySQL',
};

/** Case-insensitive; undefined for an unsupported protocol. */
export function parseProtocol(name: string): Protocol | undefined {
  return PROTOCOLS[name.toLowerCase()];
}

export function isHTTPProtocol(p: Protocol | undefined): boolean {
  return p === 'HTTP' || p === 'HTTP2' || p === 'HTTP_PROXY' || p === 'GRPC' || p === 'GRPC-Web';
}

export function isTLSProtocol(p: Protocol | undefined): boolean {
  return p === 'HTTPS' || p === 'TLS';
}

export function isTCPProtocol(p: Protocol | undefined): boolean {
  return p === 'TCP' || p === 'HTTPS' || p === 'TLS' || p === 'Mongo' || p === 'Redis' || p === 'MySQL';
}

export function checkPort(port: unknown): string | undefined {
  return typeof port === 'number' && Number.isInteger(port) && port >= 1 && port <= 65535
    ? undefined
    : `port number ${String(port)} must be in the range 1..65535`;
}

export function checkPortName(name: string): string | undefined {
  return isDNS1123Label(name) ? undefined : `invalid port name: ${name}`;
}

/** Empty means "sniff the protocol" and is allowed. */
export function checkProtocol(name: string): string | undefined {
  return name === '' || parseProtocol(name) ? undefined : `unsupported protocol: ${name}`;
}
