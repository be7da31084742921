/**
 * Istio's gateway deployment controller end to end: the real daemon against the fake API server
 * (Gateway API CRDs from test/fixtures/gateway-api). The leader server-side applies the
 * ServiceAccount, Deployment and Service of a Gateway of class istio; a listener port change
 * re-applies only the Service; a Deployment deleted by someone else comes back (the leader watches
 * the managed children, a follower does not); status writes apply nothing; a follower replica
 * writes nothing; with PILOT_ENABLE_GATEWAY_API_DEPLOYMENT_CONTROLLER=false nothing is deployed.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startFakeKubeApi, type FakeKubeApi, type KubeObject, type RecordedRequest } from '../../helpers/fake-kube-api.js';
import { loadCrdTypes } from '../../helpers/fake-kube/resource-types.js';
import { startDaemon, type Daemon } from '../../helpers/daemon.js';
import { waitFor } from '../../helpers/wait-for.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
const GW = 'gateway.networking.k8s.io/v1';
const OBJECT_KINDS = ['serviceaccounts', 'deployments', 'services'];
let api: FakeKubeApi;
let dir: string;
const daemons: Daemon[] = [];

function gateway(name: string, port: number, status?: unknown): KubeObject {
  return {
    apiVersion: GW, kind: 'Gateway', metadata: { name, namespace: 'infra' },
    spec: { gatewayClassName: 'istio', infrastructure: { labels: { tier: 'edge' } }, listeners: [{ name: 'http', port, protocol: 'HTTP' }] },
    ...(status ? { status } : {}),
  };
}

async function replica(name: string, env: Record<string, string> = {}): Promise<Daemon> {
  const token = `token-${name}`;
  api.acceptCallerToken(token);
  await writeFile(join(dir, `kubeconfig-${name}`), api.kubeconfig(token));
  const d = await startDaemon(['--kubeconfig', join(dir, `kubeconfig-${name}`)], { POD_NAME: name, LEADER_ELECTION_LEASE_DURATION: '2s', PILOT_DEBOUNCE_AFTER: '10ms', ...env });
  daemons.push(d);
  return d;
}

const by = (name: string) => (r: RecordedRequest) => r.authorization === `Bearer token-${name}`;
const applies = (resource: string, name?: string) => api.requests.filter((r) => r.verb === 'patch' && r.resource === resource && (name === undefined || r.name === name));
const deploymentCalls = () => api.requests.filter((r) => OBJECT_KINDS.includes(r.resource ?? '') && (r.verb === 'get' || r.verb === 'patch' || r.verb === 'create'));
const MANAGED_SELECTOR = 'gateway.istio.io/managed=istio.io-gateway-controller';
/** List and watch requests for the managed children (the Kubernetes source watches every Service on its own). */
const childWatches = (name: string) => api.requests.filter((r) => by(name)(r) && (r.verb === 'list' || r.verb === 'watch') && new URLSearchParams(r.query).get('labelSelector') === MANAGED_SELECTOR);
const servicePorts = (name: string) => ((api.store.get('services', 'infra', name)?.spec as { ports?: { port: number }[] } | undefined)?.ports ?? []).map((p) => p.port);

before(async () => {
  api = await startFakeKubeApi({ resources: loadCrdTypes(join(root, 'test/fixtures/gateway-api')), namespaces: ['default', 'istio-system', 'kube-system', 'infra'] });
  dir = await mkdtemp(join(tmpdir(), 'istiod-ts-gwdeploy-'));
  api.store.put('gatewayclasses', { apiVersion: GW, kind: 'GatewayClass', metadata: { name: 'istio' }, spec: { controllerName: 'istio.io/gateway-controller' } });
  api.store.put('gateways.gateway.networking.k8s.io', gateway('edge', 80));
});

after(async () => {
  await Promise.all(daemons.map((d) => d.stop()));
  await api.close();
  await rm(dir, { recursive: true, force: true });
});

test('the leader applies ServiceAccount, Deployment and Service; a port change re-applies the Service only; status writes and followers write nothing', { timeout: 90_000 }, async () => {
  await replica('a');
  await waitFor('the three objects', () => OBJECT_KINDS.every((k) => api.store.get(k, 'infra', 'edge-istio')), 30_000);
  const uid = api.store.get('gateways.gateway.networking.k8s.io', 'infra', 'edge')!.metadata.uid;
  for (const kind of OBJECT_KINDS) {
    const obj = api.store.get(kind, 'infra', 'edge-istio')!;
    assert.deepEqual(obj.metadata.ownerReferences, [{ apiVersion: GW, kind: 'Gateway', name: 'edge', uid }]);
    assert.equal(obj.metadata.labels?.['gateway.istio.io/managed'], 'istio.io-gateway-controller');
    assert.equal(obj.metadata.labels?.tier, 'edge');
    const query = new URLSearchParams(applies(kind, 'edge-istio')[0]!.query);
    assert.deepEqual([query.get('fieldManager'), query.get('force')], ['istio.io/gateway-controller', 'true'], `${kind} was server-side applied`);
    assert.equal(api.requests.filter((r) => r.resource === kind && r.verb === 'create').length, 0, 'created through apply, not POST');
  }
  const service = api.store.get('services', 'infra', 'edge-istio')!.spec as { type: string; selector: Record<string, string> };
  assert.deepEqual([service.type, service.selector], ['LoadBalancer', { 'gateway.networking.k8s.io/gateway-name': 'edge' }]);
  assert.deepEqual(servicePorts('edge-istio'), [15021, 80]);
  const pod = (api.store.get('deployments', 'infra', 'edge-istio')!.spec as { template: { metadata: { labels: Record<string, string>; annotations: Record<string, string> } } }).template.metadata;
  assert.equal(pod.labels['sidecar.istio.io/inject'], 'true');
  assert.equal(pod.annotations['inject.istio.io/templates'], 'gateway');

  await replica('b');
  await waitFor('replica-b to follow', () => api.requests.some((r) => by('b')(r) && r.resource === 'leases' && r.name === 'istio-gateway-deployment-default'), 20_000);
  api.store.put('gateways.gateway.networking.k8s.io', gateway('edge', 8080));
  await waitFor('the Service re-applied with port 8080', () => servicePorts('edge-istio').includes(8080), 20_000);
  assert.deepEqual([applies('serviceaccounts').length, applies('deployments').length, applies('services', 'edge-istio').length], [1, 1, 2]);

  // Someone deletes the Deployment: the leader's watch sees it and applies it again, once.
  await waitFor('the leader watching managed Deployments', () => childWatches('a').some((r) => r.resource === 'deployments' && r.verb === 'watch'), 20_000);
  assert.deepEqual([...new Set(childWatches('a').map((r) => r.resource))].sort(), ['deployments', 'serviceaccounts', 'services']);
  assert.ok(!api.requests.some((r) => by('a')(r) && r.resource === 'deployments' && r.verb === 'watch' && !childWatches('a').includes(r)), 'Deployments are watched by the managed label only');
  assert.ok(api.store.delete('deployments', 'infra', 'edge-istio'));
  await waitFor('the Deployment back', () => api.store.get('deployments', 'infra', 'edge-istio'), 20_000);
  assert.equal(applies('deployments').length, 2);
  assert.deepEqual(childWatches('b'), [], 'a follower does not watch the children');

  // A status write to the Gateway (as any controller might) changes nothing deployed; a second Gateway marks when it was seen.
  const counted = deploymentCalls().length;
  const current = api.store.get('gateways.gateway.networking.k8s.io', 'infra', 'edge')!;
  api.store.put('gateways.gateway.networking.k8s.io', { ...current, status: { conditions: [{ type: 'Example', status: 'True', reason: 'Test', message: '', lastTransitionTime: '2024-01-01T00:00:00Z' }] } });
  api.store.put('gateways.gateway.networking.k8s.io', gateway('side', 81));
  await waitFor('the second Gateway deployed', () => api.store.get('services', 'infra', 'side-istio'), 20_000);
  const later = deploymentCalls().slice(counted);
  assert.ok(later.every((r) => r.name === 'side-istio'), `no new call for edge-istio: ${later.map((r) => `${r.verb} ${r.resource}/${r.name}`).join(', ')}`);
  assert.ok(deploymentCalls().every(by('a')), 'only the leader reads and applies');
});

test('PILOT_ENABLE_GATEWAY_API_DEPLOYMENT_CONTROLLER=false deploys nothing', { timeout: 60_000 }, async () => {
  await Promise.all(daemons.splice(0).map((d) => d.stop()));
  await replica('off', { PILOT_ENABLE_GATEWAY_API_DEPLOYMENT_CONTROLLER: 'false' });
  api.store.put('gateways.gateway.networking.k8s.io', gateway('third', 82));
  // The status leader's conditions on the new Gateway show the replica synced and leads.
  await waitFor('status on the third Gateway', () => (api.store.get('gateways.gateway.networking.k8s.io', 'infra', 'third')?.status as { conditions?: unknown[] } | undefined)?.conditions?.length, 30_000);
  assert.equal(api.store.get('deployments', 'infra', 'third-istio'), undefined);
  assert.deepEqual(deploymentCalls().filter(by('off')), []);
});
