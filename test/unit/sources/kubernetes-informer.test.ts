import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createInformer, type Informer } from '../../../src/sources/kubernetes/informer.js';
import { reconcile, type KubeObject } from '../../../src/sources/kubernetes/object-cache.js';
import { KubeApiError, type ListResult, type ListWatchTransport, type WatchEventHandler, type WatchParams } from '../../../src/sources/kubernetes/transport.js';
import { waitFor } from '../../helpers/wait-for.js';

const FAST = { initialMs: 1, maxMs: 4, factor: 2, jitter: 0 };

function obj(name: string, rv: string, ns = 'default'): KubeObject {
  return { metadata: { name, namespace: ns, resourceVersion: rv } };
}

interface ScriptedWatch {
  readonly params: WatchParams;
  emit(type: string, object: KubeObject): void;
  end(err?: unknown): void;
  aborted: boolean;
}

/** A transport the test drives: lists answer from a queue, each watch is handed to the test. */
class ScriptedTransport implements ListWatchTransport {
  readonly lists: Array<ListResult | Error> = [];
  readonly watches: ScriptedWatch[] = [];
  listCalls = 0;

  async list(): Promise<ListResult> {
    this.listCalls++;
    const next = this.lists.shift();
    if (!next) throw new Error('no list scripted');
    if (next instanceof Error) throw next;
    return next;
  }

  async watch(_path: string, params: WatchParams, onEvent: WatchEventHandler, onDone: (err: unknown) => void) {
    let done = false;
    const w: ScriptedWatch = {
      params,
      aborted: false,
      emit: (type, object) => !done && onEvent(type, object),
      end: (err) => {
        if (done) return;
        done = true;
        onDone(err ?? null);
      },
    };
    this.watches.push(w);
    return { abort: () => ((w.aborted = true), w.end()) };
  }

  async nextWatch(count: number): Promise<ScriptedWatch> {
    return (await waitFor(`watch #${count}`, () => this.watches[count - 1]))!;
  }
}

function recorder(): { calls: string[]; handlers: { upsert(o: KubeObject): void; remove(o: KubeObject): void } } {
  const calls: string[] = [];
  return {
    calls,
    handlers: {
      upsert: (o) => calls.push(`upsert ${o.metadata!.name}@${o.metadata!.resourceVersion}`),
      remove: (o) => calls.push(`remove ${o.metadata!.name}`),
    },
  };
}

async function started(t: ScriptedTransport, extra: Partial<Parameters<typeof createInformer>[0]> = {}): Promise<{ informer: Informer; calls: string[] }> {
  const r = recorder();
  const informer = createInformer({ name: 'Thing', path: '/api/v1/things', transport: t, handlers: r.handlers, backoff: FAST, random: () => 0, ...extra });
  informer.start();
  return { informer, calls: r.calls };
}

test('list then watch from the list resourceVersion with bookmarks; synced after the first list', async () => {
  const t = new ScriptedTransport();
  t.lists.push({ items: [obj('a', '5'), obj('b', '6')], resourceVersion: '10' });
  const { informer, calls } = await started(t);
  await informer.whenSynced();
  assert.equal(informer.synced, true);
  const w = await t.nextWatch(1);
  assert.equal(w.params.resourceVersion, '10');
  assert.equal(w.params.allowWatchBookmarks, true);
  w.emit('ADDED', obj('c', '11'));
  w.emit('MODIFIED', obj('a', '12'));
  w.emit('DELETED', obj('b', '13'));
  assert.deepEqual(calls, ['upsert a@5', 'upsert b@6', 'upsert c@11', 'upsert a@12', 'remove b']);
  assert.deepEqual(informer.objects().map((o) => o.metadata!.name).sort(), ['a', 'c']);
  informer.close();
});

test('a dropped watch resumes from the last event or bookmark, without relisting or repeating events', async () => {
  const t = new ScriptedTransport();
  t.lists.push({ items: [obj('a', '5')], resourceVersion: '10' });
  const { informer, calls } = await started(t);
  const w1 = await t.nextWatch(1);
  w1.emit('ADDED', obj('b', '11'));
  w1.emit('BOOKMARK', { metadata: { resourceVersion: '20' } });
  w1.end(new Error('connection reset'));
  const w2 = await t.nextWatch(2);
  assert.equal(w2.params.resourceVersion, '20', 'the bookmark advanced the resume point');
  // The server replays nothing older; a duplicate of a delivered version is ignored anyway.
  w2.emit('MODIFIED', obj('b', '11'));
  w2.emit('MODIFIED', obj('b', '21'));
  w2.end();
  const w3 = await t.nextWatch(3);
  assert.equal(w3.params.resourceVersion, '21');
  assert.equal(t.listCalls, 1);
  assert.deepEqual(calls, ['upsert a@5', 'upsert b@11', 'upsert b@21']);
  assert.equal(informer.stats().watchFailures, 1);
  informer.close();
});

test('410 Gone as an ERROR event: exactly one relist, and the cache reconciled with one delete per vanished object', async () => {
  const t = new ScriptedTransport();
  t.lists.push({ items: [obj('a', '5'), obj('b', '6'), obj('c', '7')], resourceVersion: '10' });
  const { informer, calls } = await started(t);
  const w1 = await t.nextWatch(1);
  w1.emit('DELETED', obj('c', '11'));
  // While we were away: b deleted, a changed, d created; the old watch position was compacted.
  t.lists.push({ items: [obj('a', '30'), obj('d', '31')], resourceVersion: '40' });
  w1.emit('ERROR', { kind: 'Status', code: 410, reason: 'Expired', message: 'too old resource version' } as KubeObject);
  w1.end();
  const w2 = await t.nextWatch(2);
  assert.equal(w2.params.resourceVersion, '40');
  assert.deepEqual(calls, ['upsert a@5', 'upsert b@6', 'upsert c@7', 'remove c', 'remove b', 'upsert a@30', 'upsert d@31']);
  assert.equal(t.listCalls, 2);
  assert.deepEqual(informer.stats().relistsAfterGone, 1);
  assert.deepEqual(informer.stats().goneSeen, 1);
  // A DELETED for an object the relist already removed is not a second delete.
  w2.emit('DELETED', obj('b', '41'));
  assert.equal(calls.filter((c) => c === 'remove b').length, 1);
  informer.close();
});

test('410 Gone as the HTTP status of the watch request also relists exactly once', async () => {
  const t = new ScriptedTransport();
  t.lists.push({ items: [obj('a', '5')], resourceVersion: '10' });
  const { informer } = await started(t);
  const w1 = await t.nextWatch(1);
  w1.emit('ADDED', obj('b', '11'));
  t.lists.push({ items: [obj('a', '5'), obj('b', '11')], resourceVersion: '50' });
  w1.end(new KubeApiError(410, 'Gone'));
  const w2 = await t.nextWatch(2);
  assert.equal(w2.params.resourceVersion, '50');
  assert.equal(t.listCalls, 2);
  assert.equal(informer.stats().relistsAfterGone, 1);
  informer.close();
});

test('a failing list is retried with backoff and the informer is not synced until it succeeds', async () => {
  const t = new ScriptedTransport();
  t.lists.push(new KubeApiError(500, 'etcd unavailable'), new KubeApiError(503, 'still'), { items: [obj('a', '1')], resourceVersion: '2' });
  const { informer, calls } = await started(t);
  await waitFor('second list attempt', () => t.listCalls >= 2);
  await informer.whenSynced();
  assert.equal(t.listCalls, 3);
  assert.deepEqual(calls, ['upsert a@1']);
  informer.close();
});

test('a kind the server does not serve (404) counts as synced and empty, and keeps being retried', async () => {
  const t = new ScriptedTransport();
  t.lists.push(new KubeApiError(404, 'the server could not find the requested resource'), { items: [obj('late', '3')], resourceVersion: '4' });
  const { informer, calls } = await started(t);
  await informer.whenSynced();
  await t.nextWatch(1);
  assert.deepEqual(calls, ['upsert late@3'], 'the CRD installed later is picked up');
  informer.close();
});

test('resync relists and repairs drift: an object the watch never reported is added and a stale one deleted', async () => {
  const t = new ScriptedTransport();
  t.lists.push({ items: [obj('a', '1'), obj('stale', '2')], resourceVersion: '3' });
  const { informer, calls } = await started(t, { resyncMs: 30 });
  await t.nextWatch(1);
  t.lists.push({ items: [obj('a', '1'), obj('missed', '4')], resourceVersion: '5' });
  const w2 = await t.nextWatch(2);
  assert.equal(w2.params.resourceVersion, '5');
  assert.ok(t.watches[0]!.aborted, 'the running watch was replaced');
  assert.deepEqual(calls, ['upsert a@1', 'upsert stale@2', 'remove stale', 'upsert missed@4']);
  assert.equal(informer.stats().relistsAfterGone, 0);
  informer.close();
});

test('a throwing handler is logged and the informer keeps going', async () => {
  const t = new ScriptedTransport();
  t.lists.push({ items: [obj('a', '1')], resourceVersion: '2' });
  const seen: string[] = [];
  const informer = createInformer({
    name: 'Thing', path: '/x', transport: t, backoff: FAST,
    handlers: { upsert: (o) => { seen.push(o.metadata!.name!); throw new Error('boom'); }, remove: () => undefined },
  });
  informer.start();
  const w = await t.nextWatch(1);
  w.emit('ADDED', obj('b', '3'));
  assert.deepEqual(seen, ['a', 'b']);
  informer.close();
});

test('close stops the informer: the watch is aborted and no restart follows', async () => {
  const t = new ScriptedTransport();
  t.lists.push({ items: [], resourceVersion: '1' });
  const { informer } = await started(t);
  const w = await t.nextWatch(1);
  informer.close();
  assert.ok(w.aborted);
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(t.watches.length, 1);
});

test('the transform runs once per listed item: by the transport when it says transformed, else by the informer', async () => {
  const tag = (o: KubeObject): KubeObject => ({ metadata: { ...o.metadata, name: `${String(o.metadata?.name)}+t` } });
  for (const byTransport of [true, false]) {
    const t = new ScriptedTransport();
    let given: ((item: KubeObject) => KubeObject | undefined) | undefined;
    t.list = async (_path?: string, _signal?: AbortSignal, transform?: (item: KubeObject) => KubeObject | undefined) => {
      given = transform;
      const items = [obj('a', '5'), obj('b', '6')];
      return byTransport ? { items: items.map((i) => transform!(i)!), resourceVersion: '10', transformed: true } : { items, resourceVersion: '10' };
    };
    const { informer, calls } = await started(t, { transform: tag });
    await informer.whenSynced();
    assert.equal(typeof given, 'function');
    assert.deepEqual(calls, ['upsert a+t@5', 'upsert b+t@6'], `byTransport=${byTransport}`);
    informer.close();
  }
});

test('reconcile returns each vanished object once and skips unchanged versions', () => {
  const cache = new Map<string, KubeObject>([['default/a', obj('a', '1')], ['default/b', obj('b', '2')]]);
  const r1 = reconcile(cache, [obj('a', '1'), obj('c', '3')]);
  assert.deepEqual(r1.deletes.map((o) => o.metadata!.name), ['b']);
  assert.deepEqual(r1.upserts.map((o) => o.metadata!.name), ['c']);
  const r2 = reconcile(cache, [obj('a', '1'), obj('c', '3')]);
  assert.deepEqual(r2, { upserts: [], deletes: [] });
});
