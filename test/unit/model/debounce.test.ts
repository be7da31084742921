import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createDebouncer, type Scheduler } from '../../../src/model/store/debounce.js';

/** A manual clock: advance() runs due timers in order. */
function fakeScheduler() {
  let now = 0;
  let seq = 0;
  const timers = new Map<number, { at: number; fn: () => void }>();
  const scheduler: Scheduler = {
    now: () => now,
    setTimeout: (fn, ms) => {
      timers.set(++seq, { at: now + ms, fn });
      return seq;
    },
    clearTimeout: (h) => void timers.delete(h as number),
  };
  async function advance(ms: number) {
    const end = now + ms;
    for (;;) {
      const due = [...timers.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      timers.delete(due[0]);
      now = due[1].at;
      due[1].fn();
      await new Promise((r) => setImmediate(r));
    }
    now = end;
  }
  return { scheduler, advance };
}

test('fires once after the quiet period with merged keys', async () => {
  const { scheduler, advance } = fakeScheduler();
  const batches: string[][] = [];
  const d = createDebouncer({ afterMs: 100, maxMs: 10_000, scheduler, onBatch: (c) => void batches.push([...c].sort()) });
  d.push(['a']);
  await advance(50);
  d.push(['b', 'a']);
  await advance(99);
  assert.equal(batches.length, 0, 'still inside the quiet period of the second push');
  await advance(1);
  assert.deepEqual(batches, [['a', 'b']]);
});

test('a steady stream of changes still fires at maxMs', async () => {
  const { scheduler, advance } = fakeScheduler();
  const batches: number[] = [];
  const d = createDebouncer({ afterMs: 100, maxMs: 1000, scheduler, onBatch: (c) => void batches.push(c.size) });
  for (let i = 0; i < 15; i++) {
    d.push([`k${i}`]);
    await advance(80);
  }
  assert.equal(batches.length, 1);
  assert.ok((batches[0] ?? 0) >= 12 && (batches[0] ?? 0) <= 13, `batch size ${batches[0]}`);
});

test('changes during a running batch wait for the next one', async () => {
  const { scheduler, advance } = fakeScheduler();
  const batches: string[][] = [];
  let release!: () => void;
  const d = createDebouncer({
    afterMs: 10, maxMs: 100, scheduler,
    onBatch: (c) => {
      batches.push([...c]);
      return batches.length === 1 ? new Promise<void>((r) => (release = r)) : undefined;
    },
  });
  d.push(['a']);
  await advance(10);
  d.push(['b']);
  await advance(50);
  assert.deepEqual(batches, [['a']]);
  release();
  await new Promise((r) => setImmediate(r));
  await advance(10);
  assert.deepEqual(batches, [['a'], ['b']]);
});

test('flush fires immediately; a throwing onBatch is reported and later batches still run', async () => {
  const { scheduler } = fakeScheduler();
  const errors: unknown[] = [];
  let calls = 0;
  const d = createDebouncer({ scheduler, onError: (e) => errors.push(e), onBatch: () => { calls++; if (calls === 1) throw new Error('boom'); } });
  d.push(['x']);
  await d.flush();
  d.push(['y']);
  await d.flush();
  assert.equal(calls, 2);
  assert.equal(errors.length, 1);
  assert.equal(d.pending, 0);
});
