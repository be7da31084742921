/**
 * One JWKS fetch for a RequestAuthentication rule, as istiod does it before inlining the key set
 * into Envoy's jwt_authn config: GET the jwksUri, or — for a rule with an issuer but neither
 * jwks nor jwksUri — GET `<issuer>/.well-known/openid-configuration` and then its `jwks_uri`.
 * Every GET goes through fetchSmallText's guards (the discovered jwks_uri is checked like any
 * other), and the body must be a JWK set, so an internal page can never be inlined into proxy
 * config and read back from a config dump.
 */
import { fetchSmallJsonDocument, type SmallFetchOptions } from './jwks-fetch.js';

/** OpenID Connect Discovery 1.0 §4: the issuer + this path. */
export const OPENID_CONFIGURATION_SUFFIX = '/.well-known/openid-configuration';

export type JwksSource = { readonly jwksUri: string } | { readonly issuer: string };

export interface JwksFetchOptions extends SmallFetchOptions {
  /** Called once per network GET (Istio's pilot_jwks_resolver_network_fetch_{success,fail}_total). */
  readonly onNetworkFetch?: (ok: boolean) => void;
}

/** Why `value` is not a usable JWK set, or undefined when it is. */
export function jwksProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not a JSON object';
  const keys = (value as { keys?: unknown }).keys;
  if (!Array.isArray(keys)) return 'no "keys" array';
  if (keys.length === 0) return '"keys" is empty';
  const bad = keys.findIndex((k) => typeof k !== 'object' || k === null || typeof (k as { kty?: unknown }).kty !== 'string');
  return bad >= 0 ? `key #${bad} has no "kty"` : undefined;
}

/** The OpenID discovery document's URL for an issuer (one trailing slash dropped, as the spec says). */
export function openIdConfigurationUrl(issuer: string): string {
  return `${issuer.replace(/\/$/, '')}${OPENID_CONFIGURATION_SUFFIX}`;
}

async function counted<T>(options: JwksFetchOptions, work: Promise<T>): Promise<T> {
  try {
    const value = await work;
    options.onNetworkFetch?.(true);
    return value;
  } catch (error) {
    options.onNetworkFetch?.(false);
    throw error;
  }
}

async function discoverJwksUri(issuer: string, options: JwksFetchOptions): Promise<string> {
  const url = openIdConfigurationUrl(issuer);
  const { value } = await counted(options, fetchSmallJsonDocument(url, options));
  const jwksUri = typeof value === 'object' && value !== null ? (value as { jwks_uri?: unknown }).jwks_uri : undefined;
  if (typeof jwksUri !== 'string' || jwksUri === '') throw new Error(`GET ${url}: no "jwks_uri" string in the OpenID configuration`);
  return jwksUri;
}

/** The JWKS text (as served) for `source`; rejects with a message naming the URL and the reason. */
export async function fetchJwks(source: JwksSource, options: JwksFetchOptions): Promise<string> {
  const uri = 'jwksUri' in source ? source.jwksUri : await discoverJwksUri(source.issuer, options);
  const { text, value } = await counted(options, fetchSmallJsonDocument(uri, options));
  const problem = jwksProblem(value);
  if (problem) throw new Error(`GET ${uri}: not a JWK set (${problem})`);
  return text;
}
