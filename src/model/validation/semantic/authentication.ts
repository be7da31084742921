/** PeerAuthentication and RequestAuthentication. */
import type { ConfigObject } from '../../config.js';
import { invalid, issue, required, type ValidationIssue } from '../../../lib/issue.js';
import { arr, entries, isObj, present, str, at, type Obj, checkDuration, checkHeaderName, validateAttachment, validateSelector } from '../rules/index.js';
import type { SemanticContext } from './index.js';

function specOf(obj: ConfigObject): Obj {
  return isObj(obj.spec) ? obj.spec : {};
}

export function validatePeerAuthentication(obj: ConfigObject, _ctx: SemanticContext): ValidationIssue[] {
  const spec = specOf(obj);
  const out: ValidationIssue[] = [];
  const selector = isObj(spec.selector) ? spec.selector : undefined;
  const emptySelector = !selector || entries(selector.matchLabels).length === 0;
  const ports = entries(spec.portLevelMtls);
  if (emptySelector && ports.length > 0) out.push(issue('spec.portLevelMtls', 'Forbidden', 'portLevelMtls requires selector: mesh/namespace peer authentication cannot have port level mTLS'));
  if (present(spec.portLevelMtls) && ports.length === 0) out.push(required('spec.portLevelMtls', 'port level mTLS, if defined, must have at least one element'));
  for (const [port] of ports) {
    const n = /^\d+$/.test(port) ? Number(port) : 0;
    if (n <= 0 || n > 65535) out.push(invalid(at('spec.portLevelMtls', port), port, 'port must be between 1-65535'));
  }
  out.push(...validateSelector('spec.selector', spec.selector, 'matchLabels'));
  return out;
}

function validateJwks(path: string, jwks: string): ValidationIssue[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(jwks);
  } catch (err) {
    return [invalid(path, jwks, `jwks parse error: ${err instanceof Error ? err.message : String(err)}`)];
  }
  const keys = isObj(parsed) && Array.isArray(parsed.keys) ? parsed.keys : isObj(parsed) && 'kty' in parsed ? [parsed] : undefined;
  if (!keys) return [invalid(path, jwks, 'jwks parse error: expected a JWK or a JWK set ({"keys": [...]})')];
  const bad = keys.findIndex((k) => !isObj(k) || typeof k.kty !== 'string' || k.kty === '');
  return bad >= 0 ? [invalid(path, jwks, `jwks parse error: key #${bad} has no "kty"`)] : [];
}

function validateJwksUri(path: string, uri: string): ValidationIssue[] {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return [invalid(path, uri, 'jwksUri is not a valid URL (url must have scheme http or https)')];
  }
  return url.protocol === 'http:' || url.protocol === 'https:' ? [] : [invalid(path, uri, `URI scheme "${url.protocol.slice(0, -1)}" is not supported`)];
}

function validateJwtRule(path: string, rule: unknown): ValidationIssue[] {
  if (!isObj(rule)) return [];
  const out: ValidationIssue[] = [];
  if (str(rule.issuer) === '') out.push(required(at(path, 'issuer'), 'issuer must be set'));
  arr(rule.audiences).forEach((a, i) => {
    if (str(a) === '') out.push(invalid(at(path, 'audiences', i), '', 'audience must be non-empty string'));
  });
  if (str(rule.jwksUri) !== '') out.push(...validateJwksUri(at(path, 'jwksUri'), str(rule.jwksUri)));
  if (str(rule.jwks) !== '') out.push(...validateJwks(at(path, 'jwks'), str(rule.jwks)));
  arr(rule.fromHeaders).forEach((h, i) => {
    if (!isObj(h) || str(h.name) === '') out.push(required(at(path, 'fromHeaders', i, 'name'), 'location header name must be non-empty string'));
  });
  arr(rule.fromParams).forEach((q, i) => {
    if (str(q) === '') out.push(invalid(at(path, 'fromParams', i), '', 'location query must be non-empty string'));
  });
  arr(rule.fromCookies).forEach((c, i) => {
    if (str(c) === '') out.push(invalid(at(path, 'fromCookies', i), '', 'cookie name must be non-empty string'));
  });
  arr(rule.outputClaimToHeaders).forEach((c, i) => {
    const p = at(path, 'outputClaimToHeaders', i);
    if (!isObj(c) || str(c.claim) === '' || str(c.header) === '') return void out.push(required(p, 'outputClaimToHeaders header and claim value must be non-empty string'));
    const err = checkHeaderName(str(c.header));
    if (err) out.push(invalid(at(p, 'header'), c.header, err));
  });
  out.push(...checkDuration(at(path, 'timeout'), rule.timeout));
  return out;
}

export function validateRequestAuthentication(obj: ConfigObject, _ctx: SemanticContext): ValidationIssue[] {
  const spec = specOf(obj);
  return [
    ...validateAttachment(spec),
    ...validateSelector('spec.selector', spec.selector, 'matchLabels'),
    ...arr(spec.jwtRules).flatMap((r, i) => validateJwtRule(at('spec.jwtRules', i), r)),
  ];
}
