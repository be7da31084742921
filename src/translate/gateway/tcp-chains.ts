/**
 * Filter chains of gateway servers that Envoy does not terminate HTTP on, as Istio builds them:
 * - TCP (no tls): the first `tcp` route of the bound VirtualServices (oldest first) whose match
 *   fits this server (port, gateways) → tcp_proxy; one chain, no match;
 * - TLS terminated (SIMPLE/MUTUAL/ISTIO_MUTUAL on TLS or TCP servers): the same tcp route, behind
 *   the server's TLS context and SNI match;
 * - PASSTHROUGH: a chain per matching VirtualService `tls` match, on its sniHosts; an SNI host
 *   already routed on this listener port is skipped (Envoy rejects repeated matches);
 * - AUTO_PASSTHROUGH: see auto-passthrough.ts.
 * A VirtualService counts when one of its hosts overlaps a server host its namespace may use.
 */
import type { IndexedVirtualService } from '../../model/index/virtual-service-index.js';
import type { VirtualServiceSpec } from '../../model/types/virtual-service.js';
import type { ChainOpts } from '../sidecar/lds/chain-match.js';
import { routeFilters } from '../sidecar/lds/l4-destinations.js';
import { configMetadata } from '../common/provenance.js';
import { autoPassthroughChains } from './auto-passthrough.js';
import { l4MatchesServer, virtualServicesForGateway } from './bindings.js';
import type { GatewayContext } from './context.js';
import { anyMatchingHost } from './hosts.js';
import { tlsMode, type GatewayServer } from './merge.js';
import { gatewayTlsContext, serverTlsProblem } from './tls-context.js';

type Json = Record<string, unknown>;

/** A gateway chain: the sidecar's chain options plus the TLS context to terminate with. */
export interface GatewayChain extends ChainOpts {
  readonly tlsContext?: Json;
}

function boundVirtualServices(ctx: GatewayContext, gs: GatewayServer): IndexedVirtualService[] {
  return virtualServicesForGateway(ctx, gs.gatewayName).filter((vs) => anyMatchingHost(gs.hosts, vs.config.metadata.namespace, vs.hosts));
}

function tcpRouteFilters(ctx: GatewayContext, gs: GatewayServer): { filters: Json[]; vs: IndexedVirtualService } | undefined {
  for (const vs of boundVirtualServices(ctx, gs)) {
    const ns = vs.config.metadata.namespace;
    const routes = (vs.config.spec as unknown as VirtualServiceSpec).tcp ?? [];
    for (const [i, tcp] of routes.entries()) {
      const matches = tcp.match ?? [];
      const fits = matches.length === 0 || matches.some((m) => l4MatchesServer(m, gs.server.port.number, gs.gatewayName, ns));
      if (!fits || !tcp.route?.length) continue;
      const filters = routeFilters(ctx, vs.config, tcp.route, `spec.tcp[${i}]`, gs.server.port.number, gs.protocol);
      if (filters) return { filters, vs };
    }
  }
  return undefined;
}

function passthroughChains(ctx: GatewayContext, gs: GatewayServer, claimedSni: Map<string, string>): GatewayChain[] {
  const out: GatewayChain[] = [];
  for (const vs of boundVirtualServices(ctx, gs)) {
    const ns = vs.config.metadata.namespace;
    for (const [i, tls] of ((vs.config.spec as unknown as VirtualServiceSpec).tls ?? []).entries()) {
      if (!tls.route?.length) continue;
      for (const [j, match] of (tls.match ?? []).entries()) {
        if (!l4MatchesServer(match, gs.server.port.number, gs.gatewayName, ns)) continue;
        const sni = (match.sniHosts ?? []).map((h) => h.toLowerCase());
        const dups = sni.filter((h) => claimedSni.get(h) === gs.bind);
        if (dups.length > 0) {
          ctx.diags.warn(vs.config, `spec.tls[${i}].match[${j}].sniHosts`, `SNI ${dups.join(', ')} is already routed on port ${gs.listenerPort} of gateway ${gs.gatewayName}: rule skipped`);
          continue;
        }
        const filters = routeFilters(ctx, vs.config, tls.route, `spec.tls[${i}]`, gs.server.port.number, gs.protocol);
        if (!filters) continue;
        for (const h of sni) claimedSni.set(h, gs.bind);
        out.push({ sniHosts: sni, filters, metadata: configMetadata(vs.config), source: vs.config, sourcePath: `spec.tls[${i}]` });
      }
    }
  }
  return out;
}

/** The chains one non-HTTP server contributes; `claimedSni` is shared by the listener's passthrough servers. */
export function tcpServerChains(ctx: GatewayContext, gs: GatewayServer, claimedSni: Map<string, string>): GatewayChain[] {
  const tls = gs.server.tls;
  if (tls && (tlsMode(gs.server) === 'PASSTHROUGH')) return passthroughChains(ctx, gs, claimedSni);
  if (tls && tlsMode(gs.server) === 'AUTO_PASSTHROUGH') return autoPassthroughChains(ctx, gs);
  if (tls) {
    const problem = serverTlsProblem(tls, ctx);
    if (problem) {
      ctx.diags.warn(gs.gateway, `${gs.path}.tls`, `${problem}: server skipped`);
      return [];
    }
  }
  const found = tcpRouteFilters(ctx, gs);
  if (!found) {
    ctx.diags.warn(gs.gateway, gs.path, `no VirtualService bound to gateway ${gs.gatewayName} has a tcp route for this server (port ${gs.server.port.number}, hosts ${gs.hosts.join(', ')}): no filter chain`);
    return [];
  }
  const base = { filters: found.filters, metadata: configMetadata(found.vs.config), source: found.vs.config };
  return [tls ? { ...base, sniHosts: [...gs.sniHosts], tlsContext: gatewayTlsContext(tls, ctx.mesh.tlsDefaults) } : base];
}
