/**
 * Sidecar egress hosts (`namespace/dnsName`) and what they import, by Istio's rules:
 * - namespace `*` = any, `.` = the proxy's namespace (also for a root-namespace Sidecar), `~` =
 *   none, else a namespace name; dnsName `*`, `*.suffix` or an FQDN (no short names).
 * - A service is imported by the hosts naming its namespace when there are any, else by the
 *   `*` hosts; its hostname must fall within the dnsName. The same hostname from several
 *   namespaces: the proxy's namespace wins, else the first (alphabetical) namespace.
 * - A VirtualService is imported when one of its hosts overlaps (either way) a dnsName listed
 *   for its namespace or for `*`.
 */
import type { ConfigObject } from '../../model/config.js';
import { hostMatches, resolveShortName } from '../../model/index/host.js';
import type { IndexedVirtualService } from '../../model/index/virtual-service-index.js';
import type { MeshService } from '../../model/registry/types.js';
import type { VirtualServiceSpec } from '../../model/types/virtual-service.js';
import type { Diagnostics } from '../common/diagnostics.js';

export interface EgressHost {
  /** `*` (any), `~` (none) or a namespace name (`.` already resolved). */
  readonly namespace: string;
  /** `*`, `*.suffix` or an FQDN. */
  readonly host: string;
}

/** Why a dnsName is unusable, or undefined when it is fine. */
function dnsNameProblem(name: string): string | undefined {
  if (name === '*') return undefined;
  if (!name.includes('.')) return 'short names are not allowed in Sidecar egress hosts; use an FQDN or *';
  if (name.slice(1).includes('*') || (name.startsWith('*') && !name.startsWith('*.'))) return 'only a whole left-most label may be a wildcard (*.example.com)';
  return undefined;
}

function parseOne(raw: string, proxyNamespace: string): EgressHost | string {
  const slash = raw.indexOf('/');
  if (slash < 0) return 'host must be of the form namespace/dnsName';
  const namespace = raw.slice(0, slash);
  const host = raw.slice(slash + 1);
  if (namespace === '' || host === '') return 'namespace and dnsName may not be empty';
  const problem = dnsNameProblem(host);
  if (problem) return problem;
  return { namespace: namespace === '.' ? proxyNamespace : namespace, host };
}

/** The usable hosts of one egress listener; each unusable one is skipped with a diagnostic. */
export function parseEgressHosts(sidecar: ConfigObject, path: string, hosts: readonly string[], proxyNamespace: string, diags: Diagnostics): EgressHost[] {
  const out: EgressHost[] = [];
  hosts.forEach((raw, i) => {
    const parsed = parseOne(raw, proxyNamespace);
    if (typeof parsed === 'string') diags.warn(sidecar, `${path}.hosts[${i}]`, `egress host ${JSON.stringify(raw)} skipped: ${parsed}`);
    else out.push(parsed);
  });
  return out;
}

function hostsByNamespace(hosts: readonly EgressHost[]): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const h of hosts) map.set(h.namespace, [...(map.get(h.namespace) ?? []), h.host]);
  return map;
}

function trimmedTo(svc: MeshService, port: number | undefined): MeshService | undefined {
  if (port === undefined) return svc;
  const p = svc.ports.find((q) => q.port === port);
  return p ? Object.freeze({ ...svc, ports: Object.freeze([p]) }) : undefined;
}

/** Services (from `visible`, sorted by hostname then namespace) that the hosts import. */
export function importServices(visible: readonly MeshService[], hosts: readonly EgressHost[], port: number | undefined, proxyNamespace: string): MeshService[] {
  const byNs = hostsByNamespace(hosts);
  const wildcard = byNs.get('*');
  const imported: MeshService[] = [];
  for (const svc of visible) {
    const patterns = byNs.get(svc.namespace) ?? wildcard;
    if (!patterns?.some((p) => hostMatches(p, svc.hostname))) continue;
    const kept = trimmedTo(svc, port);
    if (kept) imported.push(kept);
  }
  const chosenNs = new Map<string, string>();
  for (const svc of imported) {
    if (!chosenNs.has(svc.hostname) || svc.namespace === proxyNamespace) chosenNs.set(svc.hostname, svc.namespace);
  }
  return imported.filter((svc) => chosenNs.get(svc.hostname) === svc.namespace);
}

const overlaps = (a: string, b: string) => hostMatches(a, b) || hostMatches(b, a);

/** VirtualServices (oldest first) that the hosts import. */
export function importVirtualServices(candidates: readonly IndexedVirtualService[], hosts: readonly EgressHost[]): IndexedVirtualService[] {
  const byNs = hostsByNamespace(hosts);
  const wildcard = byNs.get('*') ?? [];
  return candidates.filter((vs) => {
    const patterns = [...(byNs.get(vs.config.metadata.namespace) ?? []), ...wildcard];
    return vs.hosts.some((h) => patterns.some((p) => overlaps(h, p)));
  });
}

/** Every destination host a VirtualService routes or mirrors to, as FQDNs. */
export function virtualServiceDestinations(vs: IndexedVirtualService, domain: string): string[] {
  const spec = vs.config.spec as unknown as VirtualServiceSpec;
  const hosts: (string | undefined)[] = [];
  for (const r of spec.http ?? []) {
    for (const d of r.route ?? []) hosts.push(d.destination?.host);
    hosts.push(r.mirror?.host);
    for (const m of r.mirrors ?? []) hosts.push(m.destination?.host);
  }
  for (const r of [...(spec.tcp ?? []), ...(spec.tls ?? [])]) for (const d of r.route ?? []) hosts.push(d.destination?.host);
  const ns = vs.config.metadata.namespace;
  return [...new Set(hosts.filter((h): h is string => typeof h === 'string' && h !== '').map((h) => resolveShortName(h, ns, domain)))];
}
