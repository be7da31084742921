/**
 * Kubernetes label selector matching, as MeshConfig discoverySelectors use it. Pure.
 * - A selector matches when every matchLabels pair and every matchExpressions requirement
 *   holds (AND); an empty selector `{}` matches every namespace (Kubernetes' semantics).
 * - A list of selectors selects a namespace when ANY of them matches (OR); an empty or absent
 *   list selects every namespace.
 */
import type { LabelSelector, LabelSelectorRequirement } from '../../config/mesh-types.js';

export type Labels = Readonly<Record<string, string>>;

function requirementHolds(req: LabelSelectorRequirement, labels: Labels): boolean {
  const has = Object.hasOwn(labels, req.key);
  const values = req.values ?? [];
  switch (req.operator) {
    case 'In':
      return has && values.includes(labels[req.key]!);
    case 'NotIn':
      return !has || !values.includes(labels[req.key]!);
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
    default:
      // Mesh config validation rejects unknown operators; never select on one that slipped by.
      return false;
  }
}

export function selectorMatches(selector: LabelSelector, labels: Labels): boolean {
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (labels[key] !== value || !Object.hasOwn(labels, key)) return false;
  }
  return (selector.matchExpressions ?? []).every((req) => requirementHolds(req, labels));
}

/** True when `labels` (a namespace's) are selected by the list: ANY selector, or no selectors at all. */
export function selectedByAny(selectors: readonly LabelSelector[] | undefined, labels: Labels): boolean {
  if (!selectors || selectors.length === 0) return true;
  return selectors.some((s) => selectorMatches(s, labels));
}

/** A Namespace object's labels as a string map (non-string values are ignored). */
export function labelsOf(obj: { readonly metadata?: { readonly [field: string]: unknown } }): Labels {
  const raw = obj.metadata?.labels;
  if (typeof raw !== 'object' || raw === null) return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) if (typeof v === 'string') out[k] = v;
  return out;
}
