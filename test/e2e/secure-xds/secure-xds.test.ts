/**
 * The daemon as a real process with its secure port: ADS and CreateCertificate over TLS on
 * --secureGRPCAddr, each xDS stream authorized against the caller's identity (client
 * certificates issued by the daemon's own CA, JWT_RULE tokens), the plaintext port refusing
 * secrets, debug-over-xDS and certificates, and /debug/cert matching what clients verify.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { TypeUrl } from '../../../src/translate/type-urls.js';
import { startDaemon, type Daemon } from '../../helpers/daemon.js';
import { waitFor } from '../../helpers/wait-for.js';
import { adsOutcome, createCertificate, presentedChain, sidecarNode, type ClientCredentials, type StreamOutcome } from './clients.js';

const ISSUER = 'https://oidc.secure-xds.test';
let daemon: Daemon;
let dir: string;
let secure: string;
let plaintext: string;
let rootPem: string;
let jwtKey: CryptoKey;
/** Client certificates issued by the daemon's CA through CreateCertificate. */
const certs: Record<string, ClientCredentials> = {};

function token(namespace: string, serviceAccount: string): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ iss: ISSUER, aud: 'istio-ca', sub: `system:serviceaccount:${namespace}:${serviceAccount}` })
    .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
    .setIssuedAt(now)
    .setExpirationTime(now + 600)
    .sign(jwtKey);
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'secure-xds-'));
  const pair = await generateKeyPair('ES256');
  jwtKey = pair.privateKey;
  const jwks = { keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256' }] };
  daemon = await startDaemon(
    ['--configDir', 'examples/bookinfo', '--secureGRPCAddr', '127.0.0.1:0', '--caStateDir', join(dir, 'ca'), '--caDir', join(dir, 'no-cacerts'), '--istiodHost', 'istiod.mesh.example'],
    { JWT_RULE: JSON.stringify({ issuer: ISSUER, audiences: ['istio-ca'], jwks: JSON.stringify(jwks) }) },
  );
  const port = await waitFor('secure port', () => daemon.lines.find((l) => l.msg === 'secure xds server listening')?.port as number | undefined, 20_000);
  secure = `127.0.0.1:${port}`;
  plaintext = `127.0.0.1:${daemon.grpcPort}`;
  await waitFor('ready', async () => (await daemon.get('/ready')).status === 200, 20_000);
  rootPem = await readFile(join(dir, 'ca', 'root-cert.pem'), 'utf8');
  for (const [ns, sa] of [['bookinfo', 'reviews'], ['default', 'sleep']] as const) {
    const issued = await createCertificate(secure, { rootPem, token: await token(ns, sa) });
    assert.ok(issued.ok, `CreateCertificate for ${ns}/${sa}: ${JSON.stringify(issued)}`);
    certs[`${ns}/${sa}`] = { rootPem, cert: presentedChain(issued) };
  }
});

after(async () => {
  assert.equal(await daemon?.stop(), 0, 'the daemon stops cleanly');
  await rm(dir, { recursive: true, force: true });
});

function refused(outcome: StreamOutcome): grpc.status | 'answered' {
  return outcome.answered ? 'answered' : outcome.code;
}

test('authorization matrix on the secure port: identity × claimed namespace / SERVICE_ACCOUNT', async () => {
  const reviews = () => certs['bookinfo/reviews']!;
  const cases: { name: string; creds: () => Promise<ClientCredentials> | ClientCredentials; node: Record<string, unknown>; want: grpc.status | 'answered' }[] = [
    { name: 'cert bookinfo/reviews, own namespace and SA', creds: reviews, node: sidecarNode('bookinfo', { NAMESPACE: 'bookinfo', SERVICE_ACCOUNT: 'reviews' }), want: 'answered' },
    { name: 'cert bookinfo/reviews, own namespace, no SA claimed', creds: reviews, node: sidecarNode('bookinfo'), want: 'answered' },
    { name: 'cert bookinfo/reviews claiming namespace default', creds: reviews, node: sidecarNode('default', { NAMESPACE: 'default' }), want: grpc.status.PERMISSION_DENIED },
    { name: 'cert bookinfo/reviews claiming SA ratings', creds: reviews, node: sidecarNode('bookinfo', { SERVICE_ACCOUNT: 'ratings' }), want: grpc.status.PERMISSION_DENIED },
    { name: 'cert bookinfo/reviews, bookinfo node id but NAMESPACE metadata default', creds: reviews, node: sidecarNode('bookinfo', { NAMESPACE: 'default' }), want: grpc.status.PERMISSION_DENIED },
    { name: 'cert default/sleep, own namespace and SA', creds: () => certs['default/sleep']!, node: sidecarNode('default', { SERVICE_ACCOUNT: 'sleep' }), want: 'answered' },
    { name: 'cert default/sleep claiming bookinfo', creds: () => certs['default/sleep']!, node: sidecarNode('bookinfo', { SERVICE_ACCOUNT: 'sleep' }), want: grpc.status.PERMISSION_DENIED },
    { name: 'token default/sleep, own namespace', creds: async () => ({ rootPem, token: await token('default', 'sleep') }), node: sidecarNode('default', { SERVICE_ACCOUNT: 'sleep' }), want: 'answered' },
    { name: 'token default/sleep claiming bookinfo/reviews', creds: async () => ({ rootPem, token: await token('default', 'sleep') }), node: sidecarNode('bookinfo', { SERVICE_ACCOUNT: 'reviews' }), want: grpc.status.PERMISSION_DENIED },
    { name: 'no credentials at all', creds: () => ({ rootPem }), node: sidecarNode('bookinfo'), want: grpc.status.UNAUTHENTICATED },
    { name: 'a token the JWT rule does not accept', creds: () => ({ rootPem, token: 'not.a.jwt' }), node: sidecarNode('bookinfo'), want: grpc.status.UNAUTHENTICATED },
  ];
  const results: Record<string, grpc.status | 'answered'> = {};
  const wanted: Record<string, grpc.status | 'answered'> = {};
  for (const c of cases) {
    results[c.name] = refused(await adsOutcome(secure, await c.creds(), c.node, TypeUrl.Cluster));
    wanted[c.name] = c.want;
  }
  assert.deepEqual(results, wanted);
});

test('delta streams are authorized the same way', async () => {
  const creds = certs['bookinfo/reviews']!;
  assert.equal(refused(await adsOutcome(secure, creds, sidecarNode('bookinfo'), TypeUrl.Cluster, [], true)), 'answered');
  assert.equal(refused(await adsOutcome(secure, creds, sidecarNode('default'), TypeUrl.Cluster, [], true)), grpc.status.PERMISSION_DENIED);
  assert.equal(refused(await adsOutcome(secure, { rootPem }, sidecarNode('bookinfo'), TypeUrl.Cluster, [], true)), grpc.status.UNAUTHENTICATED);
  assert.equal(refused(await adsOutcome(plaintext, 'plaintext', sidecarNode('bookinfo'), TypeUrl.Secret, ['default'], true)), grpc.status.PERMISSION_DENIED);
});

test('a refused stream names nothing secret; the reason is in the log', async () => {
  const outcome = await adsOutcome(secure, certs['bookinfo/reviews']!, sidecarNode('default', { NAMESPACE: 'default' }), TypeUrl.Cluster);
  assert.ok(!outcome.answered);
  assert.doesNotMatch(outcome.details, /bookinfo|reviews|spiffe/);
  const logged = await waitFor('refusal log line', () => daemon.lines.find((l) => l.msg === 'secure ads stream refused' && String(l.reason).includes('bookinfo/sa/reviews')));
  assert.match(String(logged?.reason), /namespace "bookinfo" is not the proxy's namespace "default"/);
});

test('the plaintext port refuses secrets, debug over xDS and certificates', async () => {
  const node = sidecarNode('bookinfo');
  assert.equal(refused(await adsOutcome(plaintext, 'plaintext', node, TypeUrl.Cluster)), 'answered', 'plain config is still served on 15010');
  assert.equal(refused(await adsOutcome(plaintext, 'plaintext', node, TypeUrl.Secret, ['default'])), grpc.status.PERMISSION_DENIED);
  assert.equal(refused(await adsOutcome(plaintext, 'plaintext', node, 'istio.io/debug/syncz')), grpc.status.PERMISSION_DENIED);
  const cert = await createCertificate(plaintext, 'plaintext');
  assert.equal(cert.ok ? 'issued' : cert.code, grpc.status.UNIMPLEMENTED);
  // The secure port is not limited that way for an authorized proxy.
  assert.equal(refused(await adsOutcome(secure, certs['bookinfo/reviews']!, node, TypeUrl.Secret, ['default'])), 'answered');
});

test('/debug/cert shows the root the clients verified and the serving certificate', async () => {
  const view = JSON.parse((await daemon.get('/debug/cert')).body) as {
    ca: string; rootCertFile: string; roots: { serialNumber: string; subject: string; notAfter: string }[];
    servingCert: { dnsNames: string[]; serialNumber: string; notAfter: string };
  };
  const root = new X509Certificate(rootPem);
  assert.equal(view.ca, 'self-signed');
  assert.equal(view.rootCertFile, join(dir, 'ca', 'root-cert.pem'));
  assert.deepEqual(view.roots.map((r) => r.serialNumber), [root.serialNumber], 'the one root, the one clients trusted');
  assert.equal(view.roots[0]!.subject, 'O=cluster.local');
  assert.deepEqual(view.servingCert.dnsNames, ['istiod.istio-system.svc', 'istiod-remote.istio-system.svc', 'istio-pilot.istio-system.svc', 'istiod.mesh.example']);
  // The chain a workload got ends in that root too.
  const issued = await createCertificate(secure, certs['bookinfo/reviews']!);
  assert.ok(issued.ok);
  assert.equal(new X509Certificate(issued.chain.at(-1)!).serialNumber, root.serialNumber);
  assert.equal(new X509Certificate(issued.chain[0]!).subjectAltName, 'URI:spiffe://cluster.local/ns/bookinfo/sa/reviews', 'renewal by client certificate keeps the identity');
});
