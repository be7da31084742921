/**
 * Filter chains of a TCP-family outbound listener from VirtualService `tcp` routes, as Istio
 * orders them: the first route whose match has no destinationSubnets (or that has no match) is
 * terminal and takes the service's address; routes with destinationSubnets get a chain matching
 * those subnets; without a terminal route, the service's own cluster is the default chain.
 */
import type { TCPRoute, VirtualServiceSpec } from '../../../model/types/virtual-service.js';
import { configMetadata } from '../../common/provenance.js';
import type { SidecarContext } from '../context.js';
import type { ChainOpts } from './chain-match.js';
import { cidrKeyList } from './cidr-list.js';
import { routeFilters, serviceFilters } from './l4-destinations.js';
import { defaultCluster, staticMatch, virtualServicesFor, type OutboundTarget } from './l4-match.js';

interface RouteOutcome { readonly chains: ChainOpts[]; readonly terminal: boolean }

function chainsForRoute(ctx: SidecarContext, t: OutboundTarget, vs: Parameters<typeof configMetadata>[0], route: TCPRoute, path: string): RouteOutcome {
  const port = t.port.port;
  const base = { metadata: configMetadata(vs), source: vs, sourcePath: path };
  const matches = route.match ?? [];
  if (matches.length === 0) {
    const filters = routeFilters(ctx, vs, route.route, path, port, t.port.protocol);
    return { chains: filters ? [{ ...base, cidrs: t.cidrs, filters }] : [], terminal: filters !== undefined };
  }
  const subnets: string[] = [];
  for (const m of matches) {
    if (!staticMatch(ctx, m, port)) continue;
    if ((m.destinationSubnets ?? []).length === 0) {
      const filters = routeFilters(ctx, vs, route.route, path, port, t.port.protocol);
      return { chains: filters ? [{ ...base, cidrs: t.cidrs, filters }] : [], terminal: filters !== undefined };
    }
    subnets.push(...(m.destinationSubnets ?? []));
  }
  if (subnets.length === 0) return { chains: [], terminal: false };
  const filters = routeFilters(ctx, vs, route.route, path, port, t.port.protocol);
  if (!filters) return { chains: [], terminal: false };
  // A chain on exactly the service's own CIDRs already covers the default route.
  const sameAsService = t.cidrs.length > 0 && cidrKeyList(subnets) === cidrKeyList(t.cidrs);
  return { chains: [{ ...base, cidrs: subnets, filters }], terminal: sameAsService };
}

export function tcpRouteChains(ctx: SidecarContext, t: OutboundTarget): ChainOpts[] {
  const out: ChainOpts[] = [];
  for (const vs of virtualServicesFor(ctx, t)) {
    const spec = vs.config.spec as unknown as VirtualServiceSpec;
    const routes = spec.tcp ?? [];
    for (let i = 0; i < routes.length; i++) {
      const route = routes[i];
      if (!route) continue;
      const outcome = chainsForRoute(ctx, t, vs.config, route, `spec.tcp[${i}]`);
      out.push(...outcome.chains);
      if (outcome.terminal) return out;
    }
  }
  const cluster = defaultCluster(t);
  out.push({ cidrs: t.cidrs, filters: serviceFilters(ctx, t.service, cluster, t.port.protocol), source: t.service.origin });
  return out;
}
