import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { validateBootstrapConfig } from '@grpc/grpc-js-xds/build/src/xds-bootstrap.js';
import { opensslVerify } from '../../helpers/ca-fixtures.js';
import { JWT_ISSUER, TRUST_DOMAIN, startCaHarness, type CaHarness } from '../ca/harness.js';
import { startAgentProcess, type AgentProcess } from './agent-process.js';

let h: CaHarness;
let dir: string;
const agents: AgentProcess[] = [];

async function jwt(key: CryptoKey, sub: string): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ iss: JWT_ISSUER, aud: 'istio-ca', sub }).setProtectedHeader({ alg: 'ES256', kid: 'k1' }).setIssuedAt(now).setExpirationTime(now + 3600).sign(key);
}

before(async () => {
  h = await startCaHarness();
  dir = mkdtempSync(join(tmpdir(), 'agent-e2e-'));
  writeFileSync(join(dir, 'ca-root.pem'), h.servingCertPem);
});

after(async () => {
  await Promise.all(agents.map((a) => a.stop()));
  await h.close();
  rmSync(dir, { recursive: true, force: true });
});

function agentFor(name: string, token: string, env: Record<string, string> = {}): AgentProcess {
  const tokenFile = join(dir, `${name}.token`);
  writeFileSync(tokenFile, token);
  const agent = startAgentProcess(['--caServerName', 'localhost'], {
    CA_ADDR: h.address,
    CA_ROOT_CA: join(dir, 'ca-root.pem'),
    CA_AUTH_TOKEN: tokenFile,
    OUTPUT_CERTS: join(dir, name, 'certs'),
    GRPC_XDS_BOOTSTRAP: join(dir, name, 'bootstrap.json'),
    INITIAL_BACKOFF_MSEC: '100',
    ...env,
  });
  agents.push(agent);
  return agent;
}

const leafOf = (certDir: string) => new X509Certificate(readFileSync(join(certDir, 'cert-chain.pem')));

test('the agent writes a certificate for its token identity, renews it within 50-80% of the lifetime, and writes a bootstrap gRPC accepts', async () => {
  const agent = agentFor('reviews', await jwt(h.jwtKey, 'system:serviceaccount:bookinfo:reviews'), {
    SECRET_TTL: '4s', POD_NAME: 'reviews-v1-7f9c', POD_NAMESPACE: 'bookinfo', INSTANCE_IP: '10.1.2.3', ISTIO_METAJSON_LABELS: '{"app":"reviews","version":"v1"}',
  });
  const certDir = join(dir, 'reviews', 'certs');
  const first = await agent.waitForLine('certificate written');
  assert.equal(first.identity, `spiffe://${TRUST_DOMAIN}/ns/bookinfo/sa/reviews`);
  const leaf = leafOf(certDir);
  assert.equal(leaf.subjectAltName, `URI:spiffe://${TRUST_DOMAIN}/ns/bookinfo/sa/reviews`);
  assert.equal(leaf.serialNumber, first.serial);
  assert.ok(leaf.checkPrivateKey(createPrivateKey(readFileSync(join(certDir, 'key.pem')))), 'key.pem is the leaf key');
  assert.equal(statSync(join(certDir, 'key.pem')).mode & 0o777, 0o600);
  const root = readFileSync(join(certDir, 'root-cert.pem'), 'utf8');
  assert.equal(root.trim(), h.ca.roots()[0]!.trim());
  const verified = opensslVerify([readFileSync(join(certDir, 'cert-chain.pem'), 'utf8'), root]);
  assert.ok(verified.ok, verified.output);
  assert.deepEqual(readdirSync(certDir).sort(), ['cert-chain.pem', 'key.pem', 'root-cert.pem'], 'no temporary files left');
  const fraction = first.renewAtFraction as number;
  assert.ok(fraction >= 0.5 && fraction <= 0.8, `renewal planned at ${fraction} of the lifetime`);

  await agent.waitForLine('gRPC xDS bootstrap written');
  const bootstrap = JSON.parse(readFileSync(join(dir, 'reviews', 'bootstrap.json'), 'utf8')) as { node: { metadata: Record<string, unknown> } };
  const parsed = validateBootstrapConfig(bootstrap);
  assert.equal(parsed.node.id, 'sidecar~10.1.2.3~reviews-v1-7f9c.bookinfo~bookinfo.svc.cluster.local');
  assert.deepEqual(parsed.certificateProviders.default, { pluginName: 'file_watcher', config: {
    certificateFile: join(certDir, 'cert-chain.pem'), privateKeyFile: join(certDir, 'key.pem'), caCertificateFile: join(certDir, 'root-cert.pem'), refreshIntervalMs: 900_000,
  } });
  assert.equal(parsed.serverListenerResourceNameTemplate, 'xds.istio.io/grpc/lds/inbound/%s');
  const meta = bootstrap.node.metadata;
  assert.deepEqual({ ...meta }, { GENERATOR: 'grpc', NAMESPACE: 'bookinfo', SERVICE_ACCOUNT: 'reviews', INSTANCE_IPS: '10.1.2.3', CLUSTER_ID: 'Kubernetes', LABELS: { app: 'reviews', version: 'v1' } });

  const second = await agent.waitForLine('certificate written', 2, 30_000);
  assert.notEqual(second.serial, first.serial, 'a new certificate');
  const renewed = leafOf(certDir);
  assert.equal(renewed.serialNumber, second.serial, 'the files now hold the renewed certificate');
  assert.ok(!renewed.publicKey.equals(leaf.publicKey), 'a fresh key for every certificate');
  assert.equal(statSync(join(certDir, 'key.pem')).mode & 0o777, 0o600);
  assert.equal(await agent.stop(), 0);
  assert.ok(agent.lines.some((l) => l.msg === 'shutting down'));
  assert.equal(agent.stderr(), '', 'nothing on stderr (no warnings)');
});

test('a token the CA refuses: the agent logs the failure, retries, and writes nothing', async () => {
  const stranger = await generateKeyPair('ES256');
  const agent = agentFor('forged', await jwt(stranger.privateKey, 'system:serviceaccount:bookinfo:reviews'));
  const failure = await agent.waitForLine('cannot obtain a certificate; will retry', 2);
  assert.equal(failure.code, 'UNAUTHENTICATED');
  assert.equal(failure.attempt, 2);
  assert.equal(existsSync(join(dir, 'forged', 'certs', 'key.pem')), false);
  assert.equal(existsSync(join(dir, 'forged', 'bootstrap.json')), false);
  assert.doesNotMatch(JSON.stringify(agent.lines), /eyJ/, 'the token never reaches the log');
  assert.equal(await agent.stop(), 0);
});

test('an unreadable CA root file is reported with its path, and retried', async () => {
  const agent = agentFor('noroot', 'unused', { CA_ROOT_CA: join(dir, 'missing-root.pem') });
  const failure = await agent.waitForLine('cannot obtain a certificate; will retry');
  assert.match(String(failure.reason), /missing-root\.pem: ENOENT/);
  assert.equal(await agent.stop(), 0);
});
