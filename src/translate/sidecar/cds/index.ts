/** Sidecar clusters (CDS): outbound per service port and subset, inbound, and the special clusters. */
import type { XdsResource } from '../../types.js';
import type { SidecarContext } from '../context.js';
import { buildInboundClusters } from './inbound.js';
import { buildOutboundClusters } from './outbound.js';
import { buildBlackHoleCluster, buildInboundPassthroughCluster, buildPassthroughCluster } from './special.js';

/** Every cluster a sidecar needs; a repeated name keeps its first cluster (as Istio does). */
export function buildClusters(ctx: SidecarContext): XdsResource[] {
  const all = [
    ...buildOutboundClusters(ctx),
    buildBlackHoleCluster(ctx.mesh),
    buildPassthroughCluster(ctx.mesh),
    ...buildInboundClusters(ctx),
    buildInboundPassthroughCluster(ctx.mesh, ctx.proxy),
  ];
  const seen = new Set<string>();
  return all.filter((r) => {
    if (seen.has(r.name)) {
      ctx.diags.warn(undefined, undefined, `duplicate cluster ${r.name}: the first one is kept`, r.name);
      return false;
    }
    seen.add(r.name);
    return true;
  });
}
