/**
 * Where a sidecar sends traffic for destinations it does not know (virtualOutbound's catch-all
 * chain, per-port PassthroughFilterChains and the `allow_any` virtual host):
 * - REGISTRY_ONLY: BlackHoleCluster;
 * - ALLOW_ANY: PassthroughCluster, or, when the Sidecar sets `outboundTrafficPolicy.egressProxy`,
 *   that destination's cluster `outbound|<port>|<subset>|<host>` (Istio builds the name without
 *   looking the host up, so the port must be given).
 * Istio requires the egress proxy's service to be imported by the Sidecar's egress hosts;
 * otherwise Envoy would reference a cluster it never received. That case is reported, and the
 * traffic fails closed (BlackHoleCluster) rather than leaving the mesh unproxied.
 */
import { buildClusterName, SpecialCluster } from '../../common/cluster-name.js';
import type { SidecarContext } from '../context.js';

function egressProxyCluster(ctx: SidecarContext): string | undefined {
  const dest = ctx.scope.egressProxy;
  if (!dest) return undefined;
  const path = 'spec.outboundTrafficPolicy.egressProxy';
  const port = dest.port?.number ?? 0;
  const name = buildClusterName(port, dest.subset ?? '', dest.host);
  const service = ctx.serviceForHost(dest.host);
  const problem = !service
    ? `host ${JSON.stringify(dest.host)} is no service this proxy imports (Sidecar egress hosts)`
    : !service.ports.some((p) => p.port === port)
      ? `service ${dest.host} has no port ${port}`
      : dest.subset && !ctx.subsetOf(ctx.destinationRuleFor(service), dest.subset)
        ? `subset ${JSON.stringify(dest.subset)} of ${dest.host} is not defined by a DestinationRule`
        : undefined;
  if (!problem) return name;
  ctx.diags.error(ctx.scope.sidecar, path, `${problem}: cluster ${name} does not exist, unknown traffic goes to ${SpecialCluster.BlackHole}`);
  return SpecialCluster.BlackHole;
}

/** The cluster for traffic to unknown destinations, as this proxy's outbound policy says. */
export function catchAllCluster(ctx: SidecarContext): string {
  return ctx.memo('catch-all-cluster', () => {
    if (ctx.outboundMode() === 'REGISTRY_ONLY') return SpecialCluster.BlackHole;
    return egressProxyCluster(ctx) ?? SpecialCluster.Passthrough;
  });
}
