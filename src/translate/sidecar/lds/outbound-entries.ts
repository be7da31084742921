/**
 * Outbound listeners keyed by bind address and port, merged with Istio's conflict rules when
 * several service ports land on one listener: HTTP services share `0.0.0.0_<port>` (routes tell
 * them apart); TCP and HTTP on one listener turn it into a sniffing listener; TCP chains merge
 * when their matches differ, else the older service keeps the chain and the newer one is
 * reported (Istio's pilot_conflict_outbound_listener_tcp_over_current_* counters); Mongo and
 * MySQL never share a port with another protocol.
 */
import type { MeshService, Protocol } from '../../../model/registry/types.js';
import type { SidecarContext } from '../context.js';
import { portKind } from '../protocol.js';
import { chainTuples, type ChainOpts } from './chain-match.js';
import { httpChain, listenerName, tcpChains, WILDCARD } from './outbound-chains.js';
import type { OutboundTarget } from './l4-match.js';

export interface OutboundEntry {
  readonly bind: string;
  readonly port: number;
  /** The listener's protocol after merging ('UnsupportedProtocol' = sniffed). */
  protocol: Protocol;
  chains: ChainOpts[];
  /** The service that created the entry. */
  readonly owner: MeshService;
  /** A real socket (bind_to_port) rather than a listener virtualOutbound hands connections to. */
  readonly bindToPort: boolean;
  /**
   * Set once a Sidecar egress listener with an explicit port is done and the catch-all one
   * starts: the user chose what this bind:port carries, so nothing more is added (Istio's lock).
   */
  locked?: boolean;
  /** Match combinations `chains` already take (kept with them: listeners shared by many services grow one chain at a time). */
  taken?: Set<string>;
}

export type EntryMap = Map<string, OutboundEntry>;

const kindOf = (p: Protocol) => portKind(p);
const wellKnown = (p: Protocol) => p === 'Mongo' || p === 'MySQL';

function portPath(t: OutboundTarget): string {
  return `spec.ports[${Math.max(0, t.service.ports.indexOf(t.port))}]`;
}

function mergeChains(ctx: SidecarContext, entry: OutboundEntry, incoming: readonly ChainOpts[], t: OutboundTarget): void {
  const seen = (entry.taken ??= new Set(entry.chains.flatMap(chainTuples)));
  for (const chain of incoming) {
    const tuples = chainTuples(chain);
    if (tuples.some((t) => seen.has(t))) {
      const name = listenerName(entry.bind, entry.port);
      const source = chain.source ?? t.service.origin;
      const path = chain.source && chain.sourcePath ? chain.sourcePath : portPath(t);
      ctx.diags.warn(source, path, `listener ${name}: a filter chain matching the same connections already exists (from ${entry.owner.hostname}, older or first): this one for ${t.service.hostname} is dropped`, name);
      continue;
    }
    for (const t of tuples) seen.add(t);
    entry.chains.push(chain);
  }
}

type Conflict = 'none' | 'replace' | 'merge-sniff' | 'merge' | 'skip';

function conflictFor(incoming: Protocol, existing: OutboundEntry | undefined): Conflict {
  if (!existing) return 'none';
  const cur = kindOf(existing.protocol);
  const inc = kindOf(incoming);
  if (inc === 'http') return cur === 'tcp' ? 'merge-sniff' : 'skip';
  if (inc === 'tcp') return cur === 'http' ? 'merge-sniff' : 'merge';
  if (cur === 'http') return 'replace';
  return cur === 'tcp' ? 'merge-sniff' : 'skip';
}

function incomingChains(ctx: SidecarContext, t: OutboundTarget, bind: string): { chains: ChainOpts[]; protocol: Protocol } {
  const kind = kindOf(t.port.protocol);
  if (t.port.protocol === 'HTTP_PROXY') return { chains: [httpChain(ctx, t, bind, false, false)], protocol: 'HTTP_PROXY' };
  if (kind === 'http') {
    // On the shared wildcard listener HTTP is matched by ALPN with a TCP fallthrough: a sniffed listener.
    const inspect = bind === WILDCARD;
    return { chains: [httpChain(ctx, t, bind, false, inspect)], protocol: inspect ? 'UnsupportedProtocol' : t.port.protocol };
  }
  if (kind === 'tcp') return { chains: tcpChains(ctx, t), protocol: t.port.protocol };
  return { chains: [...tcpChains(ctx, t), httpChain(ctx, t, bind, true)], protocol: t.port.protocol };
}

/** Adds one service port on `bind` to the listener map. */
export function addServicePort(ctx: SidecarContext, map: EntryMap, t: OutboundTarget, bind: string, bindToPort = false): void {
  const key = `${bind}|${t.port.port}`;
  const existing = map.get(key);
  if (existing?.locked) return;
  if (t.port.protocol === 'HTTP_PROXY') {
    // Istio builds an HTTP proxy port's listener outright: one chain, every host through RDS.
    map.set(key, { bind, port: t.port.port, protocol: 'HTTP_PROXY', chains: incomingChains(ctx, t, bind).chains, owner: t.service, bindToPort });
    return;
  }
  const conflict = conflictFor(t.port.protocol, existing);
  if (conflict === 'skip') return;
  if (existing && existing.protocol !== t.port.protocol && (wellKnown(t.port.protocol) || wellKnown(existing.protocol))) {
    const name = listenerName(bind, t.port.port);
    ctx.diags.warn(t.service.origin, portPath(t), `listener ${name}: ${t.port.protocol} cannot share a port with ${existing.protocol} (${existing.owner.hostname}, older or first): ${t.service.hostname} gets no listener on it`, name);
    return;
  }
  const { chains, protocol } = incomingChains(ctx, t, bind);
  if (!existing || conflict === 'none' || conflict === 'replace') {
    map.set(key, { bind, port: t.port.port, protocol, chains: dedupe(ctx, chains, bind, t), owner: t.service, bindToPort });
    return;
  }
  mergeChains(ctx, existing, chains, t);
  if (conflict === 'merge-sniff') existing.protocol = 'UnsupportedProtocol';
}

/** Chains of one service port may repeat a match (e.g. two VS routes on the same subnets). */
function dedupe(ctx: SidecarContext, chains: readonly ChainOpts[], bind: string, t: OutboundTarget): ChainOpts[] {
  const entry: OutboundEntry = { bind, port: t.port.port, protocol: t.port.protocol, chains: [], owner: t.service, bindToPort: false };
  mergeChains(ctx, entry, chains, t);
  return entry.chains;
}
