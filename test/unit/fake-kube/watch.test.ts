import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { CoreV1Api, Watch, type KubeConfig } from '@kubernetes/client-node';
import { startFakeKubeApi, type FakeKubeApi } from '../../helpers/fake-kube-api.js';
import { kubeConfigFor, until } from './client.js';

let api: FakeKubeApi;
let kc: KubeConfig;

before(async () => {
  api = await startFakeKubeApi({ namespaces: ['default', 'w'] });
  kc = kubeConfigFor(api);
});
after(() => api.close());

interface Stream {
  readonly events: Array<{ type: string; name?: string; rv?: string; annotations?: Record<string, string>; code?: number }>;
  readonly ended: Promise<unknown>;
  abort(): void;
}

/** A raw watch with the library's Watch, recording every event. */
async function watch(path: string, query: Record<string, string | boolean>): Promise<Stream> {
  const events: Stream['events'] = [];
  let finish: (err: unknown) => void = () => {};
  const ended = new Promise((resolve) => (finish = resolve));
  const controller = await new Watch(kc).watch(
    path,
    query,
    (type, obj: { metadata?: { name?: string; resourceVersion?: string; annotations?: Record<string, string> }; code?: number }) =>
      events.push({ type, name: obj.metadata?.name, rv: obj.metadata?.resourceVersion, annotations: obj.metadata?.annotations, code: obj.code }),
    (err) => finish(err ?? 'clean end'),
  );
  return { events, ended, abort: () => controller.abort() };
}

const put = (name: string, v: string, labels?: Record<string, string>) => api.store.put('configmaps', { metadata: { name, namespace: 'w', ...(labels ? { labels } : {}) }, data: { v } });

test('watch: resumed from a resourceVersion, it gets exactly the later changes, in order, each with its revision', { timeout: 20_000 }, async () => {
  put('x', '1');
  const from = api.store.currentRevision();
  const added = put('y', '1');
  const changed = put('x', '2');
  api.store.put('secrets', { metadata: { name: 'not-a-configmap', namespace: 'w' } });
  api.store.delete('configmaps', 'w', 'y');
  const deletedAt = api.store.currentRevision();
  api.store.put('configmaps', { metadata: { name: 'elsewhere', namespace: 'default' } });
  const stream = await watch('/api/v1/namespaces/w/configmaps', { resourceVersion: from, allowWatchBookmarks: true });
  try {
    await until('three events', () => stream.events.length >= 3);
    api.bookmark();
    await until('the bookmark', () => stream.events.length >= 4);
    assert.deepEqual(stream.events, [
      { type: 'ADDED', name: 'y', rv: added.metadata.resourceVersion, annotations: undefined, code: undefined },
      { type: 'MODIFIED', name: 'x', rv: changed.metadata.resourceVersion, annotations: undefined, code: undefined },
      { type: 'DELETED', name: 'y', rv: deletedAt, annotations: undefined, code: undefined },
      { type: 'BOOKMARK', name: undefined, rv: api.store.currentRevision(), annotations: undefined, code: undefined },
    ]);
  } finally {
    stream.abort();
  }
});

test('watch: from a compacted resourceVersion, one ERROR event with a 410 Expired Status, then the stream ends', { timeout: 20_000 }, async () => {
  const old = api.store.currentRevision();
  put('z', '1');
  api.compact();
  const stream = await watch('/api/v1/namespaces/w/configmaps', { resourceVersion: old });
  assert.equal(await stream.ended, 'clean end');
  assert.deepEqual(stream.events.map((e) => [e.type, e.code]), [['ERROR', 410]]);
});

test('watch: without a resourceVersion, synthetic ADDED events for what exists; sendInitialEvents ends them with a bookmark', { timeout: 20_000 }, async () => {
  const expected = api.store.items('configmaps', 'w').map((o) => o.metadata.name);
  assert.ok(expected.length >= 2);
  const plain = await watch('/api/v1/namespaces/w/configmaps', {});
  const initial = await watch('/api/v1/namespaces/w/configmaps', { sendInitialEvents: true, resourceVersionMatch: 'NotOlderThan', allowWatchBookmarks: true });
  try {
    await until('initial events', () => plain.events.length >= expected.length && initial.events.length > expected.length);
    assert.deepEqual(plain.events.map((e) => `${e.type} ${e.name}`), expected.map((n) => `ADDED ${n}`));
    assert.deepEqual(initial.events.at(-1), { type: 'BOOKMARK', name: undefined, rv: api.store.currentRevision(), annotations: { 'k8s.io/initial-events-end': 'true' }, code: undefined });
  } finally {
    plain.abort();
    initial.abort();
  }
});

test('watch: a label selector turns updates leaving or entering it into DELETED and ADDED', { timeout: 20_000 }, async () => {
  const stream = await watch('/api/v1/namespaces/w/configmaps', { resourceVersion: api.store.currentRevision(), labelSelector: 'app in (web),tier!=db' });
  try {
    put('sel', '1', { app: 'web' });
    put('sel', '2', { app: 'web', tier: 'front' });
    put('sel', '3', { app: 'web', tier: 'db' });
    put('sel', '4', { app: 'web' });
    put('unrelated', '1', { app: 'api' });
    api.store.delete('configmaps', 'w', 'sel');
    await until('five events', () => stream.events.length >= 5);
    assert.deepEqual(stream.events.map((e) => `${e.type} ${e.name}`), ['ADDED sel', 'MODIFIED sel', 'DELETED sel', 'ADDED sel', 'DELETED sel']);
  } finally {
    stream.abort();
  }
});

test('watch: a stall holds events while writes go on, then delivers the backlog in order', { timeout: 20_000 }, async () => {
  const stream = await watch('/api/v1/namespaces/w/configmaps', { resourceVersion: api.store.currentRevision() });
  try {
    api.stallWatches(60_000);
    for (let i = 0; i < 20; i++) put(`stalled-${i % 4}`, String(i));
    await kc.makeApiClient(CoreV1Api).listNamespacedConfigMap({ namespace: 'w' }); // a full round trip while stalled
    assert.equal(stream.events.length, 0, 'nothing delivered during the stall');
    api.resumeWatches();
    await until('the backlog', () => stream.events.length >= 20);
    assert.deepEqual(stream.events.map((e) => Number(e.rv)), [...stream.events.map((e) => Number(e.rv))].sort((a, b) => a - b));
    assert.deepEqual(stream.events.slice(0, 4).map((e) => e.type), ['ADDED', 'ADDED', 'ADDED', 'ADDED']);
    assert.ok(stream.events.slice(4).every((e) => e.type === 'MODIFIED'));
  } finally {
    stream.abort();
  }
});

test('watch: dropping watches resets the connection (an error for the client); a denied watch is 403', { timeout: 20_000 }, async () => {
  const stream = await watch('/api/v1/namespaces/w/configmaps', {});
  await until('watching', () => api.openWatches('configmaps') > 0);
  assert.ok(api.dropWatches() >= 1);
  assert.notEqual(await stream.ended, 'clean end');
  api.store.denied.push({ verb: 'watch', resource: 'configmaps', namespace: 'w' });
  try {
    const denied = await watch('/api/v1/namespaces/w/configmaps', {});
    assert.equal((await denied.ended as { statusCode?: number }).statusCode, 403);
  } finally {
    api.store.denied.length = 0;
  }
});
