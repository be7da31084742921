/**
 * Sidecar credentials over SDS, end to end in process: a DestinationRule with a workloadSelector
 * and `credentialName` (MUTUAL origination) makes the sidecar's cluster ask istiod for
 * `kubernetes://client-cred` and `kubernetes://client-cred-cacert`. The real ADS server's secure
 * port with the real stream authorizer (SubjectAccessReview against the fake API server), the
 * sidecar generator reading a CredentialIndex over a real Secret cache, and a real ADS client.
 * Covered: an authorized sidecar gets both; a refused one only the public CA; the plaintext
 * port no SDS at all; a rotation pushes only SDS; a sidecar of another namespace gets nothing;
 * and a real mutual TLS handshake with the certificate the sidecar received.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { defaultMeshConfig } from '../../../src/config/mesh-config.js';
import { buildSnapshot } from '../../../src/model/snapshot.js';
import { decodeResource } from '../../../src/serve/proto/encode.js';
import type { KubeSecret } from '../../../src/sources/kubernetes/secret-convert.js';
import { createSidecarGenerator } from '../../../src/translate/sidecar/index.js';
import { TypeUrl } from '../../../src/translate/type-urls.js';
import { XdsClient } from '../../helpers/xds-client.js';
import { objectsFrom } from '../../unit/translate/grpc-fixtures.js';
import { makePems, secret, type Pems } from '../gateway-sds/fixtures.js';
import { startSdsHarness, type SdsHarness } from '../gateway-sds/secure-sds-harness.js';

type Json = Record<string, any>;
const NS = 'app';
const CLUSTER = 'outbound|443||a.example.com';
const SDS_NAMES = ['kubernetes://client-cred', 'kubernetes://client-cred-cacert', 'kubernetes://other/client-cred', 'kubernetes-gateway://app/client-cred'];

const MESH_YAML = `
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: partner, namespace: app}
spec:
  hosts: [a.example.com]
  location: MESH_EXTERNAL
  resolution: DNS
  ports: [{number: 443, name: tls, protocol: TLS}]
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: partner-mtls, namespace: app}
spec:
  host: a.example.com
  workloadSelector: {matchLabels: {app: client}}
  trafficPolicy:
    tls: {mode: MUTUAL, credentialName: client-cred, sni: a.example.com}
`;

let pems: Pems;
let h: SdsHarness;
const put = (s: KubeSecret) => h.put(s);
const fake = () => h.fake;

before(async () => {
  pems = makePems();
  h = await startSdsHarness({
    pems,
    snapshot: buildSnapshot(objectsFrom(MESH_YAML), undefined),
    secrets: [
      secret(NS, 'client-cred', { 'tls.crt': pems.clientCert, 'tls.key': pems.clientKey, 'ca.crt': pems.caCert }, 'kubernetes.io/tls'),
      secret('other', 'client-cred', { 'tls.crt': pems.clientCert, 'tls.key': pems.clientKey }, 'kubernetes.io/tls'),
    ],
    granted: [`${NS}/allowed`],
    generator: (credentials) => createSidecarGenerator({ mesh: defaultMeshConfig(), credentials }),
  });
});

after(() => h?.close());

function sidecar(serviceAccount: string, opts: { secure?: boolean; namespace?: string } = {}): XdsClient {
  const ns = opts.namespace ?? NS;
  const node = { id: `sidecar~10.0.0.9~client-0.${ns}~${ns}.svc.cluster.local`, metadata: { NAMESPACE: ns, SERVICE_ACCOUNT: serviceAccount, LABELS: { app: 'client' }, INSTANCE_IPS: '10.0.0.9' } };
  return h.connect(node, { namespace: ns, serviceAccount }, opts.secure ?? true);
}

const names = (r: { resources: readonly { name: string }[] }) => r.resources.map((x) => x.name).sort();
const bytesOf = (source: Json): Buffer => Buffer.from(source.inline_bytes, 'base64');

function upstreamTls(cluster: Json): Json {
  const any = cluster.transport_socket.typed_config;
  return typeof any.value === 'string' ? decodeResource(any.type_url, Buffer.from(any.value, 'base64')) : any;
}

test('the selected sidecar\'s cluster asks istiod for the credential; an authorized sidecar gets it over SDS', async () => {
  const sc = sidecar('allowed');
  sc.subscribe(TypeUrl.Cluster);
  const cds = await sc.next(TypeUrl.Cluster);
  const common = upstreamTls(cds.resources.find((r) => r.name === CLUSTER)!.body as Json).common_tls_context;
  assert.deepEqual(common.tls_certificate_sds_secret_configs.map((c: Json) => c.name), ['kubernetes://client-cred']);
  assert.equal(common.combined_validation_context.validation_context_sds_secret_config.name, 'kubernetes://client-cred-cacert');
  sc.subscribe(TypeUrl.Secret, SDS_NAMES);
  // The review starts with the first SDS answer (CA only until it answers), then the grant is pushed.
  const sds = await sc.waitFor('an SDS answer with the certificate', () => sc.responses.find((r) => r.typeUrl === TypeUrl.Secret && names(r).includes('kubernetes://client-cred')));
  assert.deepEqual(names(sds), ['kubernetes://client-cred', 'kubernetes://client-cred-cacert'], 'cross-namespace and kubernetes-gateway:// names are never served to a sidecar');
  const cert = (sds.resources.find((r) => r.name === 'kubernetes://client-cred')!.body as Json).tls_certificate;
  assert.equal(bytesOf(cert.certificate_chain).toString(), pems.clientCert);
  const ca = (sds.resources.find((r) => r.name === 'kubernetes://client-cred-cacert')!.body as Json).validation_context;
  assert.equal(bytesOf(ca.trusted_ca).toString(), pems.caCert);
  assert.equal(sc.finalStatus, undefined, 'refusing some names is not a stream error');
});

test('a sidecar the SubjectAccessReview refuses gets only the public CA; the plaintext port gets no SDS', async () => {
  const denied = sidecar('denied');
  denied.subscribe(TypeUrl.Secret, SDS_NAMES);
  assert.deepEqual(names(await denied.next(TypeUrl.Secret)), ['kubernetes://client-cred-cacert']);
  assert.ok(fake().requests.some((r) => r.path.endsWith('/subjectaccessreviews') && (r.body as Json).spec.user === `system:serviceaccount:${NS}:denied`));
  const plain = sidecar('allowed', { secure: false });
  plain.subscribe(TypeUrl.Secret, ['kubernetes://client-cred']);
  assert.equal((await plain.ended).code, grpc.status.PERMISSION_DENIED);
});

test('a sidecar of another namespace gets nothing of this one', async () => {
  fake().grantAccess({ user: 'system:serviceaccount:elsewhere:allowed', verb: 'list', resource: 'secrets', namespace: 'elsewhere' });
  const other = sidecar('allowed', { namespace: 'elsewhere' });
  other.subscribe(TypeUrl.Cluster);
  const cds = await other.next(TypeUrl.Cluster);
  assert.equal((cds.resources.find((r) => r.name === CLUSTER)?.body as Json | undefined)?.transport_socket, undefined, 'the DestinationRule (namespace app) does not apply here');
  other.subscribe(TypeUrl.Secret, ['kubernetes://app/client-cred', 'kubernetes://app/client-cred-cacert']);
  assert.deepEqual(names(await other.next(TypeUrl.Secret)), []);
});

test('rotation pushes only SDS to the sidecar; the new certificate completes a mutual TLS handshake', async () => {
  const sc = sidecar('allowed');
  sc.subscribe(TypeUrl.Cluster);
  await sc.next(TypeUrl.Cluster);
  sc.subscribe(TypeUrl.Secret, SDS_NAMES);
  await sc.next(TypeUrl.Secret);
  const cdsBefore = sc.responses.filter((r) => r.typeUrl === TypeUrl.Cluster).length;
  const rotated = pems.clientCert + pems.caCert;
  put(secret(NS, 'client-cred', { 'tls.crt': rotated, 'tls.key': pems.clientKey, 'ca.crt': pems.caCert }, 'kubernetes.io/tls'));
  const sds = await sc.next(TypeUrl.Secret);
  const cert = (sds.resources.find((r) => r.name === 'kubernetes://client-cred')!.body as Json).tls_certificate;
  assert.equal(bytesOf(cert.certificate_chain).toString(), rotated);
  assert.equal(sc.responses.filter((r) => r.typeUrl === TypeUrl.Cluster).length, cdsBefore, 'only SDS was pushed');

  // The upstream asks for a client certificate signed by the CA; the sidecar's material passes.
  const server = tls.createServer({ cert: pems.serverCert, key: pems.serverKey, ca: pems.caCert, requestCert: true, rejectUnauthorized: true }, (s) => s.end());
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    const { port } = server.address() as AddressInfo;
    const trusted = (sds.resources.find((r) => r.name === 'kubernetes://client-cred-cacert')!.body as Json).validation_context.trusted_ca;
    const socket = tls.connect({ host: '127.0.0.1', port, servername: 'a.example.com', cert: bytesOf(cert.certificate_chain), key: bytesOf(cert.private_key), ca: bytesOf(trusted) });
    socket.on('error', () => undefined);
    await once(socket, 'secureConnect');
    assert.equal(socket.authorized, true, 'the server certificate validates against the delivered CA');
    socket.destroy();
  } finally {
    server.close();
  }
});
