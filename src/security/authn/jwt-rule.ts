/**
 * Istio's JWTRule in its JSON form, as the JWT_RULE env var carries it for off-cluster and
 * file-mode CAs: `{"issuer": "...", "audiences": [...], "jwksUri": "..."}` or an inline `jwks`
 * (a JSON string, as in RequestAuthentication, or an object). Validated into a frozen value.
 */
import { fail, ok, type Result } from '../../lib/result.js';
import { CA_AUDIENCE } from './token-review.js';

export interface JwtRule {
  readonly issuer: string;
  /** Accepted `aud` values; istio-ca when the rule names none. */
  readonly audiences: readonly string[];
  readonly jwksUri?: string;
  /** An inline JSON Web Key Set. */
  readonly jwks?: { readonly keys: readonly object[] };
}

type Fields = Record<string, unknown>;

function parseJwks(value: unknown): Result<{ keys: object[] }, string> {
  let jwks = value;
  if (typeof value === 'string') {
    try {
      jwks = JSON.parse(value);
    } catch (error) {
      return fail(`JWT_RULE.jwks: not JSON (${(error as Error).message})`);
    }
  }
  const keys = (jwks as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys) || keys.length === 0 || !keys.every((k) => typeof k === 'object' && k !== null)) {
    return fail('JWT_RULE.jwks: must be a JSON Web Key Set with a non-empty "keys" array of objects');
  }
  return ok({ keys: keys as object[] });
}

function parseJwksUri(value: unknown): Result<string, string> {
  if (typeof value !== 'string' || value === '') return fail('JWT_RULE.jwksUri: must be a non-empty string');
  try {
    const url = new URL(value);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return fail(`JWT_RULE.jwksUri: scheme ${url.protocol} is not http or https`);
  } catch {
    return fail(`JWT_RULE.jwksUri: ${JSON.stringify(value)} is not a URL`);
  }
  return ok(value);
}

function parseAudiences(value: unknown): Result<string[], string> {
  if (value === undefined || value === null) return ok([CA_AUDIENCE]);
  if (!Array.isArray(value) || !value.every((a) => typeof a === 'string' && a !== '')) return fail('JWT_RULE.audiences: must be an array of non-empty strings');
  return ok(value.length > 0 ? (value as string[]) : [CA_AUDIENCE]);
}

function parseKeySource(rule: Fields): Result<Pick<JwtRule, 'jwks' | 'jwksUri'>, string> {
  if (rule.jwks !== undefined && rule.jwks !== '') {
    const jwks = parseJwks(rule.jwks);
    return jwks.ok ? ok({ jwks: jwks.value }) : jwks;
  }
  if (rule.jwksUri !== undefined || rule.jwks_uri !== undefined) {
    const uri = parseJwksUri(rule.jwksUri ?? rule.jwks_uri);
    return uri.ok ? ok({ jwksUri: uri.value }) : uri;
  }
  return fail('JWT_RULE: one of jwksUri or jwks is required (OIDC discovery from the issuer is not supported)');
}

/** Parses the JWT_RULE env value; errors name the field. */
export function parseJwtRule(text: string): Result<JwtRule, string> {
  let rule: unknown;
  try {
    rule = JSON.parse(text);
  } catch (error) {
    return fail(`JWT_RULE: not JSON (${(error as Error).message})`);
  }
  if (typeof rule !== 'object' || rule === null || Array.isArray(rule)) return fail('JWT_RULE: must be a JSON object (one JWTRule)');
  const fields = rule as Fields;
  if (typeof fields.issuer !== 'string' || fields.issuer === '') return fail('JWT_RULE.issuer: must be a non-empty string');
  const audiences = parseAudiences(fields.audiences);
  if (!audiences.ok) return audiences;
  const keys = parseKeySource(fields);
  if (!keys.ok) return keys;
  return ok(Object.freeze({ issuer: fields.issuer, audiences: Object.freeze(audiences.value), ...keys.value }));
}
