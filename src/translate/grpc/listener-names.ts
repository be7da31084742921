/**
 * LDS resource names a proxyless gRPC client or server asks for:
 * - servers (gRFC A36): `grpc/server?xds.resource.listening_address=<ip>:<port>`, or Istio's
 *   template `xds.istio.io/grpc/lds/inbound/<ip>:<port>`;
 * - clients: the dialed target's authority, `<host>:<port>` (or `<host>` alone).
 */
import { isIP } from 'node:net';

export const SERVER_LISTENER_PREFIXES: readonly string[] = Object.freeze([
  'grpc/server?xds.resource.listening_address=',
  'xds.istio.io/grpc/lds/inbound/',
]);

export type ListenerName =
  | { readonly kind: 'server'; readonly name: string; readonly ip: string; readonly port: number }
  | { readonly kind: 'client'; readonly name: string; readonly host: string; readonly port?: number }
  | { readonly kind: 'invalid'; readonly name: string; readonly reason: string };

/** `host:port`, `[v6]:port` or a bare host. Port undefined when absent; NaN when malformed. */
export function splitHostPort(text: string): { host: string; port?: number } {
  const bracket = /^\[([^\]]+)\](?::(.*))?$/.exec(text);
  if (bracket) return { host: bracket[1]!, ...(bracket[2] !== undefined ? { port: parsePort(bracket[2]) } : {}) };
  const colon = text.lastIndexOf(':');
  if (colon < 0 || text.indexOf(':') !== colon) return { host: text };
  return { host: text.slice(0, colon), port: parsePort(text.slice(colon + 1)) };
}

function parsePort(text: string): number {
  if (!/^\d{1,5}$/.test(text)) return Number.NaN;
  const n = Number(text);
  return n >= 1 && n <= 65535 ? n : Number.NaN;
}

export function isServerListenerName(name: string): boolean {
  return SERVER_LISTENER_PREFIXES.some((p) => name.startsWith(p));
}

export function parseListenerName(name: string): ListenerName {
  const prefix = SERVER_LISTENER_PREFIXES.find((p) => name.startsWith(p));
  if (prefix !== undefined) {
    const { host, port } = splitHostPort(name.slice(prefix.length));
    if (isIP(host) === 0 || port === undefined || Number.isNaN(port)) return { kind: 'invalid', name, reason: 'server listener name does not end with <ip>:<port>' };
    return { kind: 'server', name, ip: host, port };
  }
  const { host, port } = splitHostPort(name);
  if (host === '' || (port !== undefined && Number.isNaN(port))) return { kind: 'invalid', name, reason: 'not of the form <host>:<port>' };
  return { kind: 'client', name, host, ...(port !== undefined ? { port } : {}) };
}
