/** Kubernetes-style label maps and the workload selectors built from them. */
import { invalid, warning, issue, type ValidationIssue } from '../../../lib/issue.js';
import { entries, isObj, present } from './access.js';
import { joinPath } from '../../../lib/issue.js';

const LABEL = '[a-zA-Z0-9](?:[-a-zA-Z0-9]*[a-zA-Z0-9])?';
const QUALIFIED = '(?:[A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const KEY = new RegExp(`^(${LABEL}(?:\\.${LABEL})*/)?(${QUALIFIED})$`);
const VALUE = new RegExp(`^(?:${QUALIFIED})?$`);

export function checkLabelKey(key: string): string | undefined {
  const m = KEY.exec(key);
  if (!m) return `invalid tag key: "${key}"`;
  if ((m[1]?.length ?? 0) - 1 > 253) return `invalid tag key: "${key}" (DNS prefix is too long)`;
  if ((m[2]?.length ?? 0) > 63) return `invalid tag key: "${key}" (name is too long)`;
  return undefined;
}

export function checkLabelValue(value: string): string | undefined {
  return VALUE.test(value) ? undefined : `invalid tag value: "${value}"`;
}

/** Each key a qualified name (optionally DNS-prefixed), each value a label value. */
export function validateLabels(path: string, labels: unknown): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  for (const [k, v] of entries(labels)) {
    const keyErr = checkLabelKey(k);
    if (keyErr) out.push(invalid(path, k, keyErr));
    const valErr = typeof v === 'string' ? checkLabelValue(v) : undefined;
    if (valErr) out.push(invalid(joinPath(path, k), v, valErr));
  }
  return out;
}

/**
 * A workload selector (`matchLabels` for security/telemetry kinds, `labels` for networking
 * kinds): no empty keys, no `*`; an empty one selects everything, which earns a warning.
 */
export function validateSelector(path: string, selector: unknown, field: 'matchLabels' | 'labels', what = ''): ValidationIssue[] {
  if (!present(selector)) return [];
  const labels = isObj(selector) ? selector[field] : undefined;
  const labelsPath = joinPath(path, field);
  const out: ValidationIssue[] = [];
  const list = entries(labels);
  for (const [k, v] of list) {
    const value = typeof v === 'string' ? v : '';
    if (k === '') out.push(invalid(labelsPath, `${k}=${value}`, 'empty key is not supported in selector'));
    if (k.includes('*') || value.includes('*')) out.push(invalid(joinPath(labelsPath, k), `${k}=${value}`, 'wildcard is not supported in selector'));
  }
  if (list.length === 0) {
    const scope = what ? `${what}: ` : '';
    const tail = what ? ', will be applied to all services in namespace' : '';
    out.push(warning(path, `${scope}workload selector specified without labels${tail}`, selector));
  }
  return out;
}

export function forbidden(path: string, detail: string): ValidationIssue {
  return issue(path, 'Forbidden', detail);
}
