/**
 * Warnings for rules that can never match: a catch-all rule before others, and matches that
 * repeat an earlier one exactly (names aside). Istio reports these as warnings, not errors.
 */
import { warning, type ValidationIssue } from '../../../lib/issue.js';
import { arr, isObj, str, at } from '../rules/index.js';

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (isObj(v)) {
    const keys = Object.keys(v).filter((k) => k !== 'name' && v[k] !== undefined).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

function ruleName(route: unknown, i: number): string {
  const name = isObj(route) ? str(route.name) : '';
  return name ? `"${name}"` : `#${i}`;
}

export function unreachableRules(path: string, routes: unknown): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  const seen = new Map<string, number>();
  let catchAll = -1;
  arr(routes).forEach((route, i) => {
    if (!isObj(route)) return;
    const matches = arr(route.match);
    if (matches.length === 0) {
      if (catchAll >= 0) out.push(warning(at(path, i), `virtualService rule ${ruleName(route, i)} not used (only the last rule can have no matches)`, ruleName(route, i)));
      catchAll = i;
      return;
    }
    let duplicates = 0;
    matches.forEach((m, j) => {
      const key = canonical(m);
      const prior = seen.get(key);
      if (prior !== undefined) {
        duplicates++;
        out.push(warning(at(path, i, 'match', j), `virtualService rule ${ruleName(route, i)} match #${j} is not used (duplicate/overlapping match in rule #${prior})`, key));
      } else seen.set(key, i);
    });
    if (duplicates === matches.length) out.push(warning(at(path, i), `virtualService rule ${ruleName(route, i)} not used (all matches used by prior rules)`, ruleName(route, i)));
  });
  return out;
}
