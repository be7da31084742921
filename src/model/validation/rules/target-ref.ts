/** Policy attachment: `selector` vs `targetRef` vs `targetRefs`, and what a targetRef may name. */
import { invalid, issue, required, type ValidationIssue } from '../../../lib/issue.js';
import { arr, isObj, nonEmpty, present, str } from './access.js';
import { joinPath } from '../../../lib/issue.js';

const ALLOWED: readonly { group: string; kind: string }[] = [
  { group: 'core', kind: 'Service' },
  { group: 'networking.istio.io', kind: 'ServiceEntry' },
  { group: 'gateway.networking.k8s.io', kind: 'Gateway' },
];

export function validateTargetRef(path: string, ref: unknown): ValidationIssue[] {
  if (!isObj(ref)) return [];
  const out: ValidationIssue[] = [];
  if (str(ref.name) === '') out.push(required(joinPath(path, 'name'), 'targetRef name must be set'));
  if (str(ref.namespace) !== '') {
    out.push(issue(joinPath(path, 'namespace'), 'Forbidden', 'targetRef namespace must not be set; cross namespace referencing is not supported'));
  }
  const group = str(ref.group) === '' ? 'core' : str(ref.group);
  const kind = str(ref.kind);
  if (!ALLOWED.some((a) => a.group === group && a.kind === kind)) {
    const names = ALLOWED.map((a) => `${a.group}/${a.kind}`).join(', ');
    out.push(invalid(path, `${str(ref.group)}/${kind}`, `targetRef must be to one of ${names}`));
  }
  return out;
}

/** Checks selector/targetRef/targetRefs exclusivity and each reference. */
export function validateAttachment(spec: Readonly<Record<string, unknown>>, base = 'spec'): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  const set = [present(spec.selector), present(spec.targetRef), nonEmpty(spec.targetRefs)].filter(Boolean).length;
  if (set > 1) out.push(issue(base, 'Forbidden', 'only one of targetRefs or workloadSelector can be set'));
  out.push(...validateTargetRef(joinPath(base, 'targetRef'), spec.targetRef));
  arr(spec.targetRefs).forEach((r, i) => out.push(...validateTargetRef(joinPath(joinPath(base, 'targetRefs'), i), r)));
  return out;
}
