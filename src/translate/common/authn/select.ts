/**
 * The RequestAuthentications that apply to a workload, selected as Istio selects them: those in
 * the workload's namespace, then those in the root namespace (mesh-wide), oldest first within
 * each; a policy applies when its selector is empty or matches the workload's labels, or, with
 * targetRef(s), when it targets the Kubernetes Gateway the workload is a pod of (the same rule
 * as AuthorizationPolicy, whose matcher is reused).
 */
import type { ConfigObject } from '../../../model/config.js';
import { byAge } from '../../../model/registry/build-registry.js';
import type { Snapshot } from '../../../model/snapshot.js';
import type { JWTRule, RequestAuthenticationSpec } from '../../../model/types/security.js';
import { appliesTo, type Workload } from '../authz/select.js';

export const requestAuthnSpec = (c: ConfigObject) => (c.spec ?? {}) as unknown as RequestAuthenticationSpec;

/** One jwtRule with where it came from (for provider naming and diagnostics). */
export interface SourcedJwtRule {
  readonly rule: JWTRule;
  readonly policy: ConfigObject;
  /** Its index in the policy's spec.jwtRules. */
  readonly index: number;
}

export function selectRequestAuthentications(snapshot: Snapshot, w: Workload): readonly ConfigObject[] {
  const root = snapshot.options.rootNamespace;
  const namespaces = root === w.namespace ? [root] : [w.namespace, root];
  return namespaces.flatMap((ns) => [...snapshot.configs.list('RequestAuthentication', ns)].sort(byAge).filter((p) => appliesTo(p, w)));
}

/**
 * Every jwtRule of the selected policies, sorted by issuer (stable, so rules of one issuer keep
 * the selection order) as Istio sorts them before naming providers `origins-<i>`.
 */
export function jwtRulesFor(policies: readonly ConfigObject[]): readonly SourcedJwtRule[] {
  const out: SourcedJwtRule[] = [];
  for (const policy of policies) {
    (requestAuthnSpec(policy).jwtRules ?? []).forEach((rule, index) => {
      if (rule && typeof rule === 'object') out.push({ rule, policy, index });
    });
  }
  const issuer = (r: SourcedJwtRule) => (typeof r.rule.issuer === 'string' ? r.rule.issuer : '');
  return out.sort((a, b) => (issuer(a) < issuer(b) ? -1 : issuer(a) > issuer(b) ? 1 : 0));
}
