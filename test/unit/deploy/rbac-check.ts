/**
 * RBAC as the API server evaluates it, for one ServiceAccount: the rules of every ClusterRole
 * bound by a ClusterRoleBinding apply everywhere; a Role bound by a RoleBinding applies in its
 * namespace. A rule with resourceNames never allows create, list or watch of the collection.
 */
import type { Grant, Verb } from './api-uses.js';

type Doc = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface BoundRule {
  readonly apiGroups: string[];
  readonly resources: string[];
  readonly verbs: string[];
  readonly resourceNames?: string[];
  /** undefined: cluster-wide (ClusterRole via ClusterRoleBinding). */
  readonly namespace?: string;
  readonly from: string;
}

const subjectIs = (b: Doc, sa: { name: string; namespace: string }) =>
  (b.subjects ?? []).some((s: Doc) => s.kind === 'ServiceAccount' && s.name === sa.name && s.namespace === sa.namespace);

export function boundRules(docs: readonly Doc[], sa: { name: string; namespace: string }): BoundRule[] {
  const find = (kind: string, name: string, namespace?: string) =>
    docs.find((d) => d.kind === kind && d.metadata?.name === name && d.metadata?.namespace === namespace);
  const out: BoundRule[] = [];
  for (const b of docs.filter((d) => (d.kind === 'ClusterRoleBinding' || d.kind === 'RoleBinding') && subjectIs(d, sa))) {
    const namespace = b.kind === 'RoleBinding' ? (b.metadata.namespace as string) : undefined;
    const role = b.roleRef.kind === 'ClusterRole' ? find('ClusterRole', b.roleRef.name) : find('Role', b.roleRef.name, namespace);
    if (!role) continue;
    for (const r of role.rules ?? []) out.push({ ...r, ...(namespace ? { namespace } : {}), from: `${role.kind}/${role.metadata.name}` });
  }
  return out;
}

const NAME_RESTRICTABLE: readonly Verb[] = ['get', 'update', 'patch', 'delete'];

export function allows(rule: BoundRule, g: Grant): boolean {
  const has = (list: string[] | undefined, v: string) => (list ?? []).includes(v) || (list ?? []).includes('*');
  if (!has(rule.apiGroups, g.group) || !has(rule.resources, g.resource) || !has(rule.verbs, g.verb)) return false;
  if (rule.namespace !== undefined && (g.scope !== 'istio-system' || rule.namespace !== 'istio-system')) return false;
  if (rule.resourceNames && rule.resourceNames.length > 0) {
    return NAME_RESTRICTABLE.includes(g.verb) && g.name !== undefined && rule.resourceNames.includes(g.name);
  }
  return true;
}

/** Grants the bound rules do not allow. */
export function missingGrants(rules: readonly BoundRule[], needed: readonly Grant[]): Grant[] {
  return needed.filter((g) => !rules.some((r) => allows(r, g)));
}

/** Rule permissions no needed grant uses (least privilege): "<from> <group>/<resource> <verb>". */
export function unusedPermissions(rules: readonly BoundRule[], needed: readonly Grant[]): string[] {
  const out: string[] = [];
  for (const r of rules) {
    for (const group of r.apiGroups) for (const resource of r.resources) for (const verb of r.verbs) {
      const used = needed.some((g) => g.group === group && g.resource === resource && g.verb === verb && allows(r, g));
      if (!used) out.push(`${r.from} ${group || 'core'}/${resource} ${verb}${r.resourceNames ? ` [${r.resourceNames.join(',')}]` : ''}`);
    }
  }
  return out;
}
