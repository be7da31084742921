/**
 * virtualInbound (0.0.0.0:15006): where iptables redirects inbound connections. Chains, in
 * order: a blackhole for traffic addressed to 15006 itself (no loops); the passthrough chains to
 * InboundPassthroughCluster for ports no service declares (workload-wide mTLS mode, plus
 * portLevelMtls ports that no service covers); then each workload port's chains (except Sidecar
 * ingress ports that get a listener of their own, see inbound-listeners.ts).
 */
import { portLevelMtlsPorts } from '../../common/peer-authentication.js';
import { protoDuration, ZERO_DURATION } from '../../common/proto-values.js';
import type { SidecarContext } from '../context.js';
import { Clusters, socketAddress, tcpProxyFilter, type Json } from './filters.js';
import { chainsFor, inboundChainConfigs, passthroughConfig } from './inbound-chains.js';
import { inboundListenerFilters } from './inbound-inspectors.js';
import { uniqueChains } from './unique-chains.js';

export const VIRTUAL_INBOUND = 'virtualInbound';
const DEFAULT_INBOUND_PORT = 15006;

function blackhole(port: number): Json {
  return {
    name: `${VIRTUAL_INBOUND}-blackhole`,
    filter_chain_match: { destination_port: { value: port } },
    filters: [tcpProxyFilter(Clusters.BlackHole, Clusters.BlackHole)],
  };
}

function passthroughChains(ctx: SidecarContext, servedPorts: ReadonlySet<number>): Json[] {
  const labels = ctx.proxy.metadata.labels;
  const chains = chainsFor(ctx, passthroughConfig(0), undefined);
  for (const port of portLevelMtlsPorts(ctx.snapshot, ctx.namespace, labels)) {
    if (!servedPorts.has(port)) chains.push(...chainsFor(ctx, passthroughConfig(port), port));
  }
  return chains;
}

export function buildVirtualInbound(ctx: SidecarContext): Json {
  const port = ctx.mesh.proxyInboundListenPort ?? DEFAULT_INBOUND_PORT;
  const configs = inboundChainConfigs(ctx).filter((cc) => cc.targetPort !== port && !cc.bindToPort);
  const served = new Set(configs.map((cc) => cc.targetPort));
  const chains = uniqueChains(ctx, VIRTUAL_INBOUND, [
    blackhole(port),
    ...passthroughChains(ctx, served),
    ...configs.flatMap((cc) => chainsFor(ctx, cc, cc.targetPort)),
  ]);
  return {
    name: VIRTUAL_INBOUND,
    address: socketAddress('0.0.0.0', port),
    traffic_direction: 'INBOUND',
    continue_on_listener_filters_timeout: true,
    listener_filters: inboundListenerFilters(chains, { bindToPort: false, tproxy: ctx.proxy.metadata.interceptionMode === 'TPROXY' }),
    listener_filters_timeout: protoDuration(ctx.mesh.protocolDetectionTimeout) ?? ZERO_DURATION,
    filter_chains: chains,
  };
}
