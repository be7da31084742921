/**
 * Filter chains of a TLS/HTTPS outbound listener from VirtualService `tls` routes: each match
 * that applies to this proxy gives a chain on its SNI hosts (and destinationSubnets, else the
 * service's CIDR); a repeated SNI+subnet combination is unreachable and left out, as in Istio.
 * Without any such route, the service's own cluster is the chain, matched on its hostname as SNI
 * when the listener is shared on 0.0.0.0.
 */
import type { VirtualServiceSpec } from '../../../model/types/virtual-service.js';
import { configMetadata } from '../../common/provenance.js';
import type { SidecarContext } from '../context.js';
import type { ChainOpts } from './chain-match.js';
import { routeFilters, serviceFilters } from './l4-destinations.js';
import { defaultCluster, staticMatch, virtualServicesFor, type OutboundTarget } from './l4-match.js';

function vsChains(ctx: SidecarContext, t: OutboundTarget): ChainOpts[] {
  const out: ChainOpts[] = [];
  const handled = new Set<string>();
  for (const vs of virtualServicesFor(ctx, t)) {
    const spec = vs.config.spec as unknown as VirtualServiceSpec;
    (spec.tls ?? []).forEach((route, i) => {
      const path = `spec.tls[${i}]`;
      for (const m of route.match ?? []) {
        if (!staticMatch(ctx, m, t.port.port)) continue;
        const subnets = (m.destinationSubnets ?? []).length > 0 ? m.destinationSubnets ?? [] : t.cidrs;
        const key = `${(m.sniHosts ?? []).join(',')}|${(m.destinationSubnets ?? []).join(',')}`;
        if (handled.has(key)) continue;
        handled.add(key);
        const filters = routeFilters(ctx, vs.config, route.route, path, t.port.port, t.port.protocol);
        if (filters) out.push({ sniHosts: m.sniHosts ?? [], cidrs: subnets, filters, metadata: configMetadata(vs.config), source: vs.config, sourcePath: path });
      }
    });
  }
  return out;
}

export function tlsRouteChains(ctx: SidecarContext, t: OutboundTarget): ChainOpts[] {
  const chains = vsChains(ctx, t);
  if (chains.length > 0) return chains;
  const cluster = defaultCluster(t);
  const sniHosts = t.wildcardBind ? [t.service.hostname] : [];
  return [{ sniHosts, cidrs: t.cidrs, filters: serviceFilters(ctx, t.service, cluster, t.port.protocol), source: t.service.origin }];
}
