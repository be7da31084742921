import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, CustomObjectsApi, KubeConfig, KubernetesObjectApi, PatchStrategy, Watch, setHeaderOptions, type KubernetesObject } from '@kubernetes/client-node';
import { startFakeKubeApi, type FakeKubeApi } from '../../helpers/fake-kube-api.js';
import { kubeConfigFor, rawRequest, statusOf } from './client.js';

let api: FakeKubeApi;
let core: CoreV1Api;

before(async () => {
  api = await startFakeKubeApi({ namespaces: ['default', 'istio-system'] });
  core = kubeConfigFor(api).makeApiClient(CoreV1Api);
});
after(() => api.close());

test('patch: merge and JSON patch on a ConfigMap; strategic merge on a custom resource is 415; a failed JSON patch test is 422', { timeout: 20_000 }, async () => {
  await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'p', labels: { a: '1' } }, data: { x: '1', y: '2' } } });
  const merged = await core.patchNamespacedConfigMap({ namespace: 'default', name: 'p', body: { data: { x: null, z: '3' } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
  assert.deepEqual(merged.data, { y: '2', z: '3' });
  const ops = [{ op: 'test', path: '/data/y', value: '2' }, { op: 'replace', path: '/data/y', value: '20' }, { op: 'add', path: '/metadata/labels/b', value: '2' }];
  const patched = await core.patchNamespacedConfigMap({ namespace: 'default', name: 'p', body: ops }, setHeaderOptions('Content-Type', PatchStrategy.JsonPatch));
  assert.deepEqual([patched.data, patched.metadata!.labels], [{ y: '20', z: '3' }, { a: '1', b: '2' }]);
  const failed = await statusOf(core.patchNamespacedConfigMap({ namespace: 'default', name: 'p', body: [{ op: 'test', path: '/data/y', value: 'no' }] }, setHeaderOptions('Content-Type', PatchStrategy.JsonPatch)));
  assert.equal(failed?.code, 422);
  api.store.put('gateways', { apiVersion: 'networking.istio.io/v1', kind: 'Gateway', metadata: { name: 'gw', namespace: 'istio-system' }, spec: { selector: { istio: 'ingressgateway' } } });
  const custom = kubeConfigFor(api).makeApiClient(CustomObjectsApi);
  const ref = { group: 'networking.istio.io', version: 'v1beta1', namespace: 'istio-system', plural: 'gateways', name: 'gw' };
  const strategic = await statusOf(custom.patchNamespacedCustomObject({ ...ref, body: { spec: {} } }, setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch)));
  assert.equal(strategic?.code, 415);
  const stale = await statusOf(custom.patchNamespacedCustomObject({ ...ref, body: { metadata: { resourceVersion: '1' }, spec: {} } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch)));
  assert.equal(stale?.code, 409, 'a resourceVersion in a patch is a precondition');
});

test('discovery: KubernetesObjectApi maps kinds to resources, and every served version shows the same object', { timeout: 20_000 }, async () => {
  const objects = KubernetesObjectApi.makeApiClient(kubeConfigFor(api));
  const spec: KubernetesObject & { spec: object } = { apiVersion: 'networking.istio.io/v1alpha3', kind: 'DestinationRule', metadata: { name: 'dr', namespace: 'default' }, spec: { host: 'reviews' } };
  const made = await objects.create(spec);
  assert.equal(made.metadata!.uid !== undefined, true);
  const asV1 = await objects.read({ apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name: 'dr', namespace: 'default' } });
  assert.deepEqual([asV1.apiVersion, asV1.metadata!.resourceVersion], ['networking.istio.io/v1', made.metadata!.resourceVersion]);
  const lease = await objects.create({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'l', namespace: 'default' } });
  assert.equal(lease.kind, 'Lease');
  const groups = (await rawRequest(api, 'GET', '/apis')).body as { groups: Array<{ name: string }> };
  assert.ok(['networking.istio.io', 'security.istio.io', 'telemetry.istio.io', 'extensions.istio.io', 'discovery.k8s.io', 'coordination.k8s.io'].every((g) => groups.groups.some((x) => x.name === g)));
});

test('chaos knobs: injected errors answer the next matching requests, then service resumes; requestCount filters by verb and resource', { timeout: 20_000 }, async () => {
  const from = api.requests.length;
  api.injectError({ verb: 'list', resource: 'services', code: 500, times: 2 });
  assert.equal((await statusOf(core.listNamespacedService({ namespace: 'default' })))?.code, 500);
  assert.equal((await statusOf(core.listServiceForAllNamespaces()))?.code, 500);
  assert.equal((await core.listNamespacedService({ namespace: 'default' })).kind, 'ServiceList');
  await core.listNamespacedConfigMap({ namespace: 'default' });
  assert.equal(api.requestCount({ verb: 'list', resource: 'services', since: from }), 3);
  assert.equal(api.requestCount({ resource: 'configmaps', since: from }), 1);
});

test('watch: timeoutSeconds ends the stream cleanly; the kubeconfig text works from a file', { timeout: 20_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fake-kubeconfig-'));
  try {
    writeFileSync(join(dir, 'config'), api.kubeconfig());
    const kc = new KubeConfig();
    kc.loadFromFile(join(dir, 'config'));
    const ended = new Promise((resolve) => void new Watch(kc).watch('/api/v1/namespaces', { timeoutSeconds: 1 }, () => {}, (err) => resolve(err ?? 'clean end')));
    assert.equal(await ended, 'clean end');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
