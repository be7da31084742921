/**
 * The JWKS resolver against real HTTP servers on 127.0.0.1: what it fetches (jwksUri, OpenID
 * discovery), what it refuses (timeout, oversize, non-2xx, redirects, bad JSON, no keys,
 * blocked addresses — checked once and connected to as checked), and how it refreshes (a
 * failure keeps the last good set; the version moves only on a change).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildSnapshot } from '../../../src/model/snapshot.js';
import type { ConfigObject } from '../../../src/model/config.js';
import { silentLogger } from '../../../src/lib/logger.js';
import { ALWAYS_BLOCKED_JWKS_CIDRS, createJwksResolver, type JwksResolver, type JwksResolverOptions } from '../../../src/bootstrap/jwks-resolver.js';
import { jwksTargets } from '../../../src/bootstrap/jwks-targets.js';
import { waitFor } from '../../helpers/wait-for.js';

const KEYS_A = JSON.stringify({ keys: [{ kty: 'RSA', kid: 'a', e: 'AQAB', n: 'AAAA' }] });
const KEYS_B = JSON.stringify({ keys: [{ kty: 'RSA', kid: 'b', e: 'AQAB', n: 'BBBB' }] });

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

/** A loopback server whose handler the test swaps; counts requests per path. */
async function startServer(handler: Handler): Promise<{ base: string; hits: Map<string, number>; set(h: Handler): void; close(): Promise<void> }> {
  let current = handler;
  const hits = new Map<string, number>();
  const server = http.createServer((req, res) => {
    hits.set(req.url ?? '', (hits.get(req.url ?? '') ?? 0) + 1);
    current(req, res);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    hits,
    set: (h) => void (current = h),
    close: () => new Promise<void>((done) => {
      server.closeAllConnections();
      server.close(() => done());
    }),
  };
}

const send = (status: number, body: string, headers: Record<string, string> = {}): Handler => (_req, res) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(body);
};

function requestAuthn(name: string, jwtRules: Record<string, unknown>[]): ConfigObject {
  return { kind: 'RequestAuthentication', apiVersion: 'security.istio.io/v1', metadata: { name, namespace: 'default' }, spec: { jwtRules } } as unknown as ConfigObject;
}

const snapshotWith = (...objects: ConfigObject[]) => buildSnapshot(objects, undefined);

function resolver(overrides: Partial<JwksResolverOptions> = {}): JwksResolver {
  return createJwksResolver({ logger: silentLogger, refreshIntervalMs: 60_000, blockedCidrs: ['169.254.0.0/16'], ...overrides });
}

async function resolveOne(uri: string, rule: Record<string, unknown> = {}, overrides: Partial<JwksResolverOptions> = {}) {
  const r = resolver(overrides);
  try {
    r.update(snapshotWith(requestAuthn('ra', [{ issuer: 'https://issuer.example', jwksUri: uri, ...rule }])));
    await r.idle();
    return r.get(uri);
  } finally {
    r.close();
  }
}

test('a jwksUri in use is fetched and answered as served; the version moves and listeners hear of it', async () => {
  const server = await startServer(send(200, KEYS_A));
  const r = resolver();
  try {
    const uri = `${server.base}/keys`;
    const before = r.version;
    let heard = 0;
    r.onChange(() => void (heard += 1));
    r.update(snapshotWith(requestAuthn('ra', [{ issuer: 'https://issuer.example', jwksUri: uri }])));
    assert.equal(r.get(uri), undefined, 'pending until fetched');
    await r.idle();
    assert.deepEqual(r.get(uri), { ok: true, jwks: KEYS_A });
    assert.notEqual(r.version, before);
    await waitFor('the change listener', () => heard === 1);
  } finally {
    r.close();
    await server.close();
  }
});

test('timeout (the rule\'s own), oversize, non-2xx, redirects, bad JSON and a body without keys are failures with a reason', async () => {
  const server = await startServer(() => undefined);
  const silent: Handler = () => undefined; // never answers
  try {
    server.set(silent);
    const slow = await resolveOne(`${server.base}/slow`, { timeout: '150ms' });
    assert.equal(slow?.ok, false);
    assert.match(!slow?.ok ? slow!.reason : '', /timed out after 150 ms/);
    server.set(send(200, JSON.stringify({ keys: [{ kty: 'oct', k: 'x'.repeat(500) }] })));
    assert.match(reasonOf(await resolveOne(`${server.base}/big`, {}, { maxBytes: 100 })), /exceeds 100 bytes/);
    server.set(send(503, 'down'));
    assert.match(reasonOf(await resolveOne(`${server.base}/down`)), /HTTP 503/);
    server.set(send(302, '', { location: 'http://169.254.169.254/latest/meta-data' }));
    assert.match(reasonOf(await resolveOne(`${server.base}/moved`)), /HTTP 302 \(redirects are not followed\)/);
    server.set(send(200, '<html>internal page</html>'));
    assert.match(reasonOf(await resolveOne(`${server.base}/html`)), /not JSON/);
    server.set(send(200, JSON.stringify({ secret: 'internal' })));
    assert.match(reasonOf(await resolveOne(`${server.base}/nokeys`)), /not a JWK set \(no "keys" array\)/);
    server.set(send(200, JSON.stringify({ keys: [] })));
    assert.match(reasonOf(await resolveOne(`${server.base}/empty`)), /"keys" is empty/);
  } finally {
    await server.close();
  }
});

function reasonOf(entry: { ok: boolean; reason?: string } | undefined): string {
  assert.ok(entry && !entry.ok, `expected a failure, got ${JSON.stringify(entry)}`);
  return entry.reason ?? '';
}

test('a failed refresh keeps the last good key set (version unchanged); a new set replaces it', async () => {
  const server = await startServer(send(200, KEYS_A));
  const r = resolver({ refreshIntervalMs: 100, retryMinMs: 50, retryMaxMs: 50 });
  const uri = `${server.base}/keys`;
  try {
    r.update(snapshotWith(requestAuthn('ra', [{ issuer: 'https://issuer.example', jwksUri: uri }])));
    await waitFor('the first key set', () => r.get(uri)?.ok);
    const good = r.version;
    server.set(send(500, 'oops'));
    const seen = server.hits.get('/keys')!;
    await waitFor('two failed refreshes', () => server.hits.get('/keys')! >= seen + 2);
    assert.deepEqual(r.get(uri), { ok: true, jwks: KEYS_A });
    assert.equal(r.version, good);
    server.set(send(200, KEYS_B));
    await waitFor('the rotated key set', () => r.get(uri)?.ok && (r.get(uri) as { jwks: string }).jwks === KEYS_B);
    assert.notEqual(r.version, good);
  } finally {
    r.close();
    await server.close();
  }
});

test('a host resolving into a blocked CIDR is refused before any connection', async () => {
  const server = await startServer(send(200, KEYS_A));
  try {
    const refused = await resolveOne(`${server.base}/keys`, {}, { blockedCidrs: ['127.0.0.0/8'] });
    assert.match(reasonOf(refused), /resolves to 127\.0\.0\.1, in blocked range 127\.0\.0\.0\/8/);
    // One blocked address among several is enough to refuse (a DNS answer cannot mix one in).
    const mixed = await resolveOne('http://jwks.test/keys', {}, { resolveHost: async () => [{ address: '10.1.2.3', family: 4 }, { address: '169.254.169.254', family: 4 }] });
    assert.match(reasonOf(mixed), /169\.254\.169\.254, in blocked range 169\.254\.0\.0\/16/);
    const mapped = await resolveOne('http://jwks.test/keys', {}, { resolveHost: async () => [{ address: '::ffff:169.254.169.254', family: 6 }] });
    assert.match(reasonOf(mapped), /blocked range 169\.254\.0\.0\/16/);
    const linkLocal6 = await resolveOne('http://jwks.test/keys', {}, { blockedCidrs: ALWAYS_BLOCKED_JWKS_CIDRS, resolveHost: async () => [{ address: 'fe80::1', family: 6 }] });
    assert.match(reasonOf(linkLocal6), /fe80::1, in blocked range fe80::\/10/);
    const metadataLiteral = await resolveOne('http://169.254.169.254/latest/meta-data', {}, { blockedCidrs: ALWAYS_BLOCKED_JWKS_CIDRS });
    assert.match(reasonOf(metadataLiteral), /169\.254\.169\.254, in blocked range 169\.254\.0\.0\/16/);
    assert.equal(server.hits.get('/keys'), undefined, 'no request reached the server');
  } finally {
    await server.close();
  }
});

test('the connection goes to the address that was checked (no second DNS resolution)', async () => {
  const server = await startServer(send(200, KEYS_A));
  try {
    const port = new URL(server.base).port;
    // jwks.test exists only in this resolveHost: system DNS would fail, so success proves the pin.
    const entry = await resolveOne(`http://jwks.test:${port}/keys`, {}, { resolveHost: async () => [{ address: '127.0.0.1', family: 4 }] });
    assert.deepEqual(entry, { ok: true, jwks: KEYS_A });
  } finally {
    await server.close();
  }
});

test('an issuer without jwks or jwksUri is resolved through OpenID discovery; network fetches are counted', async () => {
  const server = await startServer((req, res) => {
    if (req.url === '/realm/.well-known/openid-configuration') return send(200, JSON.stringify({ issuer: `${server.base}/realm`, jwks_uri: `${server.base}/realm/certs` }))(req, res);
    if (req.url === '/realm/certs') return send(200, KEYS_B)(req, res);
    send(404, '')(req, res);
  });
  const counts = { ok: 0, fail: 0 };
  const r = resolver({ onNetworkFetch: (ok) => void (ok ? counts.ok++ : counts.fail++) });
  try {
    const issuer = `${server.base}/realm`;
    r.update(snapshotWith(requestAuthn('ra', [{ issuer }, { issuer: 'https://inline.example', jwks: KEYS_A }])));
    await r.idle();
    assert.deepEqual(r.get(issuer), { ok: true, jwks: KEYS_B });
    assert.deepEqual(r.get(`${issuer}/.well-known/openid-configuration`), { ok: true, jwks: KEYS_B });
    assert.equal(r.get('https://inline.example'), undefined, 'inline jwks is never fetched');
    assert.deepEqual(counts, { ok: 2, fail: 0 });
  } finally {
    r.close();
    await server.close();
  }
});

test('documents no longer in use are forgotten; a rule\'s longest timeout wins', async () => {
  const server = await startServer(send(200, KEYS_A));
  const r = resolver();
  try {
    const uri = `${server.base}/keys`;
    r.update(snapshotWith(requestAuthn('ra', [{ issuer: 'i', jwksUri: uri }])));
    await r.idle();
    assert.equal(r.get(uri)?.ok, true);
    r.update(snapshotWith());
    assert.equal(r.get(uri), undefined);
    const targets = jwksTargets(snapshotWith(requestAuthn('a', [{ issuer: 'i', jwksUri: uri, timeout: '2s' }]), requestAuthn('b', [{ issuer: 'j', jwksUri: uri, timeout: '7s' }, 'junk' as never])));
    assert.deepEqual([...targets], [[uri, { source: { jwksUri: uri }, timeoutMs: 7000 }]]);
  } finally {
    r.close();
    await server.close();
  }
});
