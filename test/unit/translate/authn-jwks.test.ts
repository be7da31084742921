/**
 * The key material the jwt_authn filter inlines is usable: with `jose` standing in for Envoy's
 * verifier (a provider's local_jwks, issuer and audiences), a token signed by a key of the
 * inlined set verifies, and one signed by another key, or with another issuer or audience, does
 * not. The unverifiable key set parses as a JWK set yet verifies nothing. The requirement tree,
 * evaluated as Envoy does, lets requests without a token through and rejects invalid tokens.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLocalJWKSet, exportJWK, generateKeyPair, jwtVerify, SignJWT, type CryptoKey, type JWK } from 'jose';
import type { ConfigObject } from '../../../src/model/config.js';
import type { JWTRule } from '../../../src/model/types/security.js';
import { buildJwtFilter, jwtRulesFor, UNVERIFIABLE_JWKS, type JwksLookup } from '../../../src/translate/common/authn/index.js';

type Json = Record<string, any>;

const ISSUER = 'https://issuer.example.com';

async function keyPair(kid: string): Promise<{ privateKey: CryptoKey; jwk: JWK }> {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  return { privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256' } };
}

function sign(key: CryptoKey, kid: string, claims: { iss?: string; aud?: string; sub?: string }): Promise<string> {
  return new SignJWT({}).setProtectedHeader({ alg: 'RS256', kid }).setIssuer(claims.iss ?? ISSUER).setAudience(claims.aud ?? 'api')
    .setSubject(claims.sub ?? 'alice').setIssuedAt().setExpirationTime('5m').sign(key);
}

function policy(rules: JWTRule[]): ConfigObject {
  return { kind: 'RequestAuthentication', apiVersion: 'security.istio.io/v1', metadata: { name: 'jwt', namespace: 'default' }, spec: { jwtRules: rules } } as unknown as ConfigObject;
}

function providersOf(rules: JWTRule[], jwks: JwksLookup): Json {
  const built = buildJwtFilter(jwtRulesFor([policy(rules)]), jwks, false);
  assert.ok(built.filter, 'a jwt_authn filter');
  return (built.filter.typed_config as Json).providers as Json;
}

/** Envoy's check of one provider: signature against local_jwks, then issuer and audiences. */
async function verifies(provider: Json, token: string): Promise<boolean> {
  const set = createLocalJWKSet(JSON.parse(provider.local_jwks.inline_string));
  const audience = provider.audiences as string[] | undefined;
  try {
    await jwtVerify(token, set, { issuer: provider.issuer, ...(audience ? { audience } : {}) });
    return true;
  } catch {
    return false;
  }
}

const lookupOf = (entries: Record<string, string>): JwksLookup => ({ get: (uri) => (uri in entries ? { ok: true, jwks: entries[uri]! } : { ok: false, reason: 'refused' }), version: '1' });

test('authn: a token signed by an inlined key verifies; other key, issuer or audience does not', async () => {
  const good = await keyPair('good');
  const other = await keyPair('good'); // same kid, different key: the signature decides
  const provider = providersOf([{ issuer: ISSUER, audiences: ['api'], jwks: JSON.stringify({ keys: [good.jwk] }) }], lookupOf({}))['origins-0'];
  assert.equal(await verifies(provider, await sign(good.privateKey, 'good', {})), true);
  assert.equal(await verifies(provider, await sign(other.privateKey, 'good', {})), false);
  assert.equal(await verifies(provider, await sign(good.privateKey, 'good', { iss: 'https://evil.example.com' })), false);
  assert.equal(await verifies(provider, await sign(good.privateKey, 'good', { aud: 'web' })), false);
});

test('authn: a jwksUri key set is inlined from the lookup; a failed one verifies nothing', async () => {
  const key = await keyPair('k1');
  const uri = 'https://issuer.example.com/jwks';
  const rule: JWTRule = { issuer: ISSUER, jwksUri: uri };
  const fetched = providersOf([rule], lookupOf({ [uri]: JSON.stringify({ keys: [key.jwk] }) }))['origins-0'];
  const token = await sign(key.privateKey, 'k1', {});
  assert.equal(await verifies(fetched, token), true);
  const failed = providersOf([rule], lookupOf({}))['origins-0'];
  assert.equal(failed.local_jwks.inline_string, UNVERIFIABLE_JWKS);
  assert.equal(await verifies(failed, token), false);
  assert.equal(await verifies(failed, await sign(key.privateKey, 'istiod-ts-unverifiable', {})), false);
});

test('authn: the unverifiable key set is a well-formed RSA JWK set (Envoy accepts it)', async () => {
  const set = JSON.parse(UNVERIFIABLE_JWKS) as { keys: JWK[] };
  assert.equal(set.keys.length, 1);
  assert.equal(set.keys[0]!.kty, 'RSA');
  assert.equal(set.keys[0]!.d, undefined, 'no private part');
  assert.ok(Buffer.from(set.keys[0]!.n!, 'base64url').length >= 256, '2048-bit modulus');
  const { importJWK } = await import('jose');
  await importJWK(set.keys[0]!, 'RS256');
});

/** Envoy's JwtRequirement: `tokens` maps provider → verification result for the token it found. */
function satisfied(req: Json, tokens: Record<string, 'valid' | 'invalid'>): boolean {
  if (req.provider_name) return tokens[req.provider_name] === 'valid';
  if (req.allow_missing) return Object.keys(tokens).length === 0;
  if (req.requires_any) return (req.requires_any.requirements as Json[]).some((r) => satisfied(r, tokens));
  if (req.requires_all) return (req.requires_all.requirements as Json[]).every((r) => satisfied(r, tokens));
  throw new Error(`unknown requirement ${JSON.stringify(req)}`);
}

test('authn: requirements let requests without a token pass and reject invalid tokens (one and several issuers)', () => {
  for (const issuers of [['a'], ['a', 'b', 'c']]) {
    const built = buildJwtFilter(jwtRulesFor([policy(issuers.map((i) => ({ issuer: i, jwks: '{"keys":[]}' })))]), lookupOf({}), false);
    const typed = built.filter!.typed_config as Json;
    assert.equal(typed.bypass_cors_preflight, true);
    const req = typed.rules[0].requires as Json;
    const names = Object.keys(typed.providers as Json);
    assert.equal(satisfied(req, {}), true, `${issuers.length}: no token passes`);
    for (const n of names) {
      assert.equal(satisfied(req, { [n]: 'valid' }), true, `${n}: valid passes`);
      assert.equal(satisfied(req, { [n]: 'invalid' }), false, `${n}: invalid is rejected`);
    }
    if (names.length > 1) assert.equal(satisfied(req, { [names[0]!]: 'valid', [names[1]!]: 'invalid' }), true, 'a shared location: one valid provider is enough');
  }
});
