/**
 * Gateway API end to end against the fake API server (with the test-only Gateway API CRDs from
 * test/fixtures/gateway-api): the Kubernetes source watches the kinds, the store converts them,
 * the snapshot implies their status, and the leader's status writer puts it through /status —
 * accepted, refused (RefNotPermitted) and not-allowed routes, the Gateway's listeners and the
 * class; a ReferenceGrant added later flips only ResolvedRefs (Accepted keeps its time). Without
 * the CRDs (404) the source still syncs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startFakeKubeApi, type FakeKubeApi, type KubeObject } from '../../helpers/fake-kube-api.js';
import { loadCrdTypes } from '../../helpers/fake-kube/resource-types.js';
import { waitFor } from '../../helpers/wait-for.js';
import { silentLogger } from '../../../src/lib/logger.js';
import { withGatewayApi } from '../../../src/model/gateway-api/derived-store.js';
import { gatewayApiStatusOf } from '../../../src/model/gateway-api/snapshot-status.js';
import { registryOptions } from '../../../src/model/snapshot.js';
import { createModelPipeline, createStore } from '../../../src/model/store/index.js';
import { createValidator } from '../../../src/model/validation/validate.js';
import { createKubeClient } from '../../../src/security/authn/index.js';
import { connectKube } from '../../../src/sources/kubernetes/client-config.js';
import { createKubernetesSource, watchedKinds } from '../../../src/sources/kubernetes/kube-source.js';
import { createStatusWriter } from '../../../src/sources/kubernetes/status-writer.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
const GW = 'gateway.networking.k8s.io/v1';

type Cond = { type: string; status: string; reason: string; lastTransitionTime: string; observedGeneration?: number };
type Parent = { parentRef: { name: string }; controllerName: string; conditions: Cond[] };

function route(name: string, ns: string, backend: Record<string, unknown>): KubeObject {
  return { apiVersion: GW, kind: 'HTTPRoute', metadata: { name, namespace: ns }, spec: { parentRefs: [{ name: 'gw', namespace: 'infra' }], rules: [{ backendRefs: [backend] }] } };
}

function seed(api: FakeKubeApi): void {
  for (const ns of ['infra', 'apps', 'data', 'outside']) api.store.put('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: ns === 'outside' ? {} : { mesh: 'yes' } } });
  api.store.put('services', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'apps' }, spec: { clusterIP: '10.96.0.5', ports: [{ port: 8080 }] } });
  api.store.put('services', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'db', namespace: 'data' }, spec: { clusterIP: '10.96.0.6', ports: [{ port: 5432 }] } });
  api.store.put('gatewayclasses', { apiVersion: GW, kind: 'GatewayClass', metadata: { name: 'istio' }, spec: { controllerName: 'istio.io/gateway-controller' } });
  api.store.put('gateways.gateway.networking.k8s.io', {
    apiVersion: GW, kind: 'Gateway', metadata: { name: 'gw', namespace: 'infra' },
    spec: { gatewayClassName: 'istio', listeners: [{ name: 'http', port: 80, protocol: 'HTTP', allowedRoutes: { namespaces: { from: 'Selector', selector: { matchLabels: { mesh: 'yes' } } } } }] },
  });
  api.store.put('httproutes', route('ok', 'apps', { name: 'web', port: 8080 }));
  api.store.put('httproutes', route('refused', 'apps', { name: 'db', namespace: 'data', port: 5432 }));
  api.store.put('httproutes', route('outsider', 'outside', { name: 'web', namespace: 'apps', port: 8080 }));
}

/** The writer's write count once its queue is empty and the count held still for 300 ms. */
async function settledWrites(writer: { stats(): { queued: number; writes: number } }): Promise<number> {
  for (let stable = 0, last = -1; ; await new Promise((r) => setTimeout(r, 50))) {
    const { queued, writes } = writer.stats();
    stable = queued === 0 && writes === last ? stable + 1 : 0;
    last = writes;
    if (stable >= 6) return writes;
  }
}

const parents = (api: FakeKubeApi, name: string, ns: string) => ((api.store.get('httproutes', ns, name)?.status as { parents?: Parent[] } | undefined)?.parents ?? []);
const reasons = (p: Parent | undefined) => Object.fromEntries((p?.conditions ?? []).map((c) => [c.type, c.reason]));

test('the leader writes Gateway API status computed from the snapshot, through /status', async (t) => {
  const api = await startFakeKubeApi({ resources: loadCrdTypes(join(root, 'test/fixtures/gateway-api')) });
  const dir = mkdtempSync(join(tmpdir(), 'gwapi-status-'));
  writeFileSync(join(dir, 'kubeconfig'), api.kubeconfig());
  seed(api);
  const pipeline = createModelPipeline({ registry: registryOptions(), store: withGatewayApi(createStore(), { domain: 'cluster.local' }), debounceAfterMs: 5, debounceMaxMs: 50, onSnapshot: () => writer.poke() });
  const source = createKubernetesSource({
    transport: connectKube({ mode: 'kubeconfig', file: join(dir, 'kubeconfig') }), validator: createValidator(),
    sink: { upsert: (o) => void pipeline.store.upsert(o), remove: (r) => void pipeline.store.remove(r) },
    logger: silentLogger, clusterID: 'test', kinds: watchedKinds(), caches: false,
  });
  const client = createKubeClient({ server: api.url, caPem: api.caPem, token: () => api.callerToken });
  const writer = createStatusWriter({
    api: client, kinds: watchedKinds().filter((k) => k.gatewayApi === true), qps: 100, burst: 20, debounceMs: 5, retryMs: 20,
    inputs: {
      ready: () => source.synced && pipeline.current() !== undefined,
      objectsOf: (kind) => source.objectsOf(kind), reports: () => source.reports(), diagnostics: () => [],
      gatewayApiStatus: () => gatewayApiStatusOf(pipeline.current()),
    },
  });
  t.after(async () => {
    writer.stop();
    pipeline.close();
    await source.close();
    client.close();
    await api.close();
    rmSync(dir, { recursive: true, force: true });
  });
  await source.start();
  await pipeline.flush();
  const synthetic = pipeline.current()!.configs.list('VirtualService').map((c) => c.metadata.name);
  assert.deepEqual(synthetic, ['infra~gw~istio-autogenerated-k8s-gateway~http~*'], 'the routes became one VirtualService for the listener');
  writer.start(); // this replica leads

  await waitFor('route statuses', () => parents(api, 'ok', 'apps').length > 0 && parents(api, 'refused', 'apps').length > 0 && parents(api, 'outsider', 'outside').length > 0);
  assert.deepEqual(reasons(parents(api, 'ok', 'apps')[0]), { Accepted: 'Accepted', ResolvedRefs: 'ResolvedRefs' });
  assert.equal(parents(api, 'ok', 'apps')[0]!.controllerName, 'istio.io/gateway-controller');
  assert.deepEqual(reasons(parents(api, 'refused', 'apps')[0]), { Accepted: 'Accepted', ResolvedRefs: 'RefNotPermitted' });
  assert.deepEqual(reasons(parents(api, 'outsider', 'outside')[0]), { Accepted: 'NotAllowedByListeners', ResolvedRefs: 'RefNotPermitted' });
  const gw = await waitFor('gateway status', () => api.store.get('gateways.gateway.networking.k8s.io', 'infra', 'gw')?.status as { conditions: Cond[]; listeners: { name: string; attachedRoutes: number; conditions: Cond[] }[] } | undefined);
  assert.deepEqual(gw!.conditions.map((c) => `${c.type}=${c.status}`), ['Accepted=True', 'Programmed=True']);
  assert.equal(gw!.listeners[0]!.attachedRoutes, 2);
  assert.equal(gw!.conditions[0]!.observedGeneration, api.store.get('gateways.gateway.networking.k8s.io', 'infra', 'gw')!.metadata.generation);
  const cls = await waitFor('class status', () => api.store.get('gatewayclasses', undefined, 'istio')?.status as { conditions: Cond[] } | undefined);
  assert.deepEqual(cls!.conditions.map((c) => `${c.type}=${c.status}/${c.reason}`), ['Accepted=True/Accepted']);

  const acceptedAt = parents(api, 'refused', 'apps')[0]!.conditions.find((c) => c.type === 'Accepted')!.lastTransitionTime;
  await new Promise((r) => setTimeout(r, 1100)); // a later second, so a rewritten time would show
  api.store.put('referencegrants', { apiVersion: 'gateway.networking.k8s.io/v1beta1', kind: 'ReferenceGrant', metadata: { name: 'allow', namespace: 'data' }, spec: { from: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: 'apps' }], to: [{ group: '', kind: 'Service' }] } });
  await waitFor('ResolvedRefs flips', () => reasons(parents(api, 'refused', 'apps')[0]).ResolvedRefs === 'ResolvedRefs');
  const after = parents(api, 'refused', 'apps')[0]!.conditions;
  assert.equal(after.find((c) => c.type === 'Accepted')!.lastTransitionTime, acceptedAt, 'an unchanged condition keeps its time');
  assert.notEqual(after.find((c) => c.type === 'ResolvedRefs')!.lastTransitionTime, acceptedAt);
  // Writes the grant caused for other objects may still be queued: wait until the writer is idle.
  const writes = await settledWrites(writer);
  writer.poke();
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(writer.stats().writes, writes, 'statuses already right are not rewritten');
});

test('without the Gateway API CRDs (404) the source still syncs', async (t) => {
  const api = await startFakeKubeApi();
  const dir = mkdtempSync(join(tmpdir(), 'gwapi-404-'));
  writeFileSync(join(dir, 'kubeconfig'), api.kubeconfig());
  const store = createStore();
  const source = createKubernetesSource({
    transport: connectKube({ mode: 'kubeconfig', file: join(dir, 'kubeconfig') }), validator: createValidator(),
    sink: { upsert: (o) => void store.upsert(o), remove: (r) => void store.remove(r) },
    logger: silentLogger, clusterID: 'test', kinds: watchedKinds(), caches: false,
  });
  t.after(async () => {
    await source.close();
    await api.close();
    rmSync(dir, { recursive: true, force: true });
  });
  await source.start();
  assert.equal(source.synced, true);
  assert.ok(api.requests.some((r) => r.path?.startsWith('/apis/gateway.networking.k8s.io/v1/httproutes')), 'the kind was asked for');
});
