/**
 * AuthorizationPolicies as xDS RBAC HTTP filters on proxyless gRPC server listeners (gRFC A41),
 * compiled by the same authz builder the sidecar path uses (selection by the workload's
 * namespace and labels, rule compilation, trust domain aliases, principal matching on the
 * certificate's SPIFFE URI via `authenticated.principal_name`), then adapted to what gRPC does:
 *
 * - Filters, before the router, in evaluation order: CUSTOM (as DENY), DENY, ALLOW, named like
 *   Istio's grpcgen (`envoy.filters.http.rbac.DENY`, `envoy.filters.http.rbac`; gRPC requires
 *   unique names). No ALLOW filter when no ALLOW policy applies; an ALLOW filter whose rules
 *   all dropped out denies everything, as on sidecars (Istio's grpcgen leaves it out: allow all).
 * - CUSTOM: gRPC has no ext_authz, so its rules are enforced as DENY rules (fail closed, like a
 *   sidecar whose provider is unusable).
 * - AUDIT: gRPC refuses RBAC action LOG; AUDIT policies have no effect on requests: left out.
 * - `istio.io/dry-run`: gRPC ignores shadow_rules and refuses a filter without `rules`: dry-run
 *   policies are left out, so they enforce nothing (Istio's grpcgen enforces them).
 * - Matchers gRPC cannot evaluate are replaced so DENY never weakens nor ALLOW broadens (rbac-safe.ts).
 * Every one of these is reported as a diagnostic on the policy.
 */
import type { ConfigObject } from '../../model/config.js';
import { buildRbacFilters, isDryRun, RbacType, selectPolicies, trustDomainBundle, type TrustDomainBundle, type Workload } from '../common/authz/index.js';
import type { GrpcContext } from './context.js';
import { grpcSafePolicy, type GrpcRbacAction } from './rbac-safe.js';
import type { Json } from './rds-match.js';

export const GrpcRbacFilterName = Object.freeze({
  Custom: 'envoy.filters.http.rbac.CUSTOM',
  Deny: 'envoy.filters.http.rbac.DENY',
  Allow: 'envoy.filters.http.rbac',
});
/** Istio's policy-name suffix for CUSTOM rules enforced as DENY. */
const BAD_CUSTOM_SUFFIX = '-deny-due-to-bad-CUSTOM-action';

interface Step {
  readonly filterName: string;
  readonly action: GrpcRbacAction;
  readonly policies: readonly ConfigObject[];
  readonly suffix: string;
}

const rulePath = (key: string) => {
  const m = /-rule\[(\d+)\]/.exec(key);
  return m ? `spec.rules[${m[1]}]` : 'spec.rules';
};

/** The enforced RBAC policies one AuthorizationPolicy compiles to, made gRPC-safe; undefined when it enforces nothing. */
function policiesOf(ctx: GrpcContext, p: ConfigObject, step: Step, td: TrustDomainBundle, resource: string): Record<string, Json> | undefined {
  const one = [p];
  const built = buildRbacFilters({ custom: [], audit: [], deny: step.action === 'DENY' ? one : [], allow: step.action === 'ALLOW' ? one : [] }, false, td);
  for (const s of built.skipped) ctx.diags.warn(s.policy, s.path, `authorization rule skipped: ${s.reason}`, resource);
  if (isDryRun(p)) {
    ctx.diags.warn(p, 'metadata.annotations', 'istio.io/dry-run is not evaluated by gRPC servers (no shadow rules): the policy is left out', resource);
    return undefined;
  }
  const rules = (built.filters[0]?.typed_config as Json | undefined)?.rules as { policies?: Record<string, Json> } | undefined;
  if (!rules) return undefined;
  const out: Record<string, Json> = {};
  for (const [key, policy] of Object.entries(rules.policies ?? {})) {
    const safe = grpcSafePolicy(policy, step.action);
    if (safe.unsupported.length > 0) {
      const effect = step.action === 'DENY' ? 'treated as matching, so the DENY rule matches more' : 'treated as not matching, so the ALLOW rule matches less';
      ctx.diags.warn(p, rulePath(key), `gRPC cannot evaluate ${safe.unsupported.join(', ')}: ${effect}`, resource);
    }
    out[key + step.suffix] = safe.policy;
  }
  return out;
}

function filterFor(ctx: GrpcContext, step: Step, td: TrustDomainBundle, resource: string): Json | undefined {
  let enforced = false;
  const policies: Record<string, Json> = {};
  for (const p of step.policies) {
    const built = policiesOf(ctx, p, step, td, resource);
    if (!built) continue;
    enforced = true;
    Object.assign(policies, built);
  }
  if (!enforced) return undefined;
  return { name: step.filterName, typed_config: { '@type': RbacType.Http, rules: { action: step.action, policies } } };
}

/** The RBAC HTTP filters for a gRPC server workload, in order; empty when no policy applies. */
export function serverRbacFilters(ctx: GrpcContext, workload: Workload, resource: string): Json[] {
  const selected = selectPolicies(ctx.snapshot, workload);
  for (const p of selected.audit) ctx.diags.warn(p, 'spec.action', 'AUDIT is not supported by gRPC servers (RBAC action LOG): the policy is left out', resource);
  for (const p of selected.custom) {
    if (!isDryRun(p)) ctx.diags.warn(p, 'spec.provider', 'CUSTOM action (ext_authz) is not supported by gRPC servers: requests matching its rules are denied', resource);
  }
  const td = trustDomainBundle(ctx.mesh.trustDomain, ctx.mesh.trustDomainAliases);
  const steps: Step[] = [
    { filterName: GrpcRbacFilterName.Custom, action: 'DENY', policies: selected.custom, suffix: BAD_CUSTOM_SUFFIX },
    { filterName: GrpcRbacFilterName.Deny, action: 'DENY', policies: selected.deny, suffix: '' },
    { filterName: GrpcRbacFilterName.Allow, action: 'ALLOW', policies: selected.allow, suffix: '' },
  ];
  return steps.map((s) => filterFor(ctx, s, td, resource)).filter((f): f is Json => f !== undefined);
}
