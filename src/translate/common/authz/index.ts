/** AuthorizationPolicy → Envoy RBAC: selection, rule compilation and filter building (pure). */
export { buildAuthzFilters, buildRbacFilters, isDryRun, policyName, RbacFilterName, RbacType, ShadowStatPrefix, TCP_STAT_PREFIX, type AuthzFilters, type SkippedRule } from './build.js';
export { compileRule, MATCH_NEVER, type RbacAction, type RuleContext, type RuleResult } from './rule.js';
export { appliesTo, hasAny, selectPolicies, type SelectedPolicies, type Workload } from './select.js';
export { trustDomainBundle, withTrustDomainAliases, type TrustDomainBundle } from './trust-domain.js';
export { namespaceRegex, serviceAccountRegex } from './attributes.js';
