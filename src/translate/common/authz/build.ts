/**
 * AuthorizationPolicies → Envoy RBAC filters, as Istio's authz builder emits them. One filter per
 * action present, in evaluation order: CUSTOM, AUDIT (RBAC action LOG), DENY, ALLOW. Policies
 * are named `ns[<ns>]-policy[<name>]-rule[<i>]`; a policy without rules becomes an explicit
 * never-matching policy (so ALLOW policies without rules deny everything). Policies annotated
 * `istio.io/dry-run: true` go to shadow_rules instead of rules; shadow_rules_stat_prefix is
 * Istio's (istio_dry_run_allow_ / istio_dry_run_deny_; Istio also leaves the allow prefix on
 * filters without shadow rules). TCP filters carry stat_prefix `tcp.`.
 *
 * CUSTOM policies (custom.ts) become a shadow RBAC filter plus the MeshConfig provider's
 * ext_authz filter; their rules are named `istio-ext-authz-ns[<ns>]-policy[<name>]-rule[<i>]`
 * so the ext_authz filter can tell a CUSTOM match from others. When the provider cannot be
 * used they fail closed as DENY rules (`…-deny-due-to-bad-CUSTOM-action`), as in Istio.
 */
import type { ExtensionProvider } from '../../../config/mesh-types.js';
import type { ConfigObject } from '../../../model/config.js';
import type { Snapshot } from '../../../model/snapshot.js';
import { badCustomDenyRules, customFilters, customNotes, pickProvider, snapshotServiceLookup, type CustomNote, type ExtAuthzContext } from './custom.js';
import { EXT_AUTHZ_MATCH_PREFIX } from './ext-authz-provider.js';
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
  /** CUSTOM policies enforced as DENY because their ext_authz provider is missing or unusable. */
  readonly customAsDeny: readonly ConfigObject[];
  /** Why, per CUSTOM policy: fail-closed reasons, ignored dry-run, HTTP-only provider on TCP. */
  readonly customNotes: readonly CustomNote[];
}

/** Go's strconv.ParseBool true values; anything else (validation rejects non-booleans) is false. */
export function isDryRun(p: ConfigObject): boolean {
  return ['1', 't', 'T', 'TRUE', 'true', 'True'].includes(p.metadata.annotations?.[DRY_RUN] ?? '');
}

export const policyName = (p: ConfigObject, i: number) => `ns[${p.metadata.namespace}]-policy[${p.metadata.name}]-rule[${i}]`;

interface Built { rules?: Json; shadow?: Json }

function buildAction(policies: readonly ConfigObject[], action: RbacAction, forTCP: boolean, td: TrustDomainBundle, skipped: SkippedRule[], namePrefix = ''): Built | undefined {
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
      if (result.ok) into[namePrefix + policyName(p, i)] = result.policy;
      else skipped.push({ policy: p, path: `spec.rules[${i}]`, reason: result.reason });
    });
    if (rules.length === 0) into[namePrefix + policyName(p, 0)] = MATCH_NEVER;
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

/** CUSTOM policies' filters (shadow RBAC + ext_authz, or fail-closed DENY) and notes. Rules are compiled as DENY, as Istio does. */
function buildCustom(custom: readonly ConfigObject[], forTCP: boolean, td: TrustDomainBundle, skipped: SkippedRule[], ext: ExtAuthzContext | undefined) {
  if (custom.length === 0) return { filters: [] as Json[], asDeny: [] as ConfigObject[], notes: [] as CustomNote[] };
  const enforced = buildAction(custom, 'DENY', forTCP, td, skipped, `${EXT_AUTHZ_MATCH_PREFIX}-`)?.rules;
  const picked = pickProvider(custom, ext);
  const notes = customNotes(custom, picked, forTCP, isDryRun);
  const rbac = forTCP ? { name: RbacFilterName.Network, type: RbacType.Network } : { name: RbacFilterName.Http, type: RbacType.Http };
  if (picked.ok) return { filters: customFilters(enforced, picked.value, forTCP, rbac), asDeny: [] as ConfigObject[], notes };
  const deny = badCustomDenyRules(enforced);
  // Istio's fail-closed filter carries just the rules (no shadow stat prefix).
  const filters = deny ? [{ name: rbac.name, typed_config: { '@type': rbac.type, rules: deny, ...(forTCP ? { stat_prefix: TCP_STAT_PREFIX } : {}) } }] : [];
  return { filters, asDeny: custom.filter((p) => !isDryRun(p)), notes };
}

/**
 * The authz filters for already-selected policies, for an HTTP (forTCP=false) or TCP filter
 * chain, in order CUSTOM (RBAC + ext_authz), AUDIT, DENY, ALLOW. Without `ext` (the mesh's
 * providers) CUSTOM policies fail closed.
 */
export function buildRbacFilters(selected: SelectedPolicies, forTCP: boolean, td: TrustDomainBundle, ext?: ExtAuthzContext): AuthzFilters {
  const skipped: SkippedRule[] = [];
  const custom = buildCustom(selected.custom, forTCP, td, skipped, ext);
  const steps: (Built | undefined)[] = [
    buildAction(selected.audit, 'LOG', forTCP, td, skipped),
    buildAction(selected.deny, 'DENY', forTCP, td, skipped),
    buildAction(selected.allow, 'ALLOW', forTCP, td, skipped),
  ];
  const rbac = steps.filter((b): b is Built => b !== undefined).map((b) => toFilter(b, forTCP));
  return { filters: [...custom.filters, ...rbac], skipped, customAsDeny: custom.asDeny, customNotes: custom.notes };
}

/** Select and build in one step; `providers` are MeshConfig.extensionProviders (for CUSTOM). */
export function buildAuthzFilters(snapshot: Snapshot, workload: Workload, forTCP: boolean, td: TrustDomainBundle, providers?: readonly ExtensionProvider[]): AuthzFilters {
  const ext = providers ? { providers, lookup: snapshotServiceLookup(snapshot, workload.namespace) } : undefined;
  return buildRbacFilters(selectPolicies(snapshot, workload), forTCP, td, ext);
}
