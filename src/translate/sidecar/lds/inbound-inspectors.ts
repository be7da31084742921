/**
 * Listener filters of inbound listeners, derived from their filter chains as Istio derives them:
 * on virtualInbound original_dst (and original_src under TPROXY, so the app sees the client's
 * address), none of those on a listener bound to its own port; the TLS inspector where some chain matches transport `tls`, the HTTP
 * inspector where some chain matches plaintext HTTP ALPNs — each switched off (filter_disabled)
 * on the destination ports that do not need it, since inspecting server-first protocols stalls
 * them. Port 0 stands for chains without a destination port (the passthrough chains).
 */
import { httpInspector, originalDst, originalSrc, tlsInspector, Transport, type Json } from './filters.js';

interface Needs { tls: boolean; http: boolean }

function needsByPort(chains: readonly Json[]): Map<number, Needs> {
  const out = new Map<number, Needs>();
  for (const chain of chains) {
    const match = (chain.filter_chain_match ?? {}) as Json;
    const port = ((match.destination_port as { value?: number } | undefined)?.value) ?? 0;
    const alpn = (match.application_protocols as string[] | undefined) ?? [];
    const cur = out.get(port) ?? { tls: false, http: false };
    cur.tls ||= match.transport_protocol === Transport.Tls;
    cur.http ||= alpn.includes('http/1.1') || alpn.includes('h2c');
    out.set(port, cur);
  }
  return out;
}

function portRange(port: number): Json {
  return { destination_port_range: { start: port, end: port + 1 } };
}

/** A predicate true on `ports` (a filter is disabled where its predicate holds). */
function onPorts(ports: readonly number[]): Json {
  const rules = ports.map(portRange);
  return rules.length === 1 ? (rules[0] as Json) : { or_match: { rules } };
}

const sorted = (ports: Iterable<number>) => [...ports].sort((a, b) => a - b);

function tlsFilter(needs: Map<number, Needs>): Json | undefined {
  if (![...needs.values()].some((n) => n.tls)) return undefined;
  const byDefault = needs.get(0)?.tls === true;
  const ports = sorted([...needs].filter(([p, n]) => p !== 0 && n.tls !== byDefault).map(([p]) => p));
  if (ports.length === 0) return tlsInspector();
  return tlsInspector(byDefault ? onPorts(ports) : { not_match: onPorts(ports) });
}

function httpFilter(needs: Map<number, Needs>): Json | undefined {
  if (![...needs.values()].some((n) => n.http)) return undefined;
  const off = sorted([...needs].filter(([, n]) => !n.http).map(([p]) => p));
  return off.length === 0 ? httpInspector() : httpInspector(onPorts(off));
}

export interface InboundListenerKind {
  /** A real listener on its own port (no redirection, so no original destination to restore). */
  readonly bindToPort: boolean;
  readonly tproxy: boolean;
}

export function inboundListenerFilters(chains: readonly Json[], kind: InboundListenerKind = { bindToPort: false, tproxy: false }): Json[] {
  const needs = needsByPort(chains);
  const redirected = kind.bindToPort ? [] : [originalDst(), ...(kind.tproxy ? [originalSrc()] : [])];
  return [...redirected, tlsFilter(needs), httpFilter(needs)].filter((f): f is Json => f !== undefined);
}
