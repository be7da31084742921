/**
 * The filter chain options a service port contributes to its outbound listener, by kind:
 * HTTP → one HttpConnectionManager chain (RDS) matched on plaintext HTTP ALPNs over raw_buffer
 * (what the HTTP inspector reports), so other TCP falls through; TCP → TLS-route chains for
 * TLS/HTTPS ports, else TCP-route chains; auto (sniffed) → both the TCP chains and the HTTP one.
 */
import type { Protocol } from '../../../model/registry/types.js';
import type { SidecarContext } from '../context.js';
import type { ChainOpts } from './chain-match.js';
import { PLAINTEXT_HTTP_ALPNS, Transport } from './filters.js';
import { outboundHttpManager } from './http-manager.js';
import type { OutboundTarget } from './l4-match.js';
import { tcpRouteChains } from './tcp-routes.js';
import { tlsRouteChains } from './tls-routes.js';

export const WILDCARD = '0.0.0.0';

export function listenerName(bind: string, port: number): string {
  return `${bind}_${port}`;
}

const isTls = (p: Protocol) => p === 'HTTPS' || p === 'TLS';

export function tcpChains(ctx: SidecarContext, t: OutboundTarget): ChainOpts[] {
  return isTls(t.port.protocol) ? tlsRouteChains(ctx, t) : tcpRouteChains(ctx, t);
}

/**
 * RDS name: `<port>` for the shared listener of a port; a sniffed service on its own VIP gets a
 * route configuration of its own, `<hostname>:<port>`; a Unix domain socket listener (port 0) is
 * named by its bind `unix://<path>` (Istio's rules).
 */
export function routeNameFor(t: OutboundTarget, bind: string, sniffed: boolean): string {
  if (t.port.port === 0) return bind;
  return sniffed && bind !== WILDCARD ? `${t.service.hostname}:${t.port.port}` : String(t.port.port);
}

/**
 * The HttpConnectionManager chain. `inspect`: matched on the plaintext HTTP ALPNs the HTTP
 * inspector reports (sniffed ports, and HTTP on 0.0.0.0 where other TCP must fall through);
 * otherwise it takes every connection.
 */
export function httpChain(ctx: SidecarContext, t: OutboundTarget, bind: string, sniffed: boolean, inspect = true): ChainOpts {
  const name = listenerName(bind, t.port.port);
  return {
    ...(inspect ? { alpn: PLAINTEXT_HTTP_ALPNS, transport: Transport.Raw } : {}),
    filters: [outboundHttpManager(ctx.mesh, `outbound_${name}`, routeNameFor(t, bind, sniffed), ctx.proxyHeaders('sidecar-outbound'))],
    source: t.service.origin,
  };
}
