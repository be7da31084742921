import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { createJwtAuthenticator, parseJwtRule, type JwtRule } from '../../../src/security/authn/index.js';

const ISSUER = 'https://issuer.example';
let signingKey: CryptoKey;
let otherKey: CryptoKey;
let publicJwk: JWK;
let jwksServer: Server;
let jwksUrl: string;
let jwksFetches = 0;

before(async () => {
  const pair = await generateKeyPair('ES256');
  signingKey = pair.privateKey;
  otherKey = (await generateKeyPair('ES256')).privateKey;
  publicJwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256' };
  jwksServer = createServer((req, res) => {
    if (req.url === '/huge') return void res.end(JSON.stringify({ keys: [publicJwk], pad: 'x'.repeat(50_000) }));
    jwksFetches++;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ keys: [publicJwk] }));
  });
  await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
  jwksUrl = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/jwks`;
});
after(() => new Promise<void>((resolve) => jwksServer.close(() => resolve())));

interface Claims { iss?: string; aud?: string; sub?: string; exp?: number }

async function token(claims: Claims, key = signingKey): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const jwt = new SignJWT({}).setProtectedHeader({ alg: 'ES256', kid: 'k1' }).setIssuedAt(now).setExpirationTime(claims.exp ?? now + 600);
  if (claims.iss !== undefined) jwt.setIssuer(claims.iss);
  if (claims.aud !== undefined) jwt.setAudience(claims.aud);
  if (claims.sub !== undefined) jwt.setSubject(claims.sub);
  return jwt.sign(key);
}

function rule(extra: Partial<JwtRule> = {}): JwtRule {
  const parsed = parseJwtRule(JSON.stringify({ issuer: ISSUER, audiences: ['istio-ca'], jwks: JSON.stringify({ keys: [publicJwk] }), ...extra }));
  assert.ok(parsed.ok, JSON.stringify(parsed));
  return parsed.value;
}

const good: Claims = { iss: ISSUER, aud: 'istio-ca', sub: 'system:serviceaccount:foo:bar' };

test('a JWT from the rule\'s issuer and audience with a service-account sub yields that identity', async () => {
  const result = await createJwtAuthenticator({ rule: rule() }).authenticate({ authorization: [`Bearer ${await token(good)}`] });
  assert.deepEqual(result, { ok: true, value: { identity: { namespace: 'foo', serviceAccount: 'bar' }, method: 'jwt' } });
});

test('refused: wrong issuer, wrong audience, expired, foreign signature, sub with too few or too many parts, no sub', async () => {
  const authn = createJwtAuthenticator({ rule: rule() });
  const cases: Record<string, string> = {
    'wrong issuer': await token({ ...good, iss: 'https://evil.example' }),
    'wrong audience': await token({ ...good, aud: 'someone-else' }),
    expired: await token({ ...good, exp: Math.floor(Date.now() / 1000) - 3600 }),
    'foreign key': await token(good, otherKey),
    'sub too few parts': await token({ ...good, sub: 'system:serviceaccount:foo' }),
    'sub too many parts': await token({ ...good, sub: 'system:serviceaccount:foo:bar:baz' }),
    'sub not a service account': await token({ ...good, sub: 'alice@example.com' }),
    'no sub': await token({ iss: ISSUER, aud: 'istio-ca' }),
    'not a JWT': 'garbage',
    'alg none': `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ ...good, exp: 2e9 })).toString('base64url')}.`,
  };
  for (const [name, jwt] of Object.entries(cases)) {
    const result = await authn.authenticate({ authorization: [`Bearer ${jwt}`] });
    assert.equal(result?.ok, false, name);
  }
});

test('jwksUri: fetched once and cached; a too-large key set is refused', async () => {
  const before = jwksFetches;
  const authn = createJwtAuthenticator({ rule: rule({ jwks: undefined, jwksUri: jwksUrl }) });
  for (let i = 0; i < 3; i++) assert.equal((await authn.authenticate({ authorization: [`Bearer ${await token(good)}`] }))?.ok, true);
  assert.equal(jwksFetches - before, 1);
  const huge = createJwtAuthenticator({ rule: rule({ jwks: undefined, jwksUri: jwksUrl.replace('/jwks', '/huge') }), jwksFetch: { maxBytes: 10_000 } });
  const result = await huge.authenticate({ authorization: [`Bearer ${await token(good)}`] });
  assert.equal(result?.ok, false);
  assert.match(result!.ok ? '' : result!.errors[0]!, /exceeds 10000 bytes/);
});

test('JWT_RULE parsing names the field at fault', () => {
  const problems = {
    'not json': parseJwtRule('{'),
    array: parseJwtRule('[]'),
    'no issuer': parseJwtRule('{"jwksUri":"https://x/jwks"}'),
    'no keys': parseJwtRule('{"issuer":"i"}'),
    'bad uri': parseJwtRule('{"issuer":"i","jwksUri":"ftp://x"}'),
    'bad audiences': parseJwtRule('{"issuer":"i","jwksUri":"https://x","audiences":"istio-ca"}'),
    'bad jwks': parseJwtRule('{"issuer":"i","jwks":"{\\"keys\\":[]}"}'),
  };
  for (const [name, result] of Object.entries(problems)) assert.equal(result.ok, false, name);
  assert.match(problems['no issuer'].ok ? '' : problems['no issuer'].errors[0]!, /JWT_RULE\.issuer/);
  const defaults = parseJwtRule('{"issuer":"i","jwksUri":"https://x/jwks"}');
  assert.deepEqual(defaults.ok && defaults.value.audiences, ['istio-ca']);
});
