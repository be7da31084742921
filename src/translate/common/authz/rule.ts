/**
 * One AuthorizationPolicy rule → one Envoy RBAC Policy, as Istio's authz model builds it: every
 * `from` becomes one principal (its fields ANDed, in Istio's order, then the `when` conditions on
 * the peer/request), every `to` one permission (hosts, methods, paths, ports, then the `when`
 * conditions on the destination); values of a field are ORed and `not*` values wrapped in a NOT.
 *
 * Attributes that cannot be built (HTTP-only on a TCP chain, a bad value): an ALLOW rule is
 * dropped entirely (narrower: less is allowed); for DENY and AUDIT just that attribute is left
 * out (broader: more is denied), exactly Istio's checkError.
 */
import type { AuthorizationRule, Condition, Source } from '../../../model/types/security.js';
import { OPERATION_ATTRIBUTES, serviceAccount, SOURCE_ATTRIBUTES, whenAttribute, type Attribute, type Built } from './attributes.js';
import type { Json } from './matchers.js';
import { withTrustDomainAliases, type TrustDomainBundle } from './trust-domain.js';

export type RbacAction = 'ALLOW' | 'DENY' | 'LOG';

interface Item {
  readonly key: string;
  readonly attr: Attribute;
  readonly values: readonly string[];
  readonly notValues: readonly string[];
}

export interface RuleContext {
  readonly policyNamespace: string;
  readonly forTCP: boolean;
  readonly action: RbacAction;
  readonly trustDomains: TrustDomainBundle;
}

export type RuleResult = { readonly ok: true; readonly policy: Json } | { readonly ok: false; readonly reason: string };

const or = (side: Attribute['side'], list: Json[]): Json => (side === 'principal' ? { or_ids: { ids: list } } : { or_rules: { rules: list } });
const not = (side: Attribute['side'], m: Json): Json => (side === 'principal' ? { not_id: m } : { not_rule: m });

function item(key: string, attr: Attribute, values: readonly string[] | undefined, notValues: readonly string[] | undefined, ctx: RuleContext): Item | undefined {
  if (!values?.length && !notValues?.length) return undefined;
  const principalLike = key === 'principals' || key === 'source.principal';
  const migrate = (list: readonly string[] | undefined) => (principalLike ? withTrustDomainAliases(list ?? [], ctx.trustDomains) : list ?? []);
  return { key, attr, values: migrate(values), notValues: migrate(notValues) };
}

/** Built matchers for some values; the first error when the action does not tolerate one. */
function buildValues(it: Item, values: readonly string[], ctx: RuleContext): Json[] | string {
  const out: Json[] = [];
  for (const v of values) {
    const built: Built = it.attr.build(v, ctx.forTCP);
    if (typeof built !== 'string') out.push(built);
    else if (ctx.action === 'ALLOW') return `${it.key}: ${built}`;
  }
  return out;
}

function buildItem(it: Item, ctx: RuleContext): Json[] | string {
  const out: Json[] = [];
  const yes = buildValues(it, it.values, ctx);
  if (typeof yes === 'string') return yes;
  if (yes.length > 0) out.push(or(it.attr.side, yes));
  const no = buildValues(it, it.notValues, ctx);
  if (typeof no === 'string') return no;
  if (no.length > 0) out.push(not(it.attr.side, or(it.attr.side, no)));
  return out;
}

function buildAnd(side: Attribute['side'], items: readonly Item[], ctx: RuleContext): Json | string {
  const and: Json[] = [];
  for (const it of items) {
    const built = buildItem(it, ctx);
    if (typeof built === 'string') return built;
    and.push(...built);
  }
  if (and.length === 0) and.push({ any: true });
  return side === 'principal' ? { and_ids: { ids: and } } : { and_rules: { rules: and } };
}

function sourceItems(s: Source | undefined, ctx: RuleContext): Item[] {
  if (!s) return [];
  const list = [
    item('principals', SOURCE_ATTRIBUTES.principals, s.principals, s.notPrincipals, ctx),
    item('requestPrincipals', SOURCE_ATTRIBUTES.requestPrincipals, s.requestPrincipals, s.notRequestPrincipals, ctx),
    item('serviceAccounts', serviceAccount(ctx.policyNamespace), s.serviceAccounts, s.notServiceAccounts, ctx),
    item('namespaces', SOURCE_ATTRIBUTES.namespaces, s.namespaces, s.notNamespaces, ctx),
    item('remoteIpBlocks', SOURCE_ATTRIBUTES.remoteIpBlocks, s.remoteIpBlocks, s.notRemoteIpBlocks, ctx),
    item('ipBlocks', SOURCE_ATTRIBUTES.ipBlocks, s.ipBlocks, s.notIpBlocks, ctx),
  ];
  return list.filter((i): i is Item => i !== undefined);
}

function operationItems(o: AuthorizationRule['to'] extends (infer T)[] | undefined ? T : never, ctx: RuleContext): Item[] {
  const op = o?.operation;
  if (!op) return [];
  const A = OPERATION_ATTRIBUTES;
  const list = [
    item('hosts', A.hosts, op.hosts, op.notHosts, ctx),
    item('methods', A.methods, op.methods, op.notMethods, ctx),
    item('paths', A.paths, op.paths, op.notPaths, ctx),
    item('ports', A.ports, op.ports, op.notPorts, ctx),
  ];
  return list.filter((i): i is Item => i !== undefined);
}

function whenItems(when: readonly Condition[] | undefined, ctx: RuleContext): Item[] | string {
  const out: Item[] = [];
  for (const c of when ?? []) {
    const attr = whenAttribute(c?.key ?? '', ctx.policyNamespace);
    if (typeof attr === 'string') return attr;
    const it = item(c.key, attr, c.values, c.notValues, ctx);
    if (it) out.push(it);
  }
  return out;
}

/** Compile one rule for one filter (HTTP or TCP) and action. */
export function compileRule(rule: AuthorizationRule, ctx: RuleContext): RuleResult {
  const when = whenItems(rule.when, ctx);
  if (typeof when === 'string') return { ok: false, reason: when };
  const basePrincipal = when.filter((i) => i.attr.side === 'principal');
  const basePermission = when.filter((i) => i.attr.side === 'permission');
  const froms = rule.from?.length ? rule.from.map((f) => [...sourceItems(f?.source, ctx), ...basePrincipal]) : [basePrincipal];
  const tos = rule.to?.length ? rule.to.map((t) => [...operationItems(t, ctx), ...basePermission]) : [basePermission];
  const principals: Json[] = [];
  for (const items of froms) {
    const p = buildAnd('principal', items, ctx);
    if (typeof p === 'string') return { ok: false, reason: p };
    principals.push(p);
  }
  const permissions: Json[] = [];
  for (const items of tos) {
    const p = buildAnd('permission', items, ctx);
    if (typeof p === 'string') return { ok: false, reason: p };
    permissions.push(p);
  }
  return { ok: true, policy: { permissions, principals } };
}

/** Istio's explicit never-matching policy for a policy without rules. */
export const MATCH_NEVER: Json = Object.freeze({
  permissions: [{ not_rule: { any: true } }],
  principals: [{ not_id: { any: true } }],
});
