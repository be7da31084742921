/** exportTo: `.` (this namespace), `*` (everyone), a namespace, and `~` (no one) for ServiceEntry. */
import { issue, invalid, type ValidationIssue } from '../../../lib/issue.js';
import { arr, str } from './access.js';
import { isDNS1123Label } from './hosts.js';
import { joinPath } from '../../../lib/issue.js';

export interface ExportToOptions {
  readonly namespace: string;
  readonly isServiceEntry?: boolean;
  readonly isDestinationRuleWithSelector?: boolean;
}

function entryError(e: string): string | undefined {
  if (e === '.' || e === '*') return undefined;
  if (e === '~') return 'exportTo ~ (none) is not allowed for Istio configuration objects';
  return isDNS1123Label(e) ? undefined : 'only ., *, or a valid DNS 1123 label is allowed as exportTo entry';
}

export function validateExportTo(path: string, exportTo: unknown, opts: ExportToOptions): ValidationIssue[] {
  const list = arr(exportTo).map(str);
  if (list.length === 0) return [];
  const out: ValidationIssue[] = [];
  const seen = new Set<string>();
  list.forEach((e, i) => {
    const key = e === '.' ? opts.namespace : e;
    const p = joinPath(path, i);
    if (seen.has(key)) {
      const detail = key !== e ? `duplicate entries in exportTo: . and current namespace ${opts.namespace}` : 'duplicate entries in exportTo';
      out.push(issue(p, 'Duplicate value', detail, e));
      return;
    }
    const err = opts.isServiceEntry && e === '~' ? undefined : entryError(key === opts.namespace ? '.' : key);
    if (err) out.push(invalid(p, e, err));
    else seen.add(key);
  });
  if (opts.isDestinationRuleWithSelector && seen.size > 0) {
    if (!seen.has(opts.namespace)) out.push(invalid(path, list, 'destination rule with workload selector cannot have exportTo beyond current namespace'));
    else if (seen.size > 1) out.push(invalid(path, list, 'destination rule with workload selector cannot have multiple entries in exportTo'));
  }
  if (seen.has('*') && list.length > 1) out.push(invalid(path, list, 'cannot have both public (*) and non-public exportTo values for a resource'));
  if (seen.has('~') && list.length > 1) out.push(invalid(path, list, 'cannot export service entry to no one (~) and someone'));
  return out;
}
