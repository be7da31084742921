/**
 * Listener distinctness (Gateway API `Listener` rules): listeners sharing a port must be told
 * apart. HTTP can only share a port with HTTP, HTTPS and TLS share one (by SNI), TCP and UDP
 * listeners cannot share a port at all → ProtocolConflict for every listener on that port;
 * two HTTP, or two HTTPS/TLS, listeners with the same hostname (absent = any) → HostnameConflict
 * for each of them. Istio's own conversion always reports NoConflicts; the spec asks
 * implementations to flag these and not program them, which is what this does.
 */
import type { Listener } from './types.js';

export interface ListenerConflict {
  readonly reason: 'HostnameConflict' | 'ProtocolConflict';
  readonly message: string;
}

/** Protocols that can share a port with each other; unknown protocols are left alone (not accepted anyway). */
const FAMILY: Readonly<Record<string, string>> = { HTTP: 'http', HTTPS: 'tls', TLS: 'tls', TCP: 'tcp', UDP: 'udp' };
/** One listener per port for these: nothing distinguishes two of them. */
const SINGLE = new Set(['tcp', 'udp']);

const transport = (family: string) => (family === 'udp' ? 'udp' : 'tcp');
const names = (ls: readonly { l: Listener }[]) => ls.map(({ l }) => `"${l.name ?? ''}"`).join(', ');

/** Per listener index: its conflict, if any. */
export function listenerConflicts(listeners: readonly Listener[]): (ListenerConflict | undefined)[] {
  const out: (ListenerConflict | undefined)[] = listeners.map(() => undefined);
  const byPort = new Map<string, { l: Listener; i: number; family: string }[]>();
  listeners.forEach((l, i) => {
    const family = FAMILY[l.protocol ?? ''];
    if (!family || l.port === undefined) return;
    const key = `${transport(family)}/${l.port}`;
    byPort.set(key, [...(byPort.get(key) ?? []), { l, i, family }]);
  });
  for (const group of byPort.values()) {
    if (group.length < 2) continue;
    const families = new Set(group.map((g) => g.family));
    if (families.size > 1 || SINGLE.has(group[0]!.family)) {
      for (const g of group) {
        out[g.i] = { reason: 'ProtocolConflict', message: `listeners ${names(group)} on port ${g.l.port} use incompatible protocols` };
      }
      continue;
    }
    const byHost = new Map<string, typeof group>();
    for (const g of group) byHost.set(g.l.hostname ?? '', [...(byHost.get(g.l.hostname ?? '') ?? []), g]);
    for (const [host, same] of byHost) {
      if (same.length < 2) continue;
      for (const g of same) {
        out[g.i] = { reason: 'HostnameConflict', message: `listeners ${names(same)} on port ${g.l.port} use the same hostname "${host || '*'}"` };
      }
    }
  }
  return out;
}
