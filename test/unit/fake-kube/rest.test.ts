import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { CoordinationV1Api, CoreV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions, type KubeConfig, type V1Lease } from '@kubernetes/client-node';
import { startFakeKubeApi, type FakeKubeApi } from '../../helpers/fake-kube-api.js';
import { kubeConfigFor, rawRequest, statusOf } from './client.js';

let api: FakeKubeApi;
let kc: KubeConfig;
let core: CoreV1Api;

before(async () => {
  api = await startFakeKubeApi({ namespaces: ['default', 'istio-system', 'paged'] });
  kc = kubeConfigFor(api);
  core = kc.makeApiClient(CoreV1Api);
});
after(() => api.close());

test('auth: no token or an unknown token is 401 with an Unauthorized Status; an accepted extra token works', { timeout: 20_000 }, async () => {
  const anonymous = kubeConfigFor(api, 'wrong-token').makeApiClient(CoreV1Api);
  assert.equal((await statusOf(anonymous.listNamespace()))?.code, 401);
  const unauthenticated = await rawRequest(api, 'GET', '/api/v1/namespaces', { token: null });
  assert.deepEqual(unauthenticated, { code: 401, body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 } });
  api.acceptCallerToken('wrong-token');
  assert.ok((await anonymous.listNamespace()).items.length >= 3);
  api.revokeCallerToken('wrong-token');
});

test('paging: limit/continue pages are one consistent snapshot even while objects change; a compacted token is 410', { timeout: 20_000 }, async () => {
  for (let i = 0; i < 5; i++) api.store.put('services', { metadata: { name: `s${i}`, namespace: 'paged' }, spec: { ports: [{ port: 80 }] } });
  const first = await core.listNamespacedService({ namespace: 'paged', limit: 2 });
  assert.deepEqual(first.items.map((s) => s.metadata!.name), ['s0', 's1']);
  assert.equal(first.metadata!.remainingItemCount, 3);
  api.store.delete('services', 'paged', 's3');
  api.store.put('services', { metadata: { name: 's5', namespace: 'paged' }, spec: {} });
  const second = await core.listNamespacedService({ namespace: 'paged', limit: 2, _continue: first.metadata!._continue });
  const third = await core.listNamespacedService({ namespace: 'paged', limit: 2, _continue: second.metadata!._continue });
  assert.deepEqual([...second.items, ...third.items].map((s) => s.metadata!.name), ['s2', 's3', 's4'], 'the snapshot of the first page');
  assert.equal(third.metadata!._continue, undefined);
  assert.equal(second.metadata!.resourceVersion, first.metadata!.resourceVersion);
  const fresh = await core.listNamespacedService({ namespace: 'paged' });
  assert.deepEqual(fresh.items.map((s) => s.metadata!.name), ['s0', 's1', 's2', 's4', 's5']);
  assert.equal(fresh.items[0]!.spec!.ports![0]!.protocol, 'TCP', 'defaulted');
  assert.match(fresh.items[0]!.spec!.clusterIP!, /^10\.96\./);
  api.compact();
  const expired = await statusOf(core.listNamespacedService({ namespace: 'paged', limit: 2, _continue: first.metadata!._continue }));
  assert.equal(expired?.code, 410);
  assert.equal(expired?.body.reason, 'Expired');
});

test('list: resourceVersion semantics (Exact snapshot, 410 once compacted, 504 in the future) and selectors', { timeout: 20_000 }, async () => {
  api.store.put('pods', { metadata: { name: 'p1', namespace: 'default', labels: { app: 'a' } }, spec: { nodeName: 'n1' } });
  const at = api.store.currentRevision();
  api.store.put('pods', { metadata: { name: 'p2', namespace: 'default', labels: { app: 'b' } }, spec: { nodeName: 'n2' } });
  const exact = await core.listNamespacedPod({ namespace: 'default', resourceVersion: at, resourceVersionMatch: 'Exact' });
  assert.deepEqual(exact.items.map((p) => p.metadata!.name), ['p1']);
  assert.equal(exact.metadata!.resourceVersion, at);
  assert.deepEqual((await core.listPodForAllNamespaces({ fieldSelector: 'spec.nodeName=n2' })).items.map((p) => p.metadata!.name), ['p2']);
  assert.deepEqual((await core.listPodForAllNamespaces({ labelSelector: 'app notin (b)' })).items.map((p) => p.metadata!.name), ['p1']);
  assert.equal((await statusOf(core.listPodForAllNamespaces({ fieldSelector: 'spec.bogus=1' })))?.code, 400);
  const future = await statusOf(core.listNamespacedPod({ namespace: 'default', resourceVersion: String(Number(api.store.currentRevision()) + 100) }));
  assert.equal(future?.code, 504);
  api.compact();
  assert.equal((await statusOf(core.listNamespacedPod({ namespace: 'default', resourceVersion: at, resourceVersionMatch: 'Exact' })))?.code, 410);
});

test('status subresource: create drops status; PUT /status changes only status; the main PUT ignores status; generation counts spec changes', { timeout: 20_000 }, async () => {
  const custom = kc.makeApiClient(CustomObjectsApi);
  const ref = { group: 'networking.istio.io', version: 'v1', namespace: 'default', plural: 'virtualservices' };
  type Vs = { apiVersion: string; kind: string; metadata: { name: string; resourceVersion: string; generation: number }; spec: { hosts: string[] }; status?: { observedGeneration?: number } };
  const made = (await custom.createNamespacedCustomObject({ ...ref, body: { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'vs' }, spec: { hosts: ['a'] }, status: { observedGeneration: 9 } } })) as Vs;
  assert.equal(made.status, undefined);
  assert.equal(made.metadata.generation, 1);
  const statused = (await custom.replaceNamespacedCustomObjectStatus({ ...ref, name: 'vs', body: { ...made, spec: { hosts: ['ignored'] }, status: { observedGeneration: 1 } } })) as Vs;
  assert.deepEqual([statused.spec.hosts, statused.status, statused.metadata.generation], [['a'], { observedGeneration: 1 }, 1]);
  assert.ok(Number(statused.metadata.resourceVersion) > Number(made.metadata.resourceVersion));
  const respec = (await custom.replaceNamespacedCustomObject({ ...ref, name: 'vs', body: { ...statused, spec: { hosts: ['b'] }, status: { observedGeneration: 7 } } })) as Vs;
  assert.deepEqual([respec.spec.hosts, respec.status, respec.metadata.generation], [['b'], { observedGeneration: 1 }, 2]);
  const patched = (await custom.patchNamespacedCustomObjectStatus({ ...ref, name: 'vs', body: { status: { observedGeneration: 2 } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch))) as Vs;
  assert.deepEqual([patched.status, patched.metadata.generation], [{ observedGeneration: 2 }, 2]);
  const stale = await statusOf(custom.replaceNamespacedCustomObjectStatus({ ...ref, name: 'vs', body: { ...made, status: {} } }));
  assert.equal(stale?.code, 409);
  api.store.put('configmaps', { metadata: { name: 'x', namespace: 'default' } });
  assert.equal((await rawRequest(api, 'GET', '/api/v1/namespaces/default/configmaps/x/status')).code, 404, 'no status subresource on ConfigMaps');
});

test('leases: create, update with the current resourceVersion, 409 Conflict with a stale one, 409 AlreadyExists, 404 NotFound', { timeout: 20_000 }, async () => {
  const leases = kc.makeApiClient(CoordinationV1Api);
  const body: V1Lease = { metadata: { name: 'istiod-leader' }, spec: { holderIdentity: 'a', leaseDurationSeconds: 30 } };
  const created = await leases.createNamespacedLease({ namespace: 'istio-system', body });
  const renewed = await leases.replaceNamespacedLease({ namespace: 'istio-system', name: 'istiod-leader', body: { ...created, spec: { ...created.spec, renewTime: new Date() } } });
  assert.ok(Number(renewed.metadata!.resourceVersion) > Number(created.metadata!.resourceVersion));
  api.store.skipNoopUpdates = true;
  const unchanged = await leases.replaceNamespacedLease({ namespace: 'istio-system', name: 'istiod-leader', body: renewed });
  assert.equal(unchanged.metadata!.resourceVersion, renewed.metadata!.resourceVersion, 'a no-op update keeps the resourceVersion');
  api.store.skipNoopUpdates = false;
  const stale = await statusOf(leases.replaceNamespacedLease({ namespace: 'istio-system', name: 'istiod-leader', body: { ...created, spec: { holderIdentity: 'b' } } }));
  assert.equal(stale?.code, 409);
  assert.equal(stale?.body.reason, 'Conflict');
  assert.equal((api.store.get('leases', 'istio-system', 'istiod-leader')!.spec as { holderIdentity: string }).holderIdentity, 'a');
  const again = await statusOf(leases.createNamespacedLease({ namespace: 'istio-system', body }));
  assert.deepEqual([again?.code, again?.body.reason], [409, 'AlreadyExists']);
  const missing = await statusOf(leases.readNamespacedLease({ namespace: 'istio-system', name: 'nope' }));
  assert.deepEqual([missing?.code, missing?.body.reason, missing?.body.kind], [404, 'NotFound', 'Status']);
});

test('delete: finalizers hold the object with a deletionTimestamp until removed; deleting a namespace deletes its contents', { timeout: 20_000 }, async () => {
  await core.createNamespace({ body: { metadata: { name: 'doomed' } } });
  await core.createNamespacedConfigMap({ namespace: 'doomed', body: { metadata: { name: 'held', finalizers: ['example.com/keep'] } } });
  await core.deleteNamespacedConfigMap({ namespace: 'doomed', name: 'held' });
  const held = await core.readNamespacedConfigMap({ namespace: 'doomed', name: 'held' });
  assert.ok(held.metadata!.deletionTimestamp);
  await core.replaceNamespacedConfigMap({ namespace: 'doomed', name: 'held', body: { ...held, metadata: { ...held.metadata, finalizers: [] } } });
  assert.equal((await statusOf(core.readNamespacedConfigMap({ namespace: 'doomed', name: 'held' })))?.code, 404);
  await core.createNamespacedConfigMap({ namespace: 'doomed', body: { metadata: { name: 'short-lived' } } });
  const deleted = await rawRequest(api, 'DELETE', '/api/v1/namespaces/doomed/configmaps/short-lived');
  assert.deepEqual([deleted.code, (deleted.body as { status?: string }).status], [200, 'Success'], 'a ConfigMap delete answers a Success Status');
  await core.createNamespacedConfigMap({ namespace: 'doomed', body: { metadata: { name: 'content' } } });
  await core.deleteNamespace({ name: 'doomed' });
  assert.deepEqual(api.store.items('configmaps', 'doomed'), []);
  assert.equal((await statusOf(core.createNamespacedConfigMap({ namespace: 'doomed', body: { metadata: { name: 'late' } } })))?.code, 404);
});
