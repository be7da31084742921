/**
 * The tcp_proxy for a VirtualService `tcp`/`tls` route: one destination → `cluster`, several →
 * `weighted_clusters` (stat prefix `<vs name>.<vs namespace>`, zero weights left out), as Istio
 * builds it. Unknown destinations are dropped with a diagnostic naming the field; a route left
 * with no destination is skipped by the caller. The first destination's DestinationRule adds the
 * tcp idle timeout, max connection duration and source-IP hashing.
 */
import type { ConfigObject } from '../../../model/config.js';
import { isIP } from 'node:net';
import type { MeshService, Protocol } from '../../../model/registry/types.js';
import type { TrafficPolicy } from '../../../model/types/destination-rule.js';
import type { RouteDestination } from '../../../model/types/virtual-service.js';
import { meshAccessLogs } from '../../common/access-log.js';
import { protoDuration } from '../../common/proto-values.js';
import type { SidecarContext } from '../context.js';
import { resolveDestination } from '../destinations.js';
import { tcpProxyFilter, weightedTcpProxyFilter, withProtocolFilters, type Json, type TcpProxyExtras, type WeightedCluster } from './filters.js';

interface Resolved { readonly cluster: string; readonly weight: number; readonly service: MeshService; readonly subset: string }

function fieldOf(reason: string): string {
  if (reason.includes('subset')) return 'subset';
  if (reason.includes('no port')) return 'port';
  return 'host';
}

function resolveAll(ctx: SidecarContext, vs: ConfigObject, routes: readonly RouteDestination[], path: string, listenerPort: number): Resolved[] {
  const out: Resolved[] = [];
  routes.forEach((r, i) => {
    const res = resolveDestination(ctx, r.destination, vs.metadata.namespace, listenerPort);
    if (res.ok) out.push({ cluster: res.cluster, weight: r.weight ?? 0, service: res.service, subset: res.subset });
    else ctx.diags.warn(vs, `${path}.route[${i}].destination.${fieldOf(res.reason)}`, `${res.reason}: destination dropped from the route`);
  });
  return out;
}

/**
 * Istio's tunneling_config: the subset's own `tunnel` when routing to a subset (no fallback to the
 * top level), else the top-level one; `host:port` with IPv6 hosts bracketed.
 */
function tunnelOf(policy: TrafficPolicy | undefined): TcpProxyExtras['tunnel'] {
  const t = policy?.tunnel;
  if (!t || !t.targetHost || !t.targetPort) return undefined;
  const host = isIP(t.targetHost) === 6 ? `[${t.targetHost}]` : t.targetHost;
  return { hostname: `${host}:${t.targetPort}`, usePost: t.protocol === 'POST' };
}

function extrasFor(ctx: SidecarContext, first: Resolved, weighted = false): TcpProxyExtras {
  const spec = ctx.destinationRuleFor(first.service)?.spec;
  const tcp = spec?.trafficPolicy?.connectionPool?.tcp;
  let sourceIp = spec?.trafficPolicy?.loadBalancer?.consistentHash?.useSourceIp === true;
  const subsetLb = ctx.subsetOf(ctx.destinationRuleFor(first.service), first.subset)?.trafficPolicy?.loadBalancer;
  if (first.subset && subsetLb) sourceIp = subsetLb.consistentHash?.useSourceIp === true;
  const subset = weighted ? undefined : ctx.subsetOf(ctx.destinationRuleFor(first.service), first.subset);
  const tunnel = tunnelOf(weighted || !first.subset ? spec?.trafficPolicy : subset?.trafficPolicy);
  return {
    ...(tunnel ? { tunnel } : {}),
    ...(protoDuration(tcp?.idleTimeout) ? { idleTimeout: protoDuration(tcp?.idleTimeout) as unknown as Json } : {}),
    ...(protoDuration(tcp?.maxConnectionDuration) ? { maxDownstreamConnectionDuration: protoDuration(tcp?.maxConnectionDuration) as unknown as Json } : {}),
    hashBySourceIp: sourceIp,
    accessLog: meshAccessLogs(ctx.mesh).filter,
  };
}

/** Network filters for a route (`path` = e.g. `spec.tcp[0]`), or undefined when nothing is left. */
export function routeFilters(ctx: SidecarContext, vs: ConfigObject, routes: readonly RouteDestination[] | undefined, path: string, listenerPort: number, protocol?: Protocol): Json[] | undefined {
  if (!routes || routes.length === 0) {
    ctx.diags.warn(vs, `${path}.route`, 'route has no destination: skipped');
    return undefined;
  }
  const resolved = resolveAll(ctx, vs, routes, path, listenerPort);
  const first = resolved[0];
  if (!first) {
    ctx.diags.warn(vs, `${path}.route`, 'no destination of this route can be resolved: route skipped');
    return undefined;
  }
  if (routes.length === 1 || resolved.length === 1) return withProtocolFilters(protocol, first.cluster, tcpProxyFilter(first.cluster, first.cluster, extrasFor(ctx, first)));
  const weighted: WeightedCluster[] = resolved.filter((r) => r.weight > 0).map((r) => ({ name: r.cluster, weight: r.weight }));
  if (weighted.length === 0) {
    ctx.diags.warn(vs, `${path}.route`, 'every remaining destination has weight 0: route skipped');
    return undefined;
  }
  const statPrefix = `${vs.metadata.name}.${vs.metadata.namespace}`;
  return withProtocolFilters(protocol, statPrefix, weightedTcpProxyFilter(statPrefix, weighted, extrasFor(ctx, first, true)));
}

/** The default chain's tcp_proxy: the service's own cluster on that port. */
export function serviceFilters(ctx: SidecarContext, service: MeshService, cluster: string, protocol?: Protocol): Json[] {
  return withProtocolFilters(protocol, cluster, tcpProxyFilter(cluster, cluster, extrasFor(ctx, { cluster, weight: 0, service, subset: '' })));
}
