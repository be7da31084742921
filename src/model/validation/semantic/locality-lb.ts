/** LocalityLoadBalancerSetting: distribute vs failover, weights, locality patterns. */
import { invalid, issue, warning, type ValidationIssue } from '../../../lib/issue.js';
import { arr, entries, isObj, num, str, at } from '../rules/index.js';

const TOPOLOGY_LABELS = new Set(['topology.kubernetes.io/region', 'topology.kubernetes.io/zone', 'topology.istio.io/subzone']);

/** Returns why a list of `region/zone/subzone` patterns is invalid (bad `*` or overlaps). */
export function checkLocalities(localities: readonly string[]): string | undefined {
  const seen: string[][] = [];
  for (const loc of localities) {
    const stars = (loc.match(/\*/g) ?? []).length;
    if (stars > 1 || (stars === 1 && !loc.endsWith('*'))) return `locality ${loc} wildcard '*' number can not exceed 1 and must be in the end`;
    const parts = loc.split('/', 3);
    if (parts.some((p) => p === '')) return `locality ${loc} must not contain empty region/zone/subzone info`;
    const overlaps = seen.some((prev) => {
      const n = Math.min(prev.length, parts.length);
      for (let i = 0; i < n; i++) if (prev[i] !== parts[i] && prev[i] !== '*' && parts[i] !== '*') return false;
      return true;
    });
    if (overlaps) return `locality ${loc} overlap with previous specified ones`;
    seen.push(parts);
  }
  return undefined;
}

export function validateLocalityLb(path: string, lb: unknown, hasOutlier: boolean): ValidationIssue[] {
  if (!isObj(lb)) return [];
  const distribute = arr(lb.distribute);
  const failover = arr(lb.failover);
  const priority = arr(lb.failoverPriority).map(str);
  if (distribute.length > 0 && failover.length > 0) return [issue(at(path, 'failover'), 'Forbidden', "can not simultaneously specify 'distribute' and 'failover'")];
  const topo = failover.length > 0 ? priority.find((p) => TOPOLOGY_LABELS.has(p)) : undefined;
  if (topo) return [issue(at(path, 'failoverPriority'), 'Forbidden', `can not simultaneously set 'failover' and topology label '${topo}' in 'failoverPriority'`)];
  const out: ValidationIssue[] = [];
  const from: string[] = [];
  for (const [i, d] of distribute.entries()) {
    const dp = at(path, 'distribute', i);
    const rec = isObj(d) ? d : {};
    from.push(str(rec.from));
    let total = 0;
    for (const [loc, w] of entries(rec.to)) {
      const weight = num(w) ?? 0;
      if (weight <= 0 || weight > 100) return [...out, invalid(at(dp, 'to', loc), weight, 'locality weight must be in range [1, 100]')];
      total += weight;
    }
    if (total !== 100) return [...out, invalid(at(dp, 'to'), total, `total locality weight ${total} != 100`)];
    const err = checkLocalities(entries(rec.to).map(([k]) => k));
    if (err) out.push(invalid(at(dp, 'to'), Object.keys(isObj(rec.to) ? rec.to : {}).join(','), err));
  }
  const fromErr = checkLocalities(from);
  if (fromErr) out.push(invalid(at(path, 'distribute'), from.join(','), fromErr));
  if ((failover.length > 0 || priority.length > 0) && !hasOutlier) {
    out.push(warning(path, 'outlier detection policy must be provided for failover'));
  }
  failover.forEach((f, i) => {
    const rec = isObj(f) ? f : {};
    const fp = at(path, 'failover', i);
    const a = str(rec.from);
    const b = str(rec.to);
    if (a === b) out.push(invalid(fp, a, 'locality lb failover settings must specify different regions'));
    if (a.includes('/') || b.includes('/')) out.push(invalid(fp, `${a} -> ${b}`, 'locality lb failover only specify region'));
    if (a.includes('*') || b.includes('*')) out.push(invalid(fp, `${a} -> ${b}`, "locality lb failover region should not contain '*' wildcard"));
  });
  return out;
}
