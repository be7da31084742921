/**
 * Gateway listeners (LDS): one `<bind>_<port>` listener (bind 0.0.0.0 by default) per merged
 * port, bound to a real socket (no original_dst: gateways are addressed directly), with:
 * - plaintext HTTP servers: one chain, the HTTP connection manager on RDS `http.<port>`;
 * - HTTPS servers terminating TLS: a chain per server matching its SNI hosts (none for `*`),
 *   with its TLS context and RDS `https.<port>.<portName>.<gateway>.<ns>`;
 * - TCP, TLS and passthrough servers: see tcp-chains.ts; AuthorizationPolicies selecting the
 *   gateway pod put network RBAC filters in front of their filters (HTTP managers: http-manager.ts).
 * The TLS inspector is added when a chain matches on SNI or ALPN. A listener left without
 * chains is not emitted (reported); a chain repeating an earlier chain's match is dropped.
 */
import { accessLogField, meshAccessLogs } from '../common/access-log.js';
import { isMatchAll, toFilterChainMatch } from '../sidecar/lds/chain-match.js';
import { tlsTransportSocket } from '../sidecar/lds/downstream-tls.js';
import { proxyProtocolListenerFilter, socketAddress, tlsInspector, type Json } from '../sidecar/lds/filters.js';
import { gatewayTopologyOf } from '../common/proxy-config.js';
import { inboundAuthzFilters } from '../sidecar/lds/inbound-authz.js';
import { uniqueChains } from '../sidecar/lds/unique-chains.js';
import type { Proxy } from '../../model/proxy.js';
import { TypeUrl } from '../type-urls.js';
import type { XdsResource } from '../types.js';
import type { GatewayContext } from './context.js';
import { gatewayHttpManager, listenerStatPrefix } from './http-manager.js';
import { isHttpServer, type GatewayServer, type MergedListener } from './merge.js';
import { tcpServerChains, type GatewayChain } from './tcp-chains.js';
import { gatewayTlsContext, serverTlsProblem } from './tls-context.js';

const WILDCARD = '0.0.0.0';

function httpsChain(ctx: GatewayContext, gs: GatewayServer, bind: string): GatewayChain[] {
  const problem = serverTlsProblem(gs.server.tls!, ctx);
  if (problem) {
    ctx.diags.warn(gs.gateway, `${gs.path}.tls`, `${problem}: server skipped`);
    return [];
  }
  const statPrefix = gs.server.name || listenerStatPrefix(bind, gs.listenerPort);
  return [{ sniHosts: [...gs.sniHosts], tlsContext: gatewayTlsContext(gs.server.tls!, ctx.mesh.tlsDefaults), filters: [gatewayHttpManager(ctx, statPrefix, gs.routeName)] }];
}

function chainsOf(ctx: GatewayContext, l: MergedListener, bind: string): GatewayChain[] {
  const first = l.servers[0]!;
  if (l.plaintext && isHttpServer(first.server, first.protocol)) {
    return [{ filters: [gatewayHttpManager(ctx, listenerStatPrefix(bind, l.port), first.routeName)] }];
  }
  const claimedSni = new Map<string, string>();
  return l.servers.flatMap((gs) => (isHttpServer(gs.server, gs.protocol) && gs.server.tls ? httpsChain(ctx, gs, bind) : withTcpAuthz(ctx, tcpServerChains(ctx, gs, claimedSni))));
}

/** Network RBAC in front of a TCP/TLS chain's filters; chains untouched when no policy applies. */
function withTcpAuthz(ctx: GatewayContext, chains: GatewayChain[]): GatewayChain[] {
  const rbac = inboundAuthzFilters(ctx, true);
  return rbac.length === 0 ? chains : chains.map((c) => ({ ...c, filters: [...rbac, ...c.filters] }));
}

function toFilterChain(c: GatewayChain): Json {
  const chain: Json = {};
  if (!isMatchAll(c)) chain.filter_chain_match = toFilterChainMatch(c);
  chain.filters = c.filters;
  if (c.tlsContext) chain.transport_socket = tlsTransportSocket(c.tlsContext);
  if (c.metadata) chain.metadata = c.metadata;
  return chain;
}

/** PROXY protocol first when gatewayTopology.proxyProtocol is set, then TLS inspection when chains match SNI/ALPN. */
function listenerFilters(ctx: GatewayContext, inspects: boolean): Json {
  const filters = [...(gatewayTopologyOf(ctx.proxyConfig as Json).proxyProtocol ? [proxyProtocolListenerFilter()] : []), ...(inspects ? [tlsInspector()] : [])];
  return filters.length > 0 ? { listener_filters: filters } : {};
}

function buildListener(ctx: GatewayContext, l: MergedListener): XdsResource | undefined {
  const bind = l.bind || WILDCARD;
  const name = `${bind}_${l.port}`;
  const chains = uniqueChains(ctx, name, chainsOf(ctx, l, bind).map(toFilterChain));
  if (chains.length === 0) {
    ctx.diags.warn(l.servers[0]!.gateway, l.servers[0]!.path, `listener ${name} has no usable filter chain: not emitted`, name);
    return undefined;
  }
  const inspects = chains.some((c) => {
    const m = c.filter_chain_match as Json | undefined;
    return m !== undefined && (m.server_names !== undefined || m.application_protocols !== undefined);
  });
  return {
    name,
    body: {
      '@type': TypeUrl.Listener,
      name,
      address: socketAddress(bind, l.port),
      traffic_direction: 'OUTBOUND',
      ...listenerFilters(ctx, inspects),
      filter_chains: chains,
      // The MeshConfig listener access log (connections no chain takes), as on sidecar listeners.
      ...accessLogField(meshAccessLogs(ctx.mesh).listener),
    },
  };
}

/** istio-agent sends UNPRIVILEGED_POD=true when the gateway runs without NET_BIND_SERVICE. */
export const isUnprivileged = (proxy: Proxy): boolean => proxy.metadata.raw.UNPRIVILEGED_POD === 'true';

/** Ports below 1024 cannot be bound by an unprivileged gateway: skipped with a warning, as Istio does. */
function bindable(ctx: GatewayContext, l: MergedListener): boolean {
  if (l.port >= 1024 || !isUnprivileged(ctx.proxy)) return true;
  const first = l.servers[0]!;
  ctx.diags.warn(first.gateway, first.path, `port ${l.port} skipped: the gateway runs unprivileged (UNPRIVILEGED_POD) and cannot bind ports below 1024; use a targetPort of 1024 or more`, `${l.bind || WILDCARD}_${l.port}`);
  return false;
}

export function buildGatewayListeners(ctx: GatewayContext): XdsResource[] {
  return ctx.merged.listeners.flatMap((l) => (bindable(ctx, l) ? buildListener(ctx, l) ?? [] : []));
}
