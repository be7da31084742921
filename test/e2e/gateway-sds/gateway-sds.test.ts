/**
 * Gateway credentials over SDS, end to end in process: the real ADS server's secure port with
 * the real stream authorizer and a SubjectAccessReview against the fake API server, the router
 * generator reading a CredentialIndex over a real Secret cache, and a real ADS client.
 * Covered: who gets which secret (SAR allowed / denied, cross-namespace, plaintext port), a
 * malformed secret dropping only its own server's chain, a rotation pushing only SDS, a secret
 * turning valid bringing its chain back, and a real TLS handshake (SIMPLE with SNI and the
 * context's ALPN/minimum version; MUTUAL with a client certificate) served from what the
 * gateway received.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import * as grpc from '@grpc/grpc-js';
import tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import { defaultMeshConfig } from '../../../src/config/mesh-config.js';
import { buildSnapshot } from '../../../src/model/snapshot.js';
import { decodeResource } from '../../../src/serve/proto/encode.js';
import type { KubeSecret } from '../../../src/sources/kubernetes/secret-convert.js';
import { createGatewayGenerator } from '../../../src/translate/gateway/index.js';
import { TypeUrl } from '../../../src/translate/type-urls.js';
import { XdsClient } from '../../helpers/xds-client.js';
import { objectsFrom } from '../../unit/translate/grpc-fixtures.js';
import { GATEWAY_YAML, makePems, secret, type Pems } from './fixtures.js';
import { startSdsHarness, type SdsHarness } from './secure-sds-harness.js';

type Json = Record<string, any>;
const NS = 'istio-system';
let pems: Pems;
let h: SdsHarness;
/** The SubjectAccessReview cache's clock: moved forward to expire cached verdicts. */
let clock = Date.now();
const put = (s: KubeSecret) => h.put(s);
const fake = () => h.fake;

before(async () => {
  pems = makePems();
  h = await startSdsHarness({
    pems,
    snapshot: buildSnapshot(objectsFrom(GATEWAY_YAML), undefined),
    secrets: [
      secret(NS, 'cred-a', { 'tls.crt': pems.serverCert, 'tls.key': pems.serverKey }, 'kubernetes.io/tls'),
      secret(NS, 'cred-bad', { 'tls.crt': pems.serverCert, 'tls.key': pems.otherKey }, 'kubernetes.io/tls'),
      secret(NS, 'cred-m', { cert: pems.serverCert, key: pems.serverKey }),
      secret(NS, 'cred-m-cacert', { cacert: pems.caCert }),
    ],
    granted: [`${NS}/gw-allowed`],
    generator: (credentials) => createGatewayGenerator({ mesh: defaultMeshConfig(), credentials }),
    now: () => clock,
  });
});

after(() => h?.close());

function gateway(serviceAccount: string, secure = true): XdsClient {
  const node = { id: `router~10.0.0.50~gw-0.${NS}~${NS}.svc.cluster.local`, metadata: { NAMESPACE: NS, SERVICE_ACCOUNT: serviceAccount, LABELS: { istio: 'ingressgateway' }, INSTANCE_IPS: '10.0.0.50' } };
  return h.connect(node, { namespace: NS, serviceAccount }, secure);
}

const names = (r: { resources: readonly { name: string }[] }) => r.resources.map((x) => x.name).sort();
const SDS_NAMES = ['kubernetes://cred-a', 'kubernetes://cred-m', 'kubernetes://cred-m-cacert', `kubernetes://default/cred-a`];

function unpackAny(any: Json): Json {
  return typeof any.value === 'string' ? decodeResource(any.type_url, Buffer.from(any.value, 'base64')) : any;
}

function tlsContextOf(listener: Json, sni: string): Json {
  const chain = (listener.filter_chains as Json[]).find((c) => (c.filter_chain_match?.server_names ?? []).includes(sni));
  assert.ok(chain, `a chain for SNI ${sni} in ${listener.name}`);
  return unpackAny(chain.transport_socket.typed_config);
}

const bytesOf = (source: Json): Buffer => Buffer.from(source.inline_bytes, 'base64');

test('an authorized gateway gets its secrets; the malformed secret drops only its own server', async () => {
  const gw = gateway('gw-allowed');
  gw.subscribe(TypeUrl.Listener);
  const lds = await gw.next(TypeUrl.Listener);
  assert.deepEqual(names(lds), ['0.0.0.0_443', '0.0.0.0_8443']);
  const l443 = lds.resources.find((r) => r.name === '0.0.0.0_443')!.body as Json;
  const snis = (l443.filter_chains as Json[]).map((c) => c.filter_chain_match?.server_names);
  assert.deepEqual(snis, [['a.example.com']], 'the c.example.com server (key does not match) is left out, a.example.com stays');
  gw.subscribe(TypeUrl.Secret, SDS_NAMES);
  const sds = await gw.next(TypeUrl.Secret);
  assert.deepEqual(names(sds), ['kubernetes://cred-a', 'kubernetes://cred-m', 'kubernetes://cred-m-cacert'], 'the cross-namespace name is never served');
  const a = sds.resources.find((r) => r.name === 'kubernetes://cred-a')!.body as Json;
  assert.equal(bytesOf(a.tls_certificate.certificate_chain).toString(), pems.serverCert);
  assert.equal(gw.finalStatus, undefined, 'refusing one name is not a stream error');
});

test('an identity the SubjectAccessReview denies gets only the public CA secret; plaintext gets no SDS', async () => {
  const denied = gateway('gw-denied');
  denied.subscribe(TypeUrl.Secret, SDS_NAMES);
  const sds = await denied.next(TypeUrl.Secret);
  assert.deepEqual(names(sds), ['kubernetes://cred-m-cacert']);
  assert.ok(fake().requests.some((r) => r.path.endsWith('/subjectaccessreviews') && (r.body as Json).spec.user === `system:serviceaccount:${NS}:gw-denied`));
  const plain = gateway('gw-allowed', false);
  plain.subscribe(TypeUrl.Secret, ['kubernetes://cred-a']);
  const status = await plain.ended;
  assert.equal(status.code, grpc.status.PERMISSION_DENIED);
});

test('rotation pushes only SDS; a secret turning valid brings its chain back (LDS)', async () => {
  const gw = gateway('gw-allowed');
  gw.subscribe(TypeUrl.Listener);
  await gw.next(TypeUrl.Listener);
  gw.subscribe(TypeUrl.Cluster);
  await gw.next(TypeUrl.Cluster);
  gw.subscribe(TypeUrl.Secret, SDS_NAMES);
  await gw.next(TypeUrl.Secret);
  const count = (t: string) => gw.responses.filter((r) => r.typeUrl === t).length;
  const before = { lds: count(TypeUrl.Listener), cds: count(TypeUrl.Cluster) };
  const rotated = pems.serverCert + pems.caCert;
  put(secret(NS, 'cred-a', { 'tls.crt': rotated, 'tls.key': pems.serverKey }, 'kubernetes.io/tls'));
  const sds = await gw.next(TypeUrl.Secret);
  const a = sds.resources.find((r) => r.name === 'kubernetes://cred-a')!.body as Json;
  assert.equal(bytesOf(a.tls_certificate.certificate_chain).toString(), rotated);
  // A push sends LDS before SDS on the stream: had LDS/CDS been pushed, they would be here already.
  assert.deepEqual({ lds: count(TypeUrl.Listener), cds: count(TypeUrl.Cluster) }, before, 'only SDS was pushed');
  put(secret(NS, 'cred-bad', { 'tls.crt': pems.serverCert, 'tls.key': pems.serverKey }, 'kubernetes.io/tls'));
  const lds = await gw.next(TypeUrl.Listener);
  const l443 = lds.resources.find((r) => r.name === '0.0.0.0_443')!.body as Json;
  assert.deepEqual((l443.filter_chains as Json[]).map((c) => c.filter_chain_match?.server_names).sort(), [['a.example.com'], ['c.example.com']]);
});

test('RBAC granted later: the expired refusal is reviewed again and the gateway gets its secrets without reconnecting', async () => {
  const late = gateway('gw-late');
  late.subscribe(TypeUrl.Secret, SDS_NAMES);
  assert.deepEqual(names(await late.next(TypeUrl.Secret)), ['kubernetes://cred-m-cacert'], 'refused at first');
  fake().grantAccess({ user: `system:serviceaccount:${NS}:gw-late`, verb: 'list', resource: 'secrets', namespace: NS });
  const reviews = () => fake().requests.filter((r) => r.path.endsWith('/subjectaccessreviews') && (r.body as Json).spec.user === `system:serviceaccount:${NS}:gw-late`).length;
  const before = reviews();
  // Inside the refusal's minute nothing is asked again; past it, the next SDS answer re-reviews.
  clock += 61_000;
  put(secret(NS, 'cred-m', { cert: pems.serverCert, key: pems.serverKey, extra: 'touch' }));
  const granted = await late.waitFor('an SDS answer with the secrets', () => late.responses.find((r) => r.typeUrl === TypeUrl.Secret && names(r).includes('kubernetes://cred-a')));
  assert.deepEqual(names(granted), ['kubernetes://cred-a', 'kubernetes://cred-m', 'kubernetes://cred-m-cacert']);
  assert.equal(reviews(), before + 1, 'one new SubjectAccessReview');
  assert.equal(late.finalStatus, undefined, 'same stream');
});

async function handshake(server: tls.Server, options: tls.ConnectionOptions): Promise<tls.TLSSocket> {
  const { port } = server.address() as AddressInfo;
  const socket = tls.connect({ ...options, host: '127.0.0.1', port });
  socket.on('error', () => undefined);
  await once(socket, 'secureConnect');
  return socket;
}

test('a real TLS handshake from what the gateway received (SIMPLE with SNI; MUTUAL with a client certificate)', async () => {
  const gw = gateway('gw-allowed');
  gw.subscribe(TypeUrl.Listener);
  const lds = await gw.next(TypeUrl.Listener);
  gw.subscribe(TypeUrl.Secret, SDS_NAMES);
  const sds = await gw.next(TypeUrl.Secret);
  const secretOf = (name: string) => sds.resources.find((r) => r.name === name)!.body as Json;
  const listener = (name: string) => lds.resources.find((r) => r.name === name)!.body as Json;

  const simple = tlsContextOf(listener('0.0.0.0_443'), 'a.example.com');
  const common = simple.common_tls_context;
  assert.deepEqual(common.tls_certificate_sds_secret_configs.map((c: Json) => c.name), ['kubernetes://cred-a']);
  const cert = secretOf('kubernetes://cred-a').tls_certificate;
  const server = tls.createServer({ cert: bytesOf(cert.certificate_chain), key: bytesOf(cert.private_key), ALPNProtocols: common.alpn_protocols, minVersion: common.tls_params.tls_minimum_protocol_version === 'TLSv1_3' ? 'TLSv1.3' : 'TLSv1.2' }, (s) => s.end());
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    const socket = await handshake(server, { servername: 'a.example.com', ca: pems.caCert, ALPNProtocols: ['h2'] });
    assert.equal(socket.authorized, true, 'the certificate verifies for SNI a.example.com');
    assert.equal(socket.alpnProtocol, 'h2');
    assert.equal(socket.getProtocol(), 'TLSv1.3');
    socket.destroy();
  } finally {
    server.close();
  }

  const mutual = tlsContextOf(listener('0.0.0.0_8443'), 'b.example.com');
  assert.equal(mutual.require_client_certificate.value, true);
  const caName = mutual.common_tls_context.combined_validation_context.validation_context_sds_secret_config.name;
  assert.equal(caName, 'kubernetes://cred-m-cacert');
  const mcert = secretOf('kubernetes://cred-m').tls_certificate;
  const ca = bytesOf(secretOf(caName).validation_context.trusted_ca);
  const peers: string[] = [];
  const mserver = tls.createServer({ cert: bytesOf(mcert.certificate_chain), key: bytesOf(mcert.private_key), ca, requestCert: true, rejectUnauthorized: mutual.require_client_certificate.value }, (s) => {
    peers.push(String(s.getPeerCertificate().subject?.CN ?? ''));
    s.end();
  });
  mserver.on('tlsClientError', () => undefined);
  mserver.listen(0, '127.0.0.1');
  await once(mserver, 'listening');
  try {
    const socket = await handshake(mserver, { servername: 'b.example.com', ca: pems.caCert, cert: pems.clientCert, key: pems.clientKey });
    assert.equal(socket.authorized, true);
    await once(socket, 'end');
    assert.deepEqual(peers, ['client'], 'the server verified the client certificate against the SDS CA');
    const anonymous = tls.connect({ host: '127.0.0.1', port: (mserver.address() as AddressInfo).port, servername: 'b.example.com', ca: pems.caCert });
    const [outcome] = await Promise.race([once(anonymous, 'error').then(() => ['refused']), once(anonymous, 'end').then(() => ['refused']), once(anonymous, 'data').then(() => ['served'])]);
    assert.equal(outcome, 'refused', 'no client certificate, no connection');
    anonymous.destroy();
  } finally {
    mserver.close();
  }
});
