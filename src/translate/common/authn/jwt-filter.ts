/**
 * RequestAuthentication jwtRules → Envoy's `envoy.filters.http.jwt_authn` HTTP filter, shaped as
 * current Istio emits it with istiod fetching keys (its default): one provider per rule named
 * `origins-<i>` (rules sorted by issuer), the verified payload in dynamic metadata under
 * `payload` (what AuthorizationPolicy's request.auth.* matchers read), `scope` and `permission`
 * (plus the rule's spaceDelimitedClaims) normalized to lists, keys always inlined
 * (local_jwks.inline_string). The requirement rejects an invalid token but lets a request
 * without one through: one provider → any of {provider, allow_missing}; several → any of
 * {each provider, all of {any of {provider_i, allow_missing}}} (the lone-provider alternatives
 * cover providers that read the same header). CORS preflights bypass the filter.
 */
import type { JWTRule } from '../../../model/types/security.js';
import type { Json } from '../authz/matchers.js';
import type { JwksLookup } from './jwks-lookup.js';
import type { SourcedJwtRule } from './select.js';
import { UNVERIFIABLE_JWKS } from './unverifiable-jwks.js';

export const JWT_AUTHN_FILTER = 'envoy.filters.http.jwt_authn';
export const JWT_AUTHN_TYPE = 'type.googleapis.com/envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication';
/** The dynamic-metadata key of the payload (Istio's payload_in_metadata). */
export const JWT_PAYLOAD_KEY = 'payload';
const ALWAYS_SPACE_DELIMITED = ['permission', 'scope'];

/** A jwtRule whose key set could not be inlined as written. */
export interface JwksProblem {
  readonly source: SourcedJwtRule;
  readonly path: string;
  readonly reason: string;
}

export interface JwtFilterResult {
  readonly filter: Json | undefined;
  readonly problems: readonly JwksProblem[];
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string' && s !== '') : []);
const text = (v: unknown): string => (typeof v === 'string' ? v : '');

function spaceDelimited(rule: JWTRule): string[] {
  return [...new Set([...strings(rule.spaceDelimitedClaims), ...ALWAYS_SPACE_DELIMITED])].sort();
}

function tokenLocations(rule: JWTRule): Json {
  const headers = (Array.isArray(rule.fromHeaders) ? rule.fromHeaders : [])
    .filter((h) => h && text(h.name) !== '')
    .map((h) => ({ name: h.name, ...(text(h.prefix) ? { value_prefix: h.prefix } : {}) }));
  const params = strings(rule.fromParams);
  const cookies = strings(rule.fromCookies);
  return {
    ...(headers.length ? { from_headers: headers } : {}),
    ...(params.length ? { from_params: params } : {}),
    ...(cookies.length ? { from_cookies: cookies } : {}),
  };
}

function claimToHeaders(rule: JWTRule): Json {
  const list = (Array.isArray(rule.outputClaimToHeaders) ? rule.outputClaimToHeaders : [])
    .filter((c) => c && text(c.header) !== '' && text(c.claim) !== '')
    .map((c) => ({ header_name: c.header, claim_name: c.claim }));
  return list.length ? { claim_to_headers: list } : {};
}

/** The key set to inline: the rule's own, the fetched one, or the unverifiable one (with why). */
function keySet(s: SourcedJwtRule, jwks: JwksLookup): { inline: string; problem?: JwksProblem } {
  const { rule, index } = s;
  if (text(rule.jwks) !== '') return { inline: rule.jwks! };
  const uri = text(rule.jwksUri);
  // Neither jwks nor jwksUri: the resolver discovers the key set from the issuer's OpenID
  // configuration, and files it under the issuer.
  const key = uri !== '' ? uri : text(rule.issuer);
  const path = uri !== '' ? `spec.jwtRules[${index}].jwksUri` : `spec.jwtRules[${index}].issuer`;
  const entry = key === '' ? undefined : jwks.get(key);
  if (entry?.ok) return { inline: entry.jwks };
  const why = entry ? entry.reason : 'not fetched yet';
  const from = uri !== '' ? uri : `the OpenID configuration of issuer ${key}`;
  const reason = `key set from ${from} is unavailable (${why}): tokens from this issuer are rejected until it is fetched`;
  return { inline: UNVERIFIABLE_JWKS, problem: { source: s, path, reason } };
}

function provider(s: SourcedJwtRule, inline: string, clearRouteCache: boolean): Json {
  const { rule } = s;
  const audiences = strings(rule.audiences);
  return {
    issuer: text(rule.issuer),
    ...(audiences.length ? { audiences } : {}),
    ...(rule.forwardOriginalToken === true ? { forward: true } : {}),
    ...(text(rule.outputPayloadToHeader) ? { forward_payload_header: rule.outputPayloadToHeader } : {}),
    ...tokenLocations(rule),
    local_jwks: { inline_string: inline },
    payload_in_metadata: JWT_PAYLOAD_KEY,
    normalize_payload_in_metadata: { space_delimited_claims: spaceDelimited(rule) },
    ...claimToHeaders(rule),
    ...(clearRouteCache ? { clear_route_cache: true } : {}),
  };
}

const byName = (name: string): Json => ({ provider_name: name });
const anyOf = (requirements: Json[]): Json => ({ requires_any: { requirements } });

function requirement(names: readonly string[]): Json {
  const optional = names.map((n) => anyOf([byName(n), { allow_missing: {} }]));
  if (optional.length === 1) return optional[0]!;
  return anyOf([...names.map(byName), { requires_all: { requirements: optional } }]);
}

/**
 * The jwt_authn filter for these rules (already sorted by issuer), or none without rules.
 * `clearRouteCache`: Istio sets it on gateways (routes may match on claims there), not sidecars.
 */
export function buildJwtFilter(rules: readonly SourcedJwtRule[], jwks: JwksLookup, clearRouteCache: boolean): JwtFilterResult {
  if (rules.length === 0) return { filter: undefined, problems: [] };
  const providers: Record<string, Json> = {};
  const problems: JwksProblem[] = [];
  rules.forEach((s, i) => {
    const keys = keySet(s, jwks);
    if (keys.problem) problems.push(keys.problem);
    providers[`origins-${i}`] = provider(s, keys.inline, clearRouteCache);
  });
  const typed = {
    '@type': JWT_AUTHN_TYPE,
    providers,
    rules: [{ match: { prefix: '/' }, requires: requirement(Object.keys(providers)) }],
    bypass_cors_preflight: true,
  };
  return { filter: { name: JWT_AUTHN_FILTER, typed_config: typed }, problems };
}
