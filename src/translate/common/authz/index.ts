/** AuthorizationPolicy → Envoy RBAC: selection, rule compilation and filter building (pure). */
export { buildAuthzFilters, buildRbacFilters, isDryRun, policyName, RbacFilterName, RbacType, ShadowStatPrefix, TCP_STAT_PREFIX, type AuthzFilters, type SkippedRule } from './build.js';
export { BAD_CUSTOM_SUFFIX, snapshotServiceLookup, type CustomNote, type ExtAuthzContext } from './custom.js';
export { EXT_AUTHZ_MATCH_PREFIX, EXT_AUTHZ_METADATA_KEY, EXT_AUTHZ_SHADOW_STAT_PREFIX, ExtAuthzFilterName, ExtAuthzType, resolveExtAuthzProvider, type ServiceLookup } from './ext-authz-provider.js';
export { compileRule, MATCH_NEVER, type RbacAction, type RuleContext, type RuleResult } from './rule.js';
export { appliesTo, hasAny, selectPolicies, type SelectedPolicies, type Workload } from './select.js';
export { trustDomainBundle, withTrustDomainAliases, type TrustDomainBundle } from './trust-domain.js';
export { namespaceRegex, serviceAccountRegex } from './attributes.js';
