/**
 * Inbound listeners bound to their own port, as Istio builds them for Sidecar ingress listeners
 * with captureMode NONE (or DEFAULT on a proxy that intercepts nothing): `<bind>_<port>` on
 * bind:port with bind_to_port (Envoy's default), INBOUND, the port's filter chains (same as in
 * virtualInbound), inspectors derived from them but no original_dst.
 */
import { protoDuration, ZERO_DURATION } from '../../common/proto-values.js';
import type { SidecarContext } from '../context.js';
import type { Json } from './filters.js';
import { chainsFor, inboundChainConfigs, type InboundChainConfig } from './inbound-chains.js';
import { inboundListenerFilters } from './inbound-inspectors.js';
import { listenerAddress } from './outbound-listener.js';
import { uniqueChains } from './unique-chains.js';

function boundListener(ctx: SidecarContext, cc: InboundChainConfig): Json | undefined {
  const name = `${cc.bind}_${cc.targetPort}`;
  const chains = uniqueChains(ctx, name, chainsFor(ctx, cc, cc.targetPort));
  if (chains.length === 0) return undefined;
  return {
    name,
    address: listenerAddress(cc.bind, cc.targetPort),
    traffic_direction: 'INBOUND',
    continue_on_listener_filters_timeout: true,
    listener_filters: inboundListenerFilters(chains, { bindToPort: true, tproxy: false }),
    listener_filters_timeout: protoDuration(ctx.mesh.protocolDetectionTimeout) ?? ZERO_DURATION,
    filter_chains: chains,
  };
}

export function buildBoundInboundListeners(ctx: SidecarContext): Json[] {
  return inboundChainConfigs(ctx).filter((cc) => cc.bindToPort).flatMap((cc): Json[] => {
    const l = boundListener(ctx, cc);
    return l ? [l] : [];
  });
}
