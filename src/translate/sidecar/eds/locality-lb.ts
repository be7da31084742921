/**
 * Locality load balancing relative to the calling proxy, as Istio applies it to EDS:
 * - The setting: the DestinationRule's (merged for subset and port) unless it says
 *   enabled: false; else the MeshConfig's unless that says enabled: false.
 * - distribute (takes precedence): the first rule whose `from` matches the proxy's locality
 *   sets each group's weight to its share of the matching `to` percentage (ceil); groups no
 *   `to` entry matches lose their endpoints.
 * - Otherwise, only when failover can work (the cluster has outlierDetection):
 *   failoverPriority splits each group by how many leading labels the endpoint shares with the
 *   proxy (all = 0, first mismatch at j of n = n - j); then (by default, or when `failover` is
 *   also given) locality priorities: same region/zone/subzone 0, region/zone 1, region 2, other
 *   regions 3, or 4 when a `failover` entry from the proxy's region names another region.
 *   Priorities are renumbered densely from 0.
 */
import type { LocalityLbSetting } from '../../../config/mesh-types.js';
import type { Locality } from '../../../model/registry/types.js';
import { LABEL_NETWORK, LABEL_REGION, LABEL_SUBZONE, LABEL_ZONE } from '../../../model/registry/workload.js';
import { groupOf, type Group, type Member } from './endpoints.js';

export interface LocalityInputs {
  readonly proxyLocality: Locality;
  /** The proxy's labels, with its locality and network as topology labels. */
  readonly proxyLabels: Readonly<Record<string, string>>;
  readonly setting: LocalityLbSetting;
  /** outlierDetection is set for the cluster: without it Envoy never leaves priority 0. */
  readonly failoverEnabled: boolean;
  /**
   * false for DNS clusters' inline endpoints: Istio does not apply failoverPriority there (it
   * has no per-endpoint labels for them), only distribute and region failover.
   */
  readonly failoverPriority?: boolean;
}

/** The setting that applies, or undefined when locality load balancing is off. */
export function effectiveSetting(mesh: LocalityLbSetting | undefined, rule: LocalityLbSetting | undefined): LocalityLbSetting | undefined {
  if (rule) return rule.enabled === false ? undefined : rule;
  return !mesh || mesh.enabled === false ? undefined : mesh;
}

/** `region[/zone[/subzone]]` with `*` wildcards (absent zone/subzone match anything). */
export function localityMatches(l: Locality, pattern: string): boolean {
  const [region = '', zone = '', subzone = ''] = pattern.split('/');
  const part = (want: string, have: string, optional: boolean) => want === '*' || (optional && want === '') || want === have;
  return part(region, l.region, false) && part(zone, l.zone, true) && part(subzone, l.subzone, true);
}

function applyDistribute(groups: Group[], proxy: Locality, rules: NonNullable<LocalityLbSetting['distribute']>): Group[] {
  const rule = rules.find((r) => localityMatches(proxy, r.from ?? ''));
  if (!rule) return groups;
  const weights = new Map<number, number>();
  for (const [to, percent] of Object.entries(rule.to ?? {})) {
    const hit = groups.map((g, i) => [g, i] as const).filter(([g, i]) => !weights.has(i) && localityMatches(g.locality, to));
    const total = hit.reduce((n, [g]) => n + g.weight, 0);
    for (const [g, i] of hit) weights.set(i, total > 0 ? Math.ceil((g.weight * percent) / total) : 0);
  }
  return groups.map((g, i) => {
    const w = weights.get(i);
    if (w === undefined) return { ...g, members: [] };
    return w > 0 ? { ...g, weight: w } : g;
  });
}

/** Renumbers priorities densely (0, 1, 2...) keeping their order. */
function densePriorities(groups: Group[]): Group[] {
  const ranks = [...new Set(groups.map((g) => g.priority))].sort((a, b) => a - b);
  return groups.map((g) => ({ ...g, priority: ranks.indexOf(g.priority) }));
}

/** Labels plus Istio's topology labels (region, zone, subzone, network) where not already set. */
export function withTopology(labels: Readonly<Record<string, string>>, l: Locality, network: string | undefined): Record<string, string> {
  const out: Record<string, string> = { ...labels };
  const add = (k: string, v: string | undefined) => { if (v && out[k] === undefined) out[k] = v; };
  add(LABEL_REGION, l.region);
  add(LABEL_ZONE, l.zone);
  add(LABEL_SUBZONE, l.subzone);
  add(LABEL_NETWORK, network);
  return out;
}

function labelPriority(m: Member, proxyLabels: Readonly<Record<string, string>>, priorities: readonly string[]): number {
  const epLabels = withTopology(m.ep.labels, m.ep.locality, m.ep.network);
  for (let j = 0; j < priorities.length; j++) {
    const [key = '', override] = priorities[j]!.split('=');
    const want = override ?? proxyLabels[key];
    if (want !== epLabels[key]) return priorities.length - j;
  }
  return 0;
}

function applyFailoverPriority(groups: Group[], proxyLabels: Readonly<Record<string, string>>, priorities: readonly string[]): Group[] {
  if (Object.keys(proxyLabels).length === 0) return groups;
  const split = groups.flatMap((g) => {
    const byPriority = new Map<number, Member[]>();
    for (const m of g.members) {
      const p = labelPriority(m, proxyLabels, priorities);
      byPriority.set(p, [...(byPriority.get(p) ?? []), m]);
    }
    return [...byPriority.entries()].sort(([a], [b]) => a - b).map(([p, members]) => groupOf(g.locality, members, p));
  });
  return densePriorities(split);
}

function localityPriority(proxy: Locality, l: Locality, failover: NonNullable<LocalityLbSetting['failover']>): number {
  if (proxy.region === l.region) return proxy.zone !== l.zone ? 2 : proxy.subzone !== l.subzone ? 1 : 0;
  const rule = failover.find((f) => f.from === proxy.region);
  return rule && rule.to !== l.region ? 4 : 3;
}

function applyLocalityFailover(groups: Group[], proxy: Locality, failover: NonNullable<LocalityLbSetting['failover']>): Group[] {
  return densePriorities(groups.map((g) => ({ ...g, priority: g.priority * 5 + localityPriority(proxy, g.locality, failover) })));
}

export function applyLocalityLb(groups: Group[], inputs: LocalityInputs): Group[] {
  const { setting, proxyLocality } = inputs;
  if (setting.distribute && setting.distribute.length > 0) return applyDistribute(groups, proxyLocality, setting.distribute);
  if (!inputs.failoverEnabled) return groups;
  const failover = setting.failover ?? [];
  if (setting.failoverPriority && setting.failoverPriority.length > 0) {
    const split = inputs.failoverPriority === false ? groups : applyFailoverPriority(groups, inputs.proxyLabels, setting.failoverPriority);
    return failover.length > 0 ? applyLocalityFailover(split, proxyLocality, failover) : split;
  }
  return applyLocalityFailover(groups, proxyLocality, failover);
}
