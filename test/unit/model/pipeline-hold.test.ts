import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createModelPipeline } from '../../../src/model/store/index.js';
import { registryOptions, type Snapshot } from '../../../src/model/snapshot.js';
import type { Scheduler } from '../../../src/model/store/debounce.js';
import { pod, service } from './fixtures.js';

/** A scheduler the test advances by hand. */
function manualClock(): Scheduler & { advance(ms: number): void } {
  let now = 0;
  const timers = new Map<number, { at: number; fn: () => void }>();
  let nextId = 1;
  return {
    now: () => now,
    setTimeout: (fn, ms) => (timers.set(nextId, { at: now + ms, fn }), nextId++),
    clearTimeout: (h) => void timers.delete(h as number),
    advance(ms) {
      now += ms;
      for (const [id, t] of [...timers]) if (t.at <= now) (timers.delete(id), t.fn());
    },
  };
}

test('holdUntilFlush: quiet periods during the initial sync build nothing; the first flush builds everything once', async () => {
  const seen: Snapshot[] = [];
  const clock = manualClock();
  const p = createModelPipeline({ registry: registryOptions(), debounceAfterMs: 10, scheduler: clock, holdUntilFlush: true, onSnapshot: (s) => void seen.push(s) });
  p.store.upsert(service('web', 'ns', { selector: { app: 'web' }, ports: [{ name: 'http', port: 80 }] }));
  clock.advance(50);
  await new Promise((r) => setImmediate(r));
  p.store.upsert(pod('w1', 'ns', { app: 'web' }, '10.1.0.1'));
  clock.advance(50);
  await new Promise((r) => setImmediate(r));
  assert.equal(seen.length, 0, 'no partial snapshot while holding');
  await p.flush();
  assert.equal(seen.length, 1);
  assert.equal(p.current()?.configs.size, 2);
  // After the first flush, debounced batches build snapshots as usual.
  p.store.upsert(pod('w2', 'ns', { app: 'web' }, '10.1.0.2'));
  clock.advance(50);
  await new Promise((r) => setImmediate(r));
  assert.equal(seen.length, 2);
  p.close();
});
