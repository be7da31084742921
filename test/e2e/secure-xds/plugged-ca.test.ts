/**
 * The daemon with a plugged-in CA (--caDir, made with openssl): an incomplete bundle or a bad
 * JWT_RULE stops it at start with a message naming the file / field; a complete bundle signs
 * through its intermediate, and a client certificate from it authorizes a secure xDS stream.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { TypeUrl } from '../../../src/translate/type-urls.js';
import { makeOpensslCa, testKeys } from '../../helpers/ca-fixtures.js';
import { runCli, startDaemon } from '../../helpers/daemon.js';
import { waitFor } from '../../helpers/wait-for.js';
import { adsOutcome, createCertificate, presentedChain, sidecarNode } from './clients.js';

const LOOPBACK = ['--httpAddr', '127.0.0.1:0', '--grpcAddr', '127.0.0.1:0', '--monitoringAddr', '127.0.0.1:0', '--secureGRPCAddr', '127.0.0.1:0'];

async function tempDir(t: { after(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'plugged-ca-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

test('an incomplete plugged-in bundle stops the daemon, naming the missing file', async (t) => {
  const dir = await tempDir(t);
  makeOpensslCa(dir); // root-cert.pem, ca-cert.pem, ca-key.pem — but no cert-chain.pem
  const r = runCli(['discovery', '--configDir', 'examples/bookinfo', ...LOOPBACK, '--caDir', dir, '--caStateDir', join(dir, 'state')]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /cert-chain\.pem: file is missing/);
  assert.match(r.stderr, /MESH_ERR_CA_BUNDLE_INVALID/);
});

test('a bad JWT_RULE stops the daemon, naming the field', async (t) => {
  const dir = await tempDir(t);
  const r = runCli(['discovery', '--configDir', 'examples/bookinfo', ...LOOPBACK, '--caDir', join(dir, 'none'), '--caStateDir', join(dir, 'state')], {
    JWT_RULE: JSON.stringify({ issuer: '', jwksUri: 'https://example.com/jwks' }),
  });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /JWT_RULE\.issuer: must be a non-empty string/);
  assert.match(r.stderr, /MESH_ERR_CA_JWT_RULE_INVALID/);
});

test('a plugged-in intermediate signs, and its leaves authorize secure xDS streams', async (t) => {
  const dir = await tempDir(t);
  makeOpensslCa(dir);
  const [caCert, rootCert] = await Promise.all([readFile(join(dir, 'ca-cert.pem'), 'utf8'), readFile(join(dir, 'root-cert.pem'), 'utf8')]);
  await writeFile(join(dir, 'cert-chain.pem'), caCert + rootCert);
  const pair = await generateKeyPair('ES256');
  const jwks = { keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'k1' }] };
  const daemon = await startDaemon(['--configDir', 'examples/bookinfo', '--secureGRPCAddr', '127.0.0.1:0', '--caDir', dir, '--caStateDir', join(dir, 'state')], {
    JWT_RULE: JSON.stringify({ issuer: 'https://issuer.test', jwks: JSON.stringify(jwks) }),
  });
  t.after(() => daemon.stop());
  const port = await waitFor('secure port', () => daemon.lines.find((l) => l.msg === 'secure xds server listening')?.port as number | undefined, 20_000);
  const secure = `127.0.0.1:${port}`;
  await waitFor('ready', async () => (await daemon.get('/ready')).status === 200, 20_000);

  const now = Math.floor(Date.now() / 1000);
  const token = await new SignJWT({ iss: 'https://issuer.test', aud: 'istio-ca', sub: 'system:serviceaccount:bookinfo:reviews' })
    .setProtectedHeader({ alg: 'ES256', kid: 'k1' }).setIssuedAt(now).setExpirationTime(now + 600).sign(pair.privateKey);
  const issued = await createCertificate(secure, { rootPem: rootCert, token });
  assert.ok(issued.ok, JSON.stringify(issued));
  assert.equal(issued.chain.length, 3, 'leaf, intermediate, root');
  assert.ok(new X509Certificate(issued.chain[0]!).checkIssued(new X509Certificate(caCert)), 'the intermediate signed the leaf');

  const creds = { rootPem: rootCert, cert: presentedChain(issued) };
  const own = await adsOutcome(secure, creds, sidecarNode('bookinfo', { SERVICE_ACCOUNT: 'reviews' }), TypeUrl.Cluster);
  assert.equal(own.answered, true, JSON.stringify(own));
  const other = await adsOutcome(secure, creds, sidecarNode('default'), TypeUrl.Cluster);
  assert.equal(other.answered, false);

  const view = JSON.parse((await daemon.get('/debug/cert')).body) as { ca: string; pluggedIn: { dir: string; format: string }; roots: { serialNumber: string }[] };
  assert.equal(view.ca, 'plugged-in');
  assert.deepEqual(view.pluggedIn, { dir, format: 'istio' });
  assert.deepEqual(view.roots.map((r) => r.serialNumber), [new X509Certificate(rootCert).serialNumber]);
  assert.equal(await readFile(join(dir, 'state', 'root-cert.pem'), 'utf8'), rootCert, 'the published roots are the bundle root');

  // Hot swap to a bundle with a new root: istiod's serving certificate follows, so a client that
  // trusts only the new root connects.
  makeOpensslCa(dir, { rootKey: testKeys.p256b(), caName: 'Intermediate B' });
  const [caCert2, rootCert2] = await Promise.all([readFile(join(dir, 'ca-cert.pem'), 'utf8'), readFile(join(dir, 'root-cert.pem'), 'utf8')]);
  await writeFile(join(dir, 'cert-chain.pem'), caCert2 + rootCert2);
  const newSerial = new X509Certificate(rootCert2).serialNumber;
  await waitFor('the new root in /debug/cert', async () => (JSON.parse((await daemon.get('/debug/cert')).body) as { roots: { serialNumber: string }[] }).roots[0]?.serialNumber === newSerial, 10_000);
  const renewed = await createCertificate(secure, { rootPem: rootCert2, token });
  assert.ok(renewed.ok, JSON.stringify(renewed));
  assert.ok(new X509Certificate(renewed.chain[0]!).checkIssued(new X509Certificate(caCert2)), 'the new intermediate signs');
});
