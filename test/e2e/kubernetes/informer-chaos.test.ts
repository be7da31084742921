/**
 * The Kubernetes source with the real client library (client-node's Watch, the kubeconfig's TLS
 * and token) against the fake API server: watch drops, 410 Gone after compaction and stalls.
 * Afterwards the sink must equal the server's truth, with no missed, duplicate or stray events.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeKubeApi, type FakeKubeApi, type StoreEvent } from '../../helpers/fake-kube-api.js';
import { waitFor } from '../../helpers/wait-for.js';
import { connectKube } from '../../../src/sources/kubernetes/client-config.js';
import { createKubernetesSource, type KubernetesSource } from '../../../src/sources/kubernetes/kube-source.js';
import { createValidator } from '../../../src/model/validation/validate.js';
import { kindInfo } from '../../../src/model/kinds.js';
import { silentLogger } from '../../../src/lib/logger.js';
import { objectKey, refOf, type ConfigObject, type ObjectRef } from '../../../src/model/config.js';
import type { ConfigSink } from '../../../src/sources/file/config-files.js';

const validator = createValidator();
const FAST = { initialMs: 5, maxMs: 50, factor: 2, jitter: 0.5 };
const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A sink that checks the source's contract: no remove of an absent object, no repeated version. */
class StrictSink implements ConfigSink {
  readonly objects = new Map<string, ConfigObject>();
  readonly violations: string[] = [];
  readonly upserts: string[] = [];
  readonly removes: string[] = [];

  upsert(obj: ConfigObject): void {
    const key = objectKey(refOf(obj));
    const rv = obj.metadata.resourceVersion;
    if (this.objects.get(key)?.metadata.resourceVersion === rv) this.violations.push(`duplicate upsert ${key}@${rv}`);
    this.objects.set(key, obj);
    this.upserts.push(`${key}@${rv}`);
  }

  remove(ref: ObjectRef): void {
    const key = objectKey(ref);
    if (!this.objects.delete(key)) this.violations.push(`remove of absent ${key}`);
    this.removes.push(key);
  }
}

function pod(name: string, label: string): { metadata: { name: string; namespace: string; labels: Record<string, string> }; spec: object } {
  return { metadata: { name, namespace: 'default', labels: { v: label } }, spec: { containers: [{ name: 'c', image: 'img' }] } };
}

/** Pod key → resourceVersion as the server has it now. */
function truth(api: FakeKubeApi): Map<string, string> {
  return new Map(api.store.items('pods').map((p) => [`Pod/${p.metadata.namespace}/${p.metadata.name}`, String(p.metadata.resourceVersion)]));
}

function seen(sink: StrictSink): Map<string, string> {
  return new Map([...sink.objects].map(([k, o]) => [k, String(o.metadata.resourceVersion)]));
}

async function setup(): Promise<{ api: FakeKubeApi; sink: StrictSink; source: KubernetesSource; events: StoreEvent[] }> {
  const api = await startFakeKubeApi();
  const dir = mkdtempSync(join(tmpdir(), 'kube-chaos-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'kubeconfig'), api.kubeconfig());
  for (let i = 0; i < 5; i++) api.store.put('pods', pod(`p${i}`, '0'));
  const events: StoreEvent[] = [];
  api.store.subscribe((e) => e.resource.plural === 'pods' && events.push(e));
  const sink = new StrictSink();
  const source = createKubernetesSource({
    transport: connectKube({ mode: 'kubeconfig', file: join(dir, 'kubeconfig') }),
    validator, sink, logger: silentLogger, clusterID: 'test', kinds: [kindInfo('Pod')], backoff: FAST,
  });
  await source.start();
  assert.equal(source.synced, true);
  await waitFor('the pod watch', () => api.openWatches('pods') === 1);
  return { api, sink, source, events };
}

async function converged(api: FakeKubeApi, sink: StrictSink): Promise<void> {
  await waitFor('the source to equal the server', () => JSON.stringify([...seen(sink)].sort()) === JSON.stringify([...truth(api)].sort()), 10_000);
}

test('a dropped watch resumes from its resourceVersion: every change once, no relist', async () => {
  const { api, sink, source, events } = await setup();
  try {
    assert.equal(sink.objects.size, 5);
    const before = sink.upserts.length;
    // Reset the connection, then change things in the same tick: the watch is down meanwhile.
    assert.equal(api.dropWatches({ resource: 'pods' }), 1);
    api.store.put('pods', pod('p1', '1'));
    api.store.put('pods', pod('p1', '2'));
    api.store.delete('pods', 'default', 'p2');
    api.store.put('pods', pod('new', '1'));
    await converged(api, sink);
    const expected = events.filter((e) => e.type !== 'DELETED').map((e) => `Pod/default/${e.object.metadata.name}@${e.object.metadata.resourceVersion}`);
    assert.deepEqual(sink.upserts.slice(before), expected, 'each version delivered once, in order (p1 twice: both versions)');
    assert.deepEqual(sink.removes, ['Pod/default/p2']);
    assert.deepEqual(sink.violations, []);
    assert.equal(api.requestCount({ verb: 'list', resource: 'pods' }), 1, 'resumed, not relisted');
    // A clean server-side end (timeout) resumes the same way.
    api.dropWatches({ resource: 'pods', graceful: true });
    api.store.put('pods', pod('p3', '9'));
    await converged(api, sink);
    assert.equal(api.requestCount({ verb: 'list', resource: 'pods' }), 1);
  } finally {
    await source.close();
    await api.close();
  }
});

test('410 Gone after compaction: exactly one relist, deletes for what vanished, then the cache equals the truth', async () => {
  const { api, sink, source } = await setup();
  try {
    api.dropWatches({ resource: 'pods' });
    api.store.delete('pods', 'default', 'p0');
    api.store.delete('pods', 'default', 'p4');
    api.store.put('pods', pod('p1', 'changed'));
    api.store.put('pods', pod('fresh', '1'));
    api.compact();
    await converged(api, sink);
    await waitFor('the watch after the relist', () => api.openWatches('pods') === 1);
    const stats = source.status().Pod!;
    assert.equal(stats.goneSeen, 1);
    assert.equal(stats.relistsAfterGone, 1);
    assert.equal(api.requestCount({ verb: 'list', resource: 'pods' }), 2, 'the initial list and one relist');
    assert.deepEqual([...sink.removes].sort(), ['Pod/default/p0', 'Pod/default/p4']);
    assert.deepEqual(sink.violations, []);
    // 410 as an ERROR event on a fresh watch (the fake's failNextWatch) is one more relist.
    api.failNextWatch('pods');
    api.dropWatches({ resource: 'pods', graceful: true });
    api.store.delete('pods', 'default', 'fresh');
    await converged(api, sink);
    await waitFor('the second relist', () => source.status().Pod!.relistsAfterGone === 2);
    assert.equal(source.status().Pod!.goneSeen, 2);
    assert.deepEqual(sink.violations, []);
  } finally {
    await source.close();
    await api.close();
  }
});

test('chaos: drops, 410s and a 2 s stall during 1,000 mutations; the source ends equal to the truth', async () => {
  const { api, sink, source } = await setup();
  try {
    const names = Array.from({ length: 40 }, (_, i) => `c${i}`);
    for (let i = 0; i < 1000; i++) {
      const name = names[(i * 7) % names.length]!;
      if (i % 5 === 4) api.store.delete('pods', 'default', name);
      else api.store.put('pods', pod(name, String(i)));
      if (i === 150) api.dropWatches({ resource: 'pods' });
      if (i === 300) api.stallWatches(2000); // writes keep coming while the watch is silent
      if (i === 550) {
        api.dropWatches({ resource: 'pods' });
        api.compact();
      }
      if (i === 800) api.failNextWatch('pods');
      if (i === 801) api.dropWatches({ resource: 'pods', graceful: true });
      if (i % 25 === 0) await new Promise((r) => setTimeout(r, 5));
      if (i === 400) await new Promise((r) => setTimeout(r, 2100)); // let the stall run out mid-storm
    }
    await converged(api, sink);
    const stats = source.status().Pod!;
    assert.equal(stats.relistsAfterGone, stats.goneSeen, 'one relist per 410');
    assert.ok(stats.goneSeen >= 1);
    assert.equal(api.requestCount({ verb: 'list', resource: 'pods' }), 1 + stats.goneSeen);
    assert.deepEqual(sink.violations, []);
  } finally {
    await source.close();
    await api.close();
  }
});
