/**
 * One outbound listener from its merged filter chains, in Istio's shape: not bound to a port unless
 * its egress listener asks for a real socket (captureMode NONE, Unix socket, proxy without interception)
 * (virtualOutbound hands connections over by original destination), OUTBOUND, inspectors only
 * when a chain matches on SNI (TLS inspector) or ALPN (both), a match-all chain as the
 * default_filter_chain, and otherwise the PassthroughFilterChain (ALLOW_ANY / REGISTRY_ONLY
 * catch-all) as default.
 */
import { protoDuration, ZERO_DURATION } from '../../common/proto-values.js';
import type { SidecarContext } from '../context.js';
import { isMatchAll, toFilterChainMatch, type ChainOpts } from './chain-match.js';
import { httpInspector, socketAddress, tlsInspector, type Json } from './filters.js';
import { isUnixBind, UNIX_PREFIX } from './egress-binding.js';
import { listenerName } from './outbound-chains.js';
import type { OutboundEntry } from './outbound-entries.js';
import { catchAllFilters } from './virtual-outbound.js';

export const PASSTHROUGH_FILTER_CHAIN = 'PassthroughFilterChain';

function needsTls(chains: readonly ChainOpts[]): boolean {
  return chains.some((c) => (c.sniHosts ?? []).length > 0);
}

function needsHttp(chains: readonly ChainOpts[]): boolean {
  return chains.some((c) => (c.alpn ?? []).length > 0);
}

function chainBody(c: ChainOpts): Json {
  return { ...(c.metadata ? { metadata: c.metadata } : {}), filters: [...c.filters] };
}

function listenerFilters(ctx: SidecarContext, chains: readonly ChainOpts[]): Json {
  const http = needsHttp(chains);
  const filters = http || needsTls(chains) ? [tlsInspector()] : [];
  if (http) filters.push(httpInspector());
  const timeout = http ? protoDuration(ctx.mesh.protocolDetectionTimeout) ?? ZERO_DURATION : ZERO_DURATION;
  return { ...(filters.length > 0 ? { listener_filters: filters } : {}), listener_filters_timeout: timeout };
}

/** A socket address, or a pipe for a Unix domain socket bind (`unix://<path>`). */
export function listenerAddress(bind: string, port: number): Json {
  return isUnixBind(bind) ? { pipe: { path: bind.slice(UNIX_PREFIX.length) } } : socketAddress(bind, port);
}

export function buildOutboundListener(ctx: SidecarContext, entry: OutboundEntry): Json {
  const name = listenerName(entry.bind, entry.port);
  let defaultChain: Json | undefined;
  const filterChains: Json[] = [];
  for (const c of entry.chains) {
    if (isMatchAll(c)) defaultChain = chainBody(c);
    else filterChains.push({ filter_chain_match: toFilterChainMatch(c), ...chainBody(c) });
  }
  const body: Json = {
    name,
    address: listenerAddress(entry.bind, entry.port),
    traffic_direction: 'OUTBOUND',
    continue_on_listener_filters_timeout: true,
    ...(entry.bindToPort ? {} : { bind_to_port: { value: false } }),
    ...listenerFilters(ctx, entry.chains),
  };
  if (defaultChain && filterChains.length === 0) body.filter_chains = [defaultChain];
  else {
    body.filter_chains = filterChains;
    body.default_filter_chain = defaultChain ?? { filter_chain_match: {}, name: PASSTHROUGH_FILTER_CHAIN, filters: catchAllFilters(ctx) };
  }
  return body;
}
