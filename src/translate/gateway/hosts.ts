/**
 * Istio's host rules for gateway servers and the VirtualServices bound to them:
 * - server hosts are sanitized first: `./host` → `<gateway ns>/host`, `*\/host` → `host`,
 *   `*\/*` → `*` (the whole list);
 * - a VirtualService sees the server hosts without a namespace part or whose namespace is its own;
 * - a virtual host is made for each host in the intersection of those and the VirtualService's
 *   hosts, the more specific of each matching pair (`*.foo.com` ∩ `a.foo.com` = `a.foo.com`).
 * Hosts compare case-insensitively (lower-cased here).
 */

export function sanitizeServerHosts(hosts: readonly string[], gatewayNamespace: string): string[] {
  const out: string[] = [];
  for (const raw of hosts) {
    const h = raw.toLowerCase();
    const slash = h.indexOf('/');
    if (slash < 0) { out.push(h); continue; }
    const ns = h.slice(0, slash);
    const host = h.slice(slash + 1);
    if (ns === '.') out.push(`${gatewayNamespace}/${host}`);
    else if (ns === '*') {
      if (host === '*') return ['*'];
      out.push(host);
    } else out.push(h);
  }
  return out;
}

/** The host part of `ns/host` (or the host itself). */
export const hostPart = (h: string) => (h.includes('/') ? h.slice(h.indexOf('/') + 1) : h);

/** Server hosts a VirtualService in `namespace` may bind to, without their namespace part. */
export function hostsForNamespace(serverHosts: readonly string[], namespace: string): readonly string[] {
  if (serverHosts.every((h) => !h.includes('/'))) return serverHosts; // the common case: no copy
  const out: string[] = [];
  for (const h of serverHosts) {
    const slash = h.indexOf('/');
    if (slash < 0) out.push(h);
    else if (h.slice(0, slash) === namespace || h.slice(0, slash) === '*') out.push(h.slice(slash + 1));
  }
  return out;
}

/** Istio's host.Name.SubsetOf: every name `a` covers is also covered by `b`. */
export function hostSubsetOf(a: string, b: string): boolean {
  if (a === b) return true;
  if (!b.startsWith('*')) return false;
  return (a.startsWith('*') ? a.slice(1) : a).endsWith(b.slice(1));
}

/** Istio's host.Name.Matches: do `a` and `b` cover at least one common name? */
export function hostsOverlap(a: string, b: string): boolean {
  const aw = a.startsWith('*');
  const bw = b.startsWith('*');
  if (aw && bw) return a.length < b.length ? b.slice(1).endsWith(a.slice(1)) : a.slice(1).endsWith(b.slice(1));
  if (aw) return b.endsWith(a.slice(1));
  if (bw) return a.endsWith(b.slice(1));
  return a === b;
}

/**
 * The more specific host of each overlapping (server host, VirtualService host) pair, each once,
 * in server-host order. Compared lower-cased (server hosts already are).
 */
export function intersectHosts(serverHosts: readonly string[], vsHosts: readonly string[]): string[] {
  const out: string[] = [];
  for (const s of serverHosts) {
    for (const raw of vsHosts) {
      const v = raw.toLowerCase();
      const h = hostSubsetOf(s, v) ? s : hostSubsetOf(v, s) ? v : undefined;
      if (h !== undefined && !out.includes(h)) out.push(h);
    }
  }
  return out;
}

/** Istio's pickMatchingGatewayHosts, reduced to "does any VirtualService host fit a server host" (TCP/TLS servers). */
export function anyMatchingHost(serverHosts: readonly string[], vsNamespace: string, vsHosts: readonly string[]): boolean {
  for (const s of serverHosts) {
    const slash = s.indexOf('/');
    if (slash >= 0 && s.slice(0, slash) !== vsNamespace) continue;
    const host = hostPart(s);
    if (vsHosts.some((v) => hostsOverlap(host, v.toLowerCase()))) return true;
  }
  return false;
}
