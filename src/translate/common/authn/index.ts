/** RequestAuthentication → Envoy jwt_authn: selection and filter building (pure). */
export { buildAuthnFilters, type AuthnFilters } from './build.js';
export { buildJwtFilter, JWT_AUTHN_FILTER, JWT_AUTHN_TYPE, JWT_PAYLOAD_KEY, type JwksProblem, type JwtFilterResult } from './jwt-filter.js';
export { EMPTY_JWKS, type JwksEntry, type JwksLookup } from './jwks-lookup.js';
export { jwtRulesFor, requestAuthnSpec, selectRequestAuthentications, type SourcedJwtRule } from './select.js';
export { UNVERIFIABLE_JWKS } from './unverifiable-jwks.js';
