/** metav1.LabelSelector: parsing with field paths, and matching as apimachinery does. */
import { invalid, required, type ValidationIssue } from '../lib/issue.js';
import { isObject, stringMap } from './k8s.js';

export interface Requirement {
  readonly key: string;
  readonly operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  readonly values: readonly string[];
}

export interface LabelSelector {
  readonly matchLabels: Readonly<Record<string, string>>;
  readonly matchExpressions: readonly Requirement[];
}

const OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist'] as const;

function parseRequirement(raw: unknown, path: string, issues: ValidationIssue[]): Requirement | undefined {
  if (!isObject(raw)) return void issues.push(invalid(path, raw, 'must be a map with key, operator and values'));
  const { key, operator, values } = raw;
  if (typeof key !== 'string' || key === '') return void issues.push(required(`${path}.key`, 'a label key'));
  if (!OPERATORS.includes(operator as Requirement['operator'])) return void issues.push(invalid(`${path}.operator`, operator, `must be one of ${OPERATORS.join(', ')}`));
  const list = values === undefined || values === null ? [] : values;
  if (!Array.isArray(list) || !list.every((v) => typeof v === 'string')) return void issues.push(invalid(`${path}.values`, values, 'must be a list of strings'));
  const op = operator as Requirement['operator'];
  if ((op === 'In' || op === 'NotIn') && list.length === 0) return void issues.push(required(`${path}.values`, `operator ${op} needs at least one value`));
  if ((op === 'Exists' || op === 'DoesNotExist') && list.length > 0) return void issues.push(invalid(`${path}.values`, values, `must be empty for operator ${op}`));
  return { key, operator: op, values: list as string[] };
}

export function parseSelector(raw: unknown, path: string, issues: ValidationIssue[]): LabelSelector | undefined {
  if (!isObject(raw)) return void issues.push(invalid(path, raw, 'must be a label selector (matchLabels / matchExpressions)'));
  const before = issues.length;
  if (raw.matchLabels !== undefined && raw.matchLabels !== null) {
    if (!isObject(raw.matchLabels) || Object.values(raw.matchLabels).some((v) => typeof v !== 'string')) issues.push(invalid(`${path}.matchLabels`, raw.matchLabels, 'must be a map of strings'));
  }
  const exprs = raw.matchExpressions ?? [];
  if (!Array.isArray(exprs)) issues.push(invalid(`${path}.matchExpressions`, exprs, 'must be a list'));
  const matchExpressions = (Array.isArray(exprs) ? exprs : []).map((e, i) => parseRequirement(e, `${path}.matchExpressions[${i}]`, issues));
  if (issues.length > before) return undefined;
  return { matchLabels: stringMap(raw.matchLabels), matchExpressions: matchExpressions as Requirement[] };
}

export function isEmptySelector(s: LabelSelector): boolean {
  return Object.keys(s.matchLabels).length === 0 && s.matchExpressions.length === 0;
}

/** An empty selector matches nothing here: Istio skips empty never/always selectors. */
export function selectorMatches(s: LabelSelector, labels: Readonly<Record<string, string>>): boolean {
  if (isEmptySelector(s)) return false;
  for (const [k, v] of Object.entries(s.matchLabels)) if (labels[k] !== v) return false;
  return s.matchExpressions.every((r) => {
    const has = Object.hasOwn(labels, r.key);
    switch (r.operator) {
      case 'In': return has && r.values.includes(labels[r.key]!);
      case 'NotIn': return !has || !r.values.includes(labels[r.key]!);
      case 'Exists': return has;
      case 'DoesNotExist': return !has;
    }
  });
}
