import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { CoreV1Api, ListWatch, Watch, type V1ConfigMap, type KubeConfig } from '@kubernetes/client-node';
import { startFakeKubeApi, type FakeKubeApi } from '../../helpers/fake-kube-api.js';
import { kubeConfigFor, until } from './client.js';

let api: FakeKubeApi;
let kc: KubeConfig;
let core: CoreV1Api;

before(async () => {
  api = await startFakeKubeApi({ namespaces: ['default', 'apps'] });
  kc = kubeConfigFor(api);
  core = kc.makeApiClient(CoreV1Api);
});
after(() => api.close());

type Seen = Array<[string, string, string | undefined]>;

/** A started ConfigMap informer (the ListWatch makeInformer builds) on one namespace, recording every callback. */
async function configMapInformer(namespace: string): Promise<{ informer: ListWatch<V1ConfigMap>; seen: Seen; errors: unknown[] }> {
  const informer = new ListWatch<V1ConfigMap>(`/api/v1/namespaces/${namespace}/configmaps`, new Watch(kc), () => core.listNamespacedConfigMap({ namespace }), false);
  const seen: Seen = [];
  const errors: unknown[] = [];
  informer.on('add', (o) => seen.push(['add', o.metadata!.name!, o.data?.v]));
  informer.on('update', (o) => seen.push(['update', o.metadata!.name!, o.data?.v]));
  informer.on('delete', (o) => seen.push(['delete', o.metadata!.name!, o.data?.v]));
  informer.on('error', (e) => errors.push(e));
  await informer.start();
  await until('the informer watching', () => api.openWatches('configmaps') > 0);
  return { informer, seen, errors };
}

const names = (informer: ListWatch<V1ConfigMap>) => informer.list().map((o) => `${o.metadata!.name}=${o.data?.v}`).sort();
const truth = (namespace: string) => api.store.items('configmaps', namespace).map((o) => `${o.metadata.name}=${(o.data as { v?: string } | undefined)?.v}`).sort();

test('informer: creates, updates and deletes through the API arrive in order, cache equals the store', { timeout: 20_000 }, async () => {
  api.store.put('configmaps', { metadata: { name: 'seed', namespace: 'apps' }, data: { v: '0' } });
  const { informer, seen, errors } = await configMapInformer('apps');
  try {
    await core.createNamespacedConfigMap({ namespace: 'apps', body: { metadata: { name: 'a' }, data: { v: '1' } } });
    const a = await core.readNamespacedConfigMap({ namespace: 'apps', name: 'a' });
    await core.replaceNamespacedConfigMap({ namespace: 'apps', name: 'a', body: { ...a, data: { v: '2' } } });
    await core.createNamespacedConfigMap({ namespace: 'apps', body: { metadata: { name: 'b' }, data: { v: '1' } } });
    await core.deleteNamespacedConfigMap({ namespace: 'apps', name: 'a' });
    const deletedAt = api.store.currentRevision();
    api.store.put('configmaps', { metadata: { name: 'other', namespace: 'default' }, data: { v: 'x' } }); // another namespace: not seen
    await until('the delete of a', () => seen.length >= 5);
    assert.deepEqual(seen, [['add', 'seed', '0'], ['add', 'a', '1'], ['update', 'a', '2'], ['add', 'b', '1'], ['delete', 'a', '2']]);
    assert.deepEqual(names(informer), truth('apps'));
    assert.equal(informer.latestResourceVersion(), deletedAt, 'the DELETED event carries the deletion revision');
    assert.deepEqual(errors, []);
  } finally {
    await informer.stop();
  }
});

test('informer: a watch resumed after compaction gets 410 and relists exactly once; deletes missed meanwhile are reported', { timeout: 20_000 }, async () => {
  for (const n of ['keep', 'gone', 'changed']) api.store.put('configmaps', { metadata: { name: n, namespace: 'default' }, data: { v: '1' } });
  const { informer, seen, errors } = await configMapInformer('default');
  try {
    const lists = api.requestCount({ verb: 'list', resource: 'configmaps' });
    api.stallWatches(60_000); // the informer falls behind...
    api.store.delete('configmaps', 'default', 'gone');
    api.store.put('configmaps', { metadata: { name: 'changed', namespace: 'default' }, data: { v: '2' } });
    api.store.put('configmaps', { metadata: { name: 'new', namespace: 'default' }, data: { v: '1' } });
    api.compact(); // ...its resourceVersion is compacted away...
    assert.equal(api.dropWatches({ graceful: true }), 1); // ...and its watch ends: it resumes from the old version
    api.resumeWatches();
    await until('the relist', () => seen.some(([verb, name]) => verb === 'add' && name === 'new'));
    await until('watching again', () => api.openWatches('configmaps') > 0);
    assert.equal(api.requestCount({ verb: 'list', resource: 'configmaps' }) - lists, 1, 'one relist per 410');
    assert.deepEqual(seen.slice(-3).sort(), [['add', 'new', '1'], ['delete', 'gone', '1'], ['update', 'changed', '2']]);
    assert.deepEqual(names(informer), truth('default'));
    assert.deepEqual(errors, []);
  } finally {
    await informer.stop();
  }
});

test('informer: a cleanly ended watch resumes from its resourceVersion without relisting or repeating events', { timeout: 20_000 }, async () => {
  const { informer, seen } = await configMapInformer('default');
  try {
    const lists = api.requestCount({ verb: 'list', resource: 'configmaps' });
    const watches = api.requestCount({ verb: 'watch', resource: 'configmaps' });
    const before = seen.length;
    api.stallWatches(60_000);
    api.store.put('configmaps', { metadata: { name: 'while-away', namespace: 'default' }, data: { v: '1' } });
    api.dropWatches({ graceful: true });
    api.resumeWatches();
    await until('the missed add', () => seen.length > before);
    api.store.put('configmaps', { metadata: { name: 'while-away', namespace: 'default' }, data: { v: '2' } });
    await until('the next update', () => seen.length > before + 1);
    assert.deepEqual(seen.slice(before), [['add', 'while-away', '1'], ['update', 'while-away', '2']]);
    assert.equal(api.requestCount({ verb: 'list', resource: 'configmaps' }), lists, 'no relist');
    assert.equal(api.requestCount({ verb: 'watch', resource: 'configmaps' }) - watches, 1, 'one new watch');
  } finally {
    await informer.stop();
  }
});

test('informer: failNextWatch makes the next watch end with 410, and the informer relists', { timeout: 20_000 }, async () => {
  const { informer } = await configMapInformer('apps');
  try {
    const lists = api.requestCount({ verb: 'list', resource: 'configmaps' });
    api.failNextWatch('configmaps');
    api.dropWatches({ graceful: true });
    await until('the relist', () => api.requestCount({ verb: 'list', resource: 'configmaps' }) > lists);
    await until('watching again', () => api.openWatches('configmaps') > 0);
    assert.equal(api.requestCount({ verb: 'list', resource: 'configmaps' }) - lists, 1);
  } finally {
    await informer.stop();
  }
});
