import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { SignJWT } from 'jose';
import { createCsr } from '../../../src/security/ca/index.js';
import { caServiceDefinition } from '../../../src/serve/ca-proto.js';
import { MAX_CA_REQUEST_BYTES, TlsOnlyServer, bindTls } from '../../../src/serve/ca-secure-server.js';
import { registerCaService } from '../../../src/serve/ca-service.js';
import { createCallerAuthenticator } from '../../../src/security/authn/index.js';
import { nodeVerifyChain, opensslVerify, pemOf, testKeys } from '../../helpers/ca-fixtures.js';
import { loopbackServingCert } from '../../helpers/fake-kube-api.js';
import { JWT_ISSUER, TRUST_DOMAIN, startCaHarness, type CaHarness } from './harness.js';

let h: CaHarness;
let csr: string;
const REVIEWS = `spiffe://${TRUST_DOMAIN}/ns/bookinfo/sa/reviews`;
const bearer = (token: string) => ({ metadata: { authorization: `Bearer ${token}` } });

async function jwt(claims: { iss?: string; aud?: string; sub?: string; expOffset?: number }): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ iss: claims.iss ?? JWT_ISSUER, aud: claims.aud ?? 'istio-ca', sub: claims.sub ?? 'system:serviceaccount:bookinfo:reviews' })
    .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
    .setIssuedAt(now)
    .setExpirationTime(now + (claims.expOffset ?? 600))
    .sign(h.jwtKey);
}

before(async () => {
  h = await startCaHarness();
  // The CSR claims another namespace's identity, a wildcard DNS name and CA:TRUE: none may survive.
  csr = createCsr(testKeys.p256(), { uris: [`spiffe://${TRUST_DOMAIN}/ns/kube-system/sa/admin`], dnsNames: ['*.example.com'], requestCa: true });
});
after(() => h.close());

function leafSans(chain: readonly string[]): string | undefined {
  return new X509Certificate(chain[0]!).subjectAltName;
}

test('a token-authenticated caller gets a chain whose only SAN is its own identity, whatever the CSR asked', async () => {
  const result = await h.call({ csr, validity_duration: 3600 }, bearer('reviews-token'));
  assert.ok(result.ok, JSON.stringify(result));
  assert.equal(leafSans(result.chain), `URI:${REVIEWS}`);
  assert.equal(new X509Certificate(result.chain[0]!).ca, false);
  assert.equal(result.chain.at(-1), h.ca.roots()[0], 'root last');
  nodeVerifyChain(result.chain);
  assert.ok(opensslVerify(result.chain).ok);
});

test('a JWT_RULE-authenticated caller (file mode) gets its sub identity', async () => {
  const result = await h.call({ csr }, bearer(await jwt({ sub: 'system:serviceaccount:ratings:ratings-sa' })));
  assert.ok(result.ok, JSON.stringify(result));
  assert.equal(leafSans(result.chain), `URI:spiffe://${TRUST_DOMAIN}/ns/ratings/sa/ratings-sa`);
});

test('hostile battery: each refused with the right status, opaque authentication errors, nothing issued', async () => {
  const fourMiB = 4 * 1024 * 1024;
  // csr field: tag (1 byte) + 4-byte length varint + payload = the whole message.
  const sized = (total: number) => `-----BEGIN CERTIFICATE REQUEST-----${'A'.repeat(total - 5 - 70)}-----END CERTIFICATE REQUEST-----`;
  assert.equal(MAX_CA_REQUEST_BYTES, fourMiB);
  const cases: Array<[string, Parameters<CaHarness['call']>, grpc.status]> = [
    ['no credentials', [{ csr }], grpc.status.UNAUTHENTICATED],
    ['token the TokenReview rejects', [{ csr }, bearer('stolen-or-made-up')], grpc.status.UNAUTHENTICATED],
    ['token for the API server audience, not istio-ca', [{ csr }, bearer('api-audience-token')], grpc.status.UNAUTHENTICATED],
    ['non-service-account user', [{ csr }, bearer('user-token')], grpc.status.UNAUTHENTICATED],
    ['JWT with wrong issuer', [{ csr }, bearer(await jwt({ iss: 'https://evil.example' }))], grpc.status.UNAUTHENTICATED],
    ['JWT with wrong audience', [{ csr }, bearer(await jwt({ aud: 'other' }))], grpc.status.UNAUTHENTICATED],
    ['expired JWT', [{ csr }, bearer(await jwt({ expOffset: -3600 }))], grpc.status.UNAUTHENTICATED],
    ['JWT sub with too few parts', [{ csr }, bearer(await jwt({ sub: 'system:serviceaccount:bookinfo' }))], grpc.status.UNAUTHENTICATED],
    ['x-forwarded-client-cert from 127.0.0.1', [{ csr }, { metadata: { 'x-forwarded-client-cert': `By=spiffe://${TRUST_DOMAIN}/ns/istio-system/sa/istiod;URI=${REVIEWS}` } }], grpc.status.UNAUTHENTICATED],
    ['garbage PEM', [{ csr: 'garbage' }, bearer('reviews-token')], grpc.status.INVALID_ARGUMENT],
    ['wrong PEM type', [{ csr: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n' }, bearer('reviews-token')], grpc.status.INVALID_ARGUMENT],
    ['TTL above the maximum', [{ csr, validity_duration: 90 * 86400 + 1 }, bearer('reviews-token')], grpc.status.INVALID_ARGUMENT],
    ['exactly 4 MiB reaches the CA (and is refused there)', [{ csr: sized(fourMiB) }, bearer('reviews-token')], grpc.status.INVALID_ARGUMENT],
    ['4 MiB + 1', [{ csr: sized(fourMiB + 1) }, bearer('reviews-token')], grpc.status.RESOURCE_EXHAUSTED],
  ];
  const issuedBefore = h.issued();
  const authnFailuresBefore = h.counts.authenticationFailed;
  for (const [name, args, code] of cases) {
    const result = await h.call(...args);
    assert.equal(result.ok, false, `${name}: must be refused`);
    if (result.ok) continue;
    assert.equal(grpc.status[result.code], grpc.status[code], `${name}: ${result.details}`);
    if (code === grpc.status.UNAUTHENTICATED) assert.equal(result.details, 'request authenticate failure', `${name}: the reason must not leak`);
  }
  assert.equal(h.issued(), issuedBefore, 'no certificate issued');
  assert.equal(h.counts.authenticationFailed - authnFailuresBefore, cases.filter(([, , c]) => c === grpc.status.UNAUTHENTICATED).length);
  const reasons = JSON.stringify(h.logs.filter((l) => l.msg === 'CSR caller authentication failed'));
  assert.match(reasons, /not authenticated/, 'the reason goes to the log');
  assert.doesNotMatch(reasons, /stolen-or-made-up|reviews-token/, 'tokens never reach the log');
});

test('renewal: a certificate this CA issued authenticates the next request; a foreign one does not', async () => {
  const key = testKeys.p256b();
  const first = await h.call({ csr: createCsr(key) }, bearer('reviews-token'));
  assert.ok(first.ok);
  const clientCert = { certChainPem: first.chain.slice(0, -1).join(''), keyPem: pemOf(key.privateKey) };
  const renewed = await h.call({ csr: createCsr(testKeys.p256()) }, { clientCert });
  assert.ok(renewed.ok, JSON.stringify(renewed));
  assert.equal(leafSans(renewed.chain), `URI:${REVIEWS}`);
  const foreign = loopbackServingCert();
  const refused = await h.call({ csr }, { clientCert: { certChainPem: foreign.certPem, keyPem: foreign.keyPem } });
  assert.equal(refused.ok ? 'issued' : grpc.status[refused.code], 'UNAUTHENTICATED');
});

test('the CA service never runs without TLS', async () => {
  const deps = { ca: h.ca, authenticator: createCallerAuthenticator([]) };
  assert.throws(() => registerCaService(new grpc.Server(), deps), /TlsOnlyServer/);
  const tlsOnly = new TlsOnlyServer();
  await assert.rejects(bindTls(tlsOnly, '127.0.0.1:0', grpc.ServerCredentials.createInsecure()), /without TLS/);
  // A plaintext server (as :15010) has no CreateCertificate: the call is UNIMPLEMENTED.
  const plain = new grpc.Server();
  const port = await new Promise<number>((resolve, reject) => plain.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))));
  const Client = grpc.makeGenericClientConstructor(caServiceDefinition(), 'IstioCertificateService');
  const client = new Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure()) as unknown as { CreateCertificate: (r: unknown, m: grpc.Metadata, cb: (e: grpc.ServiceError | null) => void) => void; close(): void };
  const metadata = new grpc.Metadata();
  metadata.set('authorization', 'Bearer reviews-token');
  const error = await new Promise<grpc.ServiceError | null>((resolve) => client.CreateCertificate({ csr, validity_duration: 0 }, metadata, resolve));
  client.close();
  plain.forceShutdown();
  assert.equal(error?.code, grpc.status.UNIMPLEMENTED);
});
