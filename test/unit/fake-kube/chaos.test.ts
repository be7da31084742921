import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { CoreV1Api, ListWatch, Watch, type V1ConfigMap } from '@kubernetes/client-node';
import { startFakeKubeApi, type FakeKubeApi } from '../../helpers/fake-kube-api.js';
import { kubeConfigFor, until } from './client.js';

let api: FakeKubeApi;

before(async () => {
  api = await startFakeKubeApi({ namespaces: ['chaos'] });
});
after(() => api.close());

/** Deterministic pseudo-random numbers (mulberry32), so a failure reproduces. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const snapshot = (objects: ReadonlyArray<{ metadata?: { name?: string; resourceVersion?: string } }>) =>
  objects.map((o) => `${o.metadata!.name}@${o.metadata!.resourceVersion}`).sort();

test('chaos: 1,000 mutations through clean drops, forced 410s, compaction and stalls leave the informer equal to the truth', { timeout: 20_000 }, async () => {
  const kc = kubeConfigFor(api);
  const core = kc.makeApiClient(CoreV1Api);
  const informer = new ListWatch<V1ConfigMap>('/api/v1/namespaces/chaos/configmaps', new Watch(kc), () => core.listNamespacedConfigMap({ namespace: 'chaos' }), false);
  const deletes = new Map<string, number>();
  const errors: unknown[] = [];
  const added = new Set<string>();
  informer.on('add', (o) => added.add(o.metadata!.name!));
  informer.on('delete', (o) => deletes.set(o.metadata!.name!, (deletes.get(o.metadata!.name!) ?? 0) + 1));
  informer.on('error', (e) => errors.push(e));
  await informer.start();
  const watching = () => until('the informer watching', () => api.openWatches('configmaps') > 0);
  await watching();
  const next = random(6);
  const live: string[] = [];
  const deleted = new Set<string>();
  let created = 0;
  let forced410 = 0;
  const lists = api.requestCount({ verb: 'list', resource: 'configmaps' });
  for (let i = 0; i < 1000; i++) {
    const roll = next();
    if (roll < 0.4 || live.length === 0) {
      const name = `cm-${created++}`;
      api.store.put('configmaps', { metadata: { name, namespace: 'chaos' }, data: { i: String(i) } });
      live.push(name);
    } else if (roll < 0.75) {
      api.store.put('configmaps', { metadata: { name: live[Math.floor(next() * live.length)]!, namespace: 'chaos' }, data: { i: String(i) } });
    } else {
      const [name] = live.splice(Math.floor(next() * live.length), 1);
      api.store.delete('configmaps', 'chaos', name!);
      deleted.add(name!);
    }
    if (i % 200 === 20) {
      await watching();
      api.dropWatches({ graceful: true }); // resumes from its resourceVersion: no relist
    } else if (i % 200 === 70) {
      await watching();
      api.failNextWatch('configmaps');
      api.dropWatches({ graceful: true });
      forced410++;
    } else if (i % 200 === 120) {
      await watching();
      api.stallWatches(60_000); // the informer falls behind while writes continue...
    } else if (i % 200 === 170) {
      api.compact(); // ...its position is compacted away, and its watch ends
      api.dropWatches({ graceful: true });
      api.resumeWatches();
      forced410++;
    }
    if (i % 10 === 0) await new Promise((r) => setImmediate(r));
  }
  await until('the informer catching up', () => snapshot(informer.list()).join() === snapshot(api.store.items('configmaps', 'chaos')).join(), 10_000);
  assert.deepEqual(errors, [], 'no watch errors (clean drops and 410s are not errors)');
  await informer.stop(); // (the library reports its own abort as an error)
  assert.equal(api.requestCount({ verb: 'list', resource: 'configmaps' }) - lists, forced410, 'one relist per 410');
  const known = [...deleted].filter((n) => added.has(n)); // created and deleted while it was not looking: never seen, nothing to delete
  assert.deepEqual([...deletes.keys()].sort(), known.sort(), 'every delete of a known object reported, nothing else');
  assert.ok([...deletes.values()].every((n) => n === 1), 'no duplicate deletes');
  assert.ok(deleted.size > 100 && live.length > 100);
});
