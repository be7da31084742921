/**
 * BackendTLSPolicy CA bundles over SDS, end to end: the daemon as a real process with
 * --kubeconfig pointing at the fake API server (Gateway API CRDs from test/fixtures), a gateway
 * connecting to the secure port with a service-account token (TokenReview), a real ADS client.
 * The gateway's cluster for the policy's Service validates against SDS
 * `configmap://app/backend-ca-cacert`; istiod serves the ConfigMap's ca.crt; a rotation of the
 * ConfigMap pushes only SDS; a real TLS handshake against a loopback HTTPS server verifies with
 * the delivered trusted_ca (and fails against a certificate from another CA). A policy naming a
 * missing ConfigMap gets ResolvedRefs InvalidCACertificateRef in its status.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import tls from 'node:tls';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { decodeResource } from '../../../src/serve/proto/encode.js';
import { TypeUrl } from '../../../src/translate/type-urls.js';
import { startDaemon, type Daemon } from '../../helpers/daemon.js';
import { startFakeKubeApi, type FakeKubeApi, type KubeObject } from '../../helpers/fake-kube-api.js';
import { loadCrdTypes } from '../../helpers/fake-kube/resource-types.js';
import { waitFor } from '../../helpers/wait-for.js';
import { XdsClient } from '../../helpers/xds-client.js';
import { makePems, type Pems } from '../gateway-sds/fixtures.js';
import { ISTIOD_NAME } from '../secure-xds/clients.js';

type Json = Record<string, any>;
const GW = 'gateway.networking.k8s.io/v1';
const CLUSTER = 'outbound|443||secure.app.svc.cluster.local';
const CA_SECRET = 'configmap://app/backend-ca-cacert';

let api: FakeKubeApi;
let dir: string;
let daemon: Daemon;
let secure: string;
let ca1: Pems;
let ca2: Pems;
const clients: XdsClient[] = [];

const caConfigMap = (pem: string): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'backend-ca', namespace: 'app' }, data: { 'ca.crt': pem } });
const policy = (name: string, service: string, configMap: string): KubeObject => ({
  apiVersion: GW, kind: 'BackendTLSPolicy', metadata: { name, namespace: 'app' },
  spec: { targetRefs: [{ group: '', kind: 'Service', name: service }], validation: { hostname: 'a.example.com', caCertificateRefs: [{ group: '', kind: 'ConfigMap', name: configMap }] } },
});

function seed(): void {
  api.store.put('services', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'secure', namespace: 'app' }, spec: { clusterIP: '10.96.0.30', ports: [{ name: 'https', port: 443 }] } });
  api.store.put('services', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'other', namespace: 'app' }, spec: { clusterIP: '10.96.0.31', ports: [{ name: 'https', port: 443 }] } });
  api.store.put('gatewayclasses', { apiVersion: GW, kind: 'GatewayClass', metadata: { name: 'istio' }, spec: { controllerName: 'istio.io/gateway-controller' } });
  api.store.put('gateways.gateway.networking.k8s.io', { apiVersion: GW, kind: 'Gateway', metadata: { name: 'gw', namespace: 'istio-system' }, spec: { gatewayClassName: 'istio', listeners: [{ name: 'http', port: 80, protocol: 'HTTP', allowedRoutes: { namespaces: { from: 'All' } } }] } });
  api.store.put('httproutes', { apiVersion: GW, kind: 'HTTPRoute', metadata: { name: 'r', namespace: 'app' }, spec: { parentRefs: [{ name: 'gw', namespace: 'istio-system' }], rules: [{ backendRefs: [{ name: 'secure', port: 443 }] }, { matches: [{ path: { type: 'PathPrefix', value: '/other' } }], backendRefs: [{ name: 'other', port: 443 }] }] } });
  api.store.put('backendtlspolicies', policy('secure-tls', 'secure', 'backend-ca'));
  api.store.put('backendtlspolicies', policy('other-tls', 'other', 'no-such-ca'));
  api.store.put('configmaps', caConfigMap(ca1.caCert));
}

before(async () => {
  ca1 = makePems();
  ca2 = makePems();
  api = await startFakeKubeApi({
    namespaces: ['default', 'istio-system', 'app'],
    resources: loadCrdTypes(resolve('test/fixtures/gateway-api')),
    tokens: { 'gw-token': { username: 'system:serviceaccount:istio-system:gw', groups: ['system:serviceaccounts', 'system:authenticated'], audiences: ['istio-ca'] } },
  });
  dir = await mkdtemp(join(tmpdir(), 'backend-tls-sds-'));
  await writeFile(join(dir, 'kubeconfig'), api.kubeconfig());
  seed();
  daemon = await startDaemon(['--kubeconfig', join(dir, 'kubeconfig'), '--secureGRPCAddr', '127.0.0.1:0', '--caStateDir', join(dir, 'state'), '--caDir', join(dir, 'no-cacerts')], { PILOT_DEBOUNCE_AFTER: '10ms' });
  const port = await waitFor('secure port', () => daemon.lines.find((l) => l.msg === 'secure xds server listening')?.port as number | undefined, 20_000);
  secure = `127.0.0.1:${port}`;
  await waitFor('/ready', async () => (await daemon.get('/ready')).status === 200, 20_000);
});

after(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await daemon?.stop();
  await api?.close();
  await rm(dir, { recursive: true, force: true });
});

function gateway(rootPem: string): XdsClient {
  const metadata = new grpc.Metadata();
  metadata.set('authorization', 'Bearer gw-token');
  const node = { id: 'router~10.0.0.50~gw-0.istio-system~istio-system.svc.cluster.local', locality: {}, metadata: { NAMESPACE: 'istio-system', SERVICE_ACCOUNT: 'gw', LABELS: { 'gateway.networking.k8s.io/gateway-name': 'gw' }, INSTANCE_IPS: '10.0.0.50' } };
  const client = XdsClient.connect({ address: secure, node, tls: { credentials: grpc.credentials.createSsl(Buffer.from(rootPem)), channelOptions: { 'grpc.ssl_target_name_override': ISTIOD_NAME }, metadata } });
  clients.push(client);
  return client;
}

const unpack = (any: Json): Json => (typeof any.value === 'string' ? decodeResource(any.type_url, Buffer.from(any.value, 'base64')) : any);
const trustedCaOf = (r: { resources: readonly { name: string; body: unknown }[] }): string => {
  const s = r.resources.find((x) => x.name === CA_SECRET)?.body as Json | undefined;
  assert.ok(s, `${CA_SECRET} served`);
  return Buffer.from(s.validation_context.trusted_ca.inline_bytes, 'base64').toString('utf8');
};

async function handshake(server: Pems, trustedCa: string, servername: string): Promise<{ authorized: boolean; error?: string }> {
  const srv = tls.createServer({ cert: server.serverCert, key: server.serverKey }, (s) => s.end());
  srv.on('tlsClientError', () => undefined);
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  try {
    const socket = tls.connect({ host: '127.0.0.1', port: (srv.address() as AddressInfo).port, servername, ca: trustedCa });
    const outcome = await new Promise<{ authorized: boolean; error?: string }>((done) => {
      socket.once('secureConnect', () => done({ authorized: socket.authorized }));
      socket.once('error', (e) => done({ authorized: false, error: e.message }));
    });
    socket.destroy();
    return outcome;
  } finally {
    srv.close();
  }
}

test('the gateway cluster validates with the ConfigMap CA over SDS; rotation pushes only SDS; a real handshake verifies with it', async () => {
  const rootPem = await waitFor('istio-ca-root-cert', () => (api.store.get('configmaps', 'istio-system', 'istio-ca-root-cert')?.data as Record<string, string> | undefined)?.['root-cert.pem'], 20_000);
  const gw = gateway(rootPem!);
  gw.subscribe(TypeUrl.Cluster);
  const cds = await waitFor('the policy cluster', async () => {
    const r = await gw.next(TypeUrl.Cluster, 10_000);
    return r.resources.some((c) => c.name === CLUSTER && (c.body as Json).transport_socket) ? r : undefined;
  }, 20_000);
  const cluster = cds!.resources.find((c) => c.name === CLUSTER)!.body as Json;
  const context = unpack(cluster.transport_socket.typed_config);
  assert.equal(context.sni, 'a.example.com');
  assert.equal(context.common_tls_context.combined_validation_context.validation_context_sds_secret_config.name, CA_SECRET);
  const other = unpack((cds!.resources.find((c) => c.name === 'outbound|443||other.app.svc.cluster.local')!.body as Json).transport_socket.typed_config);
  assert.equal(other.common_tls_context.combined_validation_context.validation_context_sds_secret_config.name, 'configmap://app/no-such-ca-cacert', 'a missing ConfigMap keeps its name (never served)');
  gw.subscribe(TypeUrl.Secret, [CA_SECRET, 'configmap://app/no-such-ca-cacert']);
  const sds = await gw.next(TypeUrl.Secret);
  assert.deepEqual(sds.resources.map((r) => r.name), [CA_SECRET], 'the missing ConfigMap is not served: that cluster stays unready');
  const trusted1 = trustedCaOf(sds);
  assert.equal(trusted1, ca1.caCert);

  const sni = context.sni as string;
  assert.deepEqual(await handshake(ca1, trusted1, sni), { authorized: true }, 'a server certificate from the ConfigMap CA verifies');
  const foreign = await handshake(ca2, trusted1, sni);
  assert.equal(foreign.authorized, false, 'a certificate from another CA does not');
  assert.match(foreign.error ?? '', /self.signed|unable to (verify|get)|certificate/i);

  const count = (t: string) => gw.responses.filter((r) => r.typeUrl === t).length;
  const cdsBefore = count(TypeUrl.Cluster);
  api.store.put('configmaps', caConfigMap(ca2.caCert));
  const rotated = await gw.next(TypeUrl.Secret, 10_000);
  const trusted2 = trustedCaOf(rotated);
  assert.equal(trusted2, ca2.caCert);
  assert.equal(count(TypeUrl.Cluster), cdsBefore, 'the rotation pushed SDS only');
  assert.deepEqual(await handshake(ca2, trusted2, sni), { authorized: true });
  assert.equal((await handshake(ca1, trusted2, sni)).authorized, false);
});

test('a policy naming a missing ConfigMap: ResolvedRefs InvalidCACertificateRef, Accepted NoValidCACertificate', async () => {
  type Ancestor = { conditions: { type: string; status: string; reason: string; message: string }[] };
  const status = await waitFor('policy status', () => {
    const ancestors = (api.store.get('backendtlspolicies', 'app', 'other-tls')?.status as { ancestors?: Ancestor[] } | undefined)?.ancestors;
    return ancestors?.length ? ancestors : undefined;
  }, 20_000);
  const byType = Object.fromEntries(status![0]!.conditions.map((c) => [c.type, c]));
  assert.equal(byType.ResolvedRefs!.reason, 'InvalidCACertificateRef');
  assert.match(byType.ResolvedRefs!.message, /ConfigMap app\/no-such-ca not found/);
  assert.equal(byType.Accepted!.reason, 'NoValidCACertificate');
  const good = (api.store.get('backendtlspolicies', 'app', 'secure-tls')?.status as { ancestors?: Ancestor[] } | undefined)?.ancestors;
  assert.equal(good?.[0]?.conditions.find((c) => c.type === 'ResolvedRefs')?.reason, 'ResolvedRefs');
});
