/**
 * AuthorizationPolicies → Envoy RBAC filters, as Istio's authz builder emits them. One filter per
 * action present, in evaluation order: CUSTOM, AUDIT (RBAC action LOG), DENY, ALLOW. Policies
 * are named `ns[<ns>]-policy[<name>]-rule[<i>]`; a policy without rules becomes an explicit
 * never-matching policy (so ALLOW policies without rules deny everything). Policies annotated
 * `istio.io/dry-run: true` go to shadow_rules instead of rules; shadow_rules_stat_prefix is
 * Istio's (istio_dry_run_allow_ / istio_dry_run_deny_; Istio also leaves the allow prefix on
 * filters without shadow rules). TCP filters carry stat_prefix `tcp.`.
 *
 * CUSTOM (ext_authz) is not wired yet: its rules are enforced as DENY rules named
 * `<name>-deny-due-to-bad-CUSTOM-action`, as Istio does when it cannot use the provider, so a
 * CUSTOM policy fails closed rather than open.
 */
import type { ConfigObject } from '../../../model/config.js';
import type { Snapshot } from '../../../model/snapshot.js';
import { compileRule, MATCH_NEVER, type RbacAction } from './rule.js';
import type { Json } from './matchers.js';
import { selectPolicies, specOf, type SelectedPolicies, type Workload } from './select.js';
import type { TrustDomainBundle } from './trust-domain.js';

export const RbacFilterName = Object.freeze({ Http: 'envoy.filters.http.rbac', Network: 'envoy.filters.network.rbac' });
export const RbacType = Object.freeze({
  Http: 'type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBAC',
  Network: 'type.googleapis.com/envoy.extensions.filters.network.rbac.v3.RBAC',
});
export const TCP_STAT_PREFIX = 'tcp.';
export const ShadowStatPrefix = Object.freeze({ Allow: 'istio_dry_run_allow_', Deny: 'istio_dry_run_deny_' });
const BAD_CUSTOM_SUFFIX = '-deny-due-to-bad-CUSTOM-action';
const DRY_RUN = 'istio.io/dry-run';

/** Why a rule was left out of a filter (for diagnostics). */
export interface SkippedRule {
  readonly policy: ConfigObject;
  readonly path: string;
  readonly reason: string;
}

export interface AuthzFilters {
  readonly filters: readonly Json[];
  readonly skipped: readonly SkippedRule[];
  /** CUSTOM policies enforced as DENY because ext_authz is not built yet. */
  readonly customAsDeny: readonly ConfigObject[];
}

/** Go's strconv.ParseBool true values; anything else (validation rejects non-booleans) is false. */
export function isDryRun(p: ConfigObject): boolean {
  return ['1', 't', 'T', 'TRUE', 'true', 'True'].includes(p.metadata.annotations?.[DRY_RUN] ?? '');
}

export const policyName = (p: ConfigObject, i: number) => `ns[${p.metadata.namespace}]-policy[${p.metadata.name}]-rule[${i}]`;

interface Built { rules?: Json; shadow?: Json }

function buildAction(policies: readonly ConfigObject[], action: RbacAction, forTCP: boolean, td: TrustDomainBundle, skipped: SkippedRule[], suffix = ''): Built | undefined {
  if (policies.length === 0) return undefined;
  const enforced: Record<string, Json> = {};
  const shadow: Record<string, Json> = {};
  let hasEnforced = false, hasShadow = false;
  for (const p of policies) {
    const dry = isDryRun(p);
    if (dry) hasShadow = true;
    else hasEnforced = true;
    const into = dry ? shadow : enforced;
    const rules = specOf(p).rules ?? [];
    rules.forEach((rule, i) => {
      const result = compileRule(rule ?? {}, { policyNamespace: p.metadata.namespace, forTCP, action, trustDomains: td });
      if (result.ok) into[policyName(p, i) + suffix] = result.policy;
      else skipped.push({ policy: p, path: `spec.rules[${i}]`, reason: result.reason });
    });
    if (rules.length === 0) into[policyName(p, 0) + suffix] = MATCH_NEVER;
  }
  return {
    ...(hasEnforced ? { rules: { action, policies: enforced } } : {}),
    ...(hasShadow ? { shadow: { action, policies: shadow } } : {}),
  };
}

function shadowPrefix(shadow: Json | undefined): string | undefined {
  const action = shadow?.action ?? 'ALLOW';
  return action === 'ALLOW' ? ShadowStatPrefix.Allow : action === 'DENY' ? ShadowStatPrefix.Deny : undefined;
}

function toFilter(b: Built, forTCP: boolean): Json {
  const prefix = shadowPrefix(b.shadow);
  const body: Json = {
    '@type': forTCP ? RbacType.Network : RbacType.Http,
    ...(b.rules ? { rules: b.rules } : {}),
    ...(forTCP ? { stat_prefix: TCP_STAT_PREFIX } : {}),
    ...(b.shadow ? { shadow_rules: b.shadow } : {}),
    ...(prefix ? { shadow_rules_stat_prefix: prefix } : {}),
  };
  return { name: forTCP ? RbacFilterName.Network : RbacFilterName.Http, typed_config: body };
}

/** The RBAC filters for already-selected policies, for an HTTP (forTCP=false) or TCP filter chain. */
export function buildRbacFilters(selected: SelectedPolicies, forTCP: boolean, td: TrustDomainBundle): AuthzFilters {
  const skipped: SkippedRule[] = [];
  // CUSTOM without ext_authz: enforced as DENY (shadow rules of dry-run CUSTOM policies stay shadow).
  const steps: (Built | undefined)[] = [
    buildAction(selected.custom, 'DENY', forTCP, td, skipped, BAD_CUSTOM_SUFFIX),
    buildAction(selected.audit, 'LOG', forTCP, td, skipped),
    buildAction(selected.deny, 'DENY', forTCP, td, skipped),
    buildAction(selected.allow, 'ALLOW', forTCP, td, skipped),
  ];
  const filters = steps.filter((b): b is Built => b !== undefined).map((b) => toFilter(b, forTCP));
  return { filters, skipped, customAsDeny: selected.custom };
}

/** Select and build in one step. */
export function buildAuthzFilters(snapshot: Snapshot, workload: Workload, forTCP: boolean, td: TrustDomainBundle): AuthzFilters {
  return buildRbacFilters(selectPolicies(snapshot, workload), forTCP, td);
}
