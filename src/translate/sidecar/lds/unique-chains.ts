/**
 * Envoy rejects a listener where two filter chains match the same connections, and names identify
 * chains (config_dump, filter_chain_matcher), so before a listener is emitted: a chain with a
 * match already taken is dropped and reported; a repeated name gets a `-<n>` suffix (Istio
 * itself reuses `0.0.0.0_<port>` / `virtualInbound` for the TLS and plaintext chains of a port).
 */
import type { SidecarContext } from '../context.js';
import { matchTuples } from './chain-match.js';
import type { Json } from './filters.js';

export function uniqueChains(ctx: SidecarContext, listener: string, chains: readonly Json[]): Json[] {
  const matches = new Set<string>();
  const names = new Map<string, number>();
  const out: Json[] = [];
  for (const chain of chains) {
    const tuples = matchTuples(chain.filter_chain_match as Json | undefined);
    if (tuples.some((t) => matches.has(t))) {
      ctx.diags.warn(undefined, undefined, `listener ${listener}: filter chain ${String(chain.name ?? '')} matches connections an earlier chain already matches: dropped`, listener);
      continue;
    }
    for (const t of tuples) matches.add(t);
    const base = typeof chain.name === 'string' ? chain.name : '';
    if (base === '') { out.push(chain); continue; }
    const seen = names.get(base) ?? 0;
    names.set(base, seen + 1);
    out.push(seen === 0 ? chain : { ...chain, name: `${base}-${seen + 1}` });
  }
  return out;
}
