import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ChangeSet } from '../../../src/model/change-set.js';
import { messageType } from '../../../src/serve/proto/envoy-root.js';
import { encodeResourceBody } from '../../../src/serve/proto/encode.js';
import { mergeChanges, PushQueue } from '../../../src/serve/push-queue.js';
import { TokenBucket } from '../../../src/serve/rate-limiter.js';
import { encodeAny, encodeDeltaResponse, encodeSotwResponse } from '../../../src/serve/response-encoding.js';
import { SendBuffer, type Overflow } from '../../../src/serve/send-buffer.js';
import { nextDeltaSubscription, nextSotwSubscription } from '../../../src/serve/subscriptions.js';
import { resourceVersion, setVersion } from '../../../src/serve/versions.js';
import { CDS, cluster, EDS } from './harness.js';

const sorted = (s: ReadonlySet<string>) => [...s].sort();

test('SotW subscriptions: legacy wildcard, explicit *, named, and non-wildcard types', () => {
  const legacy = nextSotwSubscription(CDS, undefined, []);
  assert.deepEqual([legacy.wildcard, legacy.legacyWildcard], [true, true]);
  assert.equal(nextSotwSubscription(CDS, legacy, []).wildcard, true, 'stays wildcard while no names are sent');
  const named = nextSotwSubscription(CDS, legacy, ['a']);
  assert.deepEqual([named.wildcard, sorted(named.names)], [false, ['a']]);
  assert.equal(nextSotwSubscription(CDS, named, []).wildcard, false, 'an empty list after names unsubscribes all');
  const both = nextSotwSubscription(CDS, named, ['*', 'b']);
  assert.deepEqual([both.wildcard, sorted(both.names)], [true, ['b']]);
  const eds = nextSotwSubscription(EDS, undefined, []);
  assert.deepEqual([eds.wildcard, eds.names.size], [false, 0]);
  assert.equal(nextSotwSubscription(EDS, undefined, ['*']).wildcard, false);
});

test('delta subscriptions: legacy wildcard ends with the first named subscribe; * in and out', () => {
  const legacy = nextDeltaSubscription(CDS, undefined, [], []);
  assert.equal(legacy.wildcard, true);
  const named = nextDeltaSubscription(CDS, legacy, ['a'], []);
  assert.deepEqual([named.wildcard, sorted(named.names)], [false, ['a']]);
  const star = nextDeltaSubscription(CDS, named, ['*'], []);
  assert.deepEqual([star.wildcard, sorted(star.names)], [true, ['a']]);
  const off = nextDeltaSubscription(CDS, star, [], ['*', 'a']);
  assert.deepEqual([off.wildcard, off.names.size], [false, 0]);
  assert.equal(nextDeltaSubscription(EDS, undefined, [], []).wildcard, false);
});

const change = (over: Partial<ChangeSet>): ChangeSet => ({ fromVersion: 1, toVersion: 2, full: false, kinds: [], keys: [], servicesChanged: [], endpointsChanged: [], endpointsOnly: true, ...over });

test('the push queue merges: union of endpoints, full wins, newest version, earliest event', () => {
  const q = new PushQueue();
  assert.equal(q.enqueue(change({ toVersion: 2, endpointsChanged: ['a'] }), 100), true);
  assert.equal(q.enqueue(change({ toVersion: 3, endpointsChanged: ['b'] }), 50), false);
  const p = q.take()!;
  assert.deepEqual([p.changes.toVersion, p.changes.endpointsOnly, p.changes.endpointsChanged, p.firstEventAt], [3, true, ['a', 'b'], 50]);
  assert.equal(q.take(), undefined);
  assert.equal(mergeChanges(change({}), change({ endpointsOnly: false })).endpointsOnly, false);
  assert.equal(mergeChanges(change({ full: true }), change({})).full, true);
});

test('the token bucket admits a burst, then refills at its rate', () => {
  let now = 0;
  const bucket = new TokenBucket(2, 3, () => now);
  assert.deepEqual([bucket.tryTake(), bucket.tryTake(), bucket.tryTake(), bucket.tryTake()], [true, true, true, false]);
  now = 500;
  assert.deepEqual([bucket.tryTake(), bucket.tryTake()], [true, false]);
  bucket.close();
});

test('the send buffer reports overflow once, past the byte cap', () => {
  const seen: Overflow[] = [];
  const buffer = new SendBuffer({ maxBytes: 100, timeoutMs: 0 }, (o) => seen.push(o));
  const flushed = buffer.track(60);
  flushed();
  buffer.track(60);
  assert.equal(seen.length, 0);
  buffer.track(60);
  buffer.track(60);
  assert.deepEqual(seen, [{ reason: 'send_buffer_full', bytes: 120 }]);
  buffer.close();
});

test('hand-assembled responses decode as the real messages', () => {
  const { bytes } = encodeResourceBody(cluster('c1'));
  const any = encodeAny(CDS, bytes);
  const sotw = messageType('envoy.service.discovery.v3.DiscoveryResponse').toObject(
    messageType('envoy.service.discovery.v3.DiscoveryResponse').decode(encodeSotwResponse({ typeUrl: CDS, versionInfo: 'v1', nonce: 'n1', resources: [{ any }, { any }] })),
  );
  assert.deepEqual([sotw.version_info, sotw.type_url, sotw.nonce, sotw.resources.length], ['v1', CDS, 'n1', 2]);
  assert.deepEqual(Buffer.from(sotw.resources[0].value), Buffer.from(bytes));
  const deltaType = messageType('envoy.service.discovery.v3.DeltaDiscoveryResponse');
  const delta = deltaType.toObject(deltaType.decode(encodeDeltaResponse({ typeUrl: CDS, systemVersionInfo: 's', nonce: 'n2', resources: [{ name: 'c1', version: 'r1', any }], removed: ['gone'] })));
  assert.deepEqual([delta.system_version_info, delta.nonce, delta.removed_resources, delta.resources[0].name, delta.resources[0].version], ['s', 'n2', ['gone'], 'c1', 'r1']);
  assert.equal(delta.resources[0].resource.type_url, CDS);
});

test('versions follow content only', () => {
  const a = encodeResourceBody(cluster('c1')).bytes;
  const b = encodeResourceBody(cluster('c1', 2)).bytes;
  assert.equal(resourceVersion(a), resourceVersion(Uint8Array.from(a)));
  assert.notEqual(resourceVersion(a), resourceVersion(b));
  assert.equal(setVersion([{ name: 'x', version: '1' }, { name: 'y', version: '2' }]), setVersion([{ name: 'y', version: '2' }, { name: 'x', version: '1' }]));
  assert.notEqual(setVersion([{ name: 'x', version: '1' }]), setVersion([{ name: 'x', version: '2' }]));
});

test('the throttle bounds pushes in flight (a push lasts until its bytes flush) and starts one per turn', async () => {
  const { Throttle } = await import('../../../src/serve/throttle.js');
  const throttle = new Throttle(2, (e) => assert.fail(String(e)));
  let running = 0;
  let peak = 0;
  let finished = 0;
  const releases: Array<() => void> = [];
  for (let i = 0; i < 5; i++) {
    throttle.submit(async () => {
      running++;
      peak = Math.max(peak, running);
      await new Promise<void>((resolve) => releases.push(resolve));
      running--;
      finished++;
    });
  }
  assert.equal(running, 0, 'nothing starts inside submit()');
  await new Promise((r) => setImmediate(r));
  assert.equal(running, 1, 'one push starts per event-loop turn');
  const until = async (what: string, check: () => boolean) => {
    for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 2));
    assert.ok(check(), what);
  };
  await until('two pushes in flight', () => running === 2);
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(running, 2, 'the other three wait while two are in flight');
  while (finished < 5) {
    releases.shift()?.();
    await until('the next push to start or all to finish', () => releases.length > 0 || finished === 5);
  }
  assert.equal(peak, 2);
});

test('the send buffer tells when everything tracked has flushed', async () => {
  const buffer = new SendBuffer({ maxBytes: 1000, timeoutMs: 0 }, () => assert.fail('no overflow expected'));
  await buffer.drained(); // nothing pending: resolves at once
  const a = buffer.track(10);
  const b = buffer.track(20);
  let drained = false;
  void buffer.drained().then(() => (drained = true));
  a();
  await new Promise((r) => setImmediate(r));
  assert.equal(drained, false, 'one write is still unflushed');
  b();
  await new Promise((r) => setImmediate(r));
  assert.equal(drained, true);
});
