/**
 * virtualOutbound (0.0.0.0:15001): where iptables redirects outbound connections. It hands each
 * connection to the listener of its original destination (use_original_dst); what no listener
 * takes goes to the catch-all chain: PassthroughCluster (or the Sidecar's egressProxy) under
 * ALLOW_ANY, BlackHoleCluster under REGISTRY_ONLY (see cds/catch-all.ts). A chain on the
 * listener's own port blackholes traffic addressed to 15001 directly, so it cannot loop.
 */
import { meshAccessLogs } from '../../common/access-log.js';
import { catchAllCluster } from '../cds/catch-all.js';
import type { SidecarContext } from '../context.js';
import { Clusters, socketAddress, tcpProxyFilter, type Json } from './filters.js';

export const VIRTUAL_OUTBOUND = 'virtualOutbound';

/** The catch-all tcp_proxy (also the PassthroughFilterChain of per-port listeners). */
export function catchAllFilters(ctx: SidecarContext): Json[] {
  const cluster = catchAllCluster(ctx);
  return [tcpProxyFilter(cluster, cluster, { accessLog: meshAccessLogs(ctx.mesh).filter })];
}

export function buildVirtualOutbound(ctx: SidecarContext): Json {
  const port = ctx.mesh.proxyListenPort;
  return {
    name: VIRTUAL_OUTBOUND,
    address: socketAddress('0.0.0.0', port),
    use_original_dst: { value: true },
    traffic_direction: 'OUTBOUND',
    filter_chains: [
      {
        name: `${VIRTUAL_OUTBOUND}-blackhole`,
        filter_chain_match: { destination_port: { value: port } },
        filters: [tcpProxyFilter(Clusters.BlackHole, Clusters.BlackHole)],
      },
      { name: `${VIRTUAL_OUTBOUND}-catchall-tcp`, filters: catchAllFilters(ctx) },
    ],
  };
}
