import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backoffDelay, DEFAULT_BACKOFF } from '../../../src/sources/kubernetes/backoff.js';

const noJitter = () => 0;

test('backoff doubles from the initial delay and stops at the cap', () => {
  const delays = [1, 2, 3, 4, 5, 6, 7, 8].map((n) => backoffDelay(n, DEFAULT_BACKOFF, noJitter));
  assert.deepEqual(delays, [800, 1600, 3200, 6400, 12_800, 25_600, 30_000, 30_000]);
  assert.equal(backoffDelay(0, DEFAULT_BACKOFF, noJitter), 0, 'no failure, no wait');
  assert.equal(backoffDelay(10_000, DEFAULT_BACKOFF, noJitter), 30_000, 'a long outage stays finite and capped');
});

test('jitter adds up to the jitter fraction of the delay, never more', () => {
  const policy = { initialMs: 100, maxMs: 1000, factor: 2, jitter: 0.5 };
  assert.equal(backoffDelay(1, policy, () => 0), 100);
  assert.equal(backoffDelay(1, policy, () => 0.5), 125);
  assert.equal(backoffDelay(1, policy, () => 0.999999), 150);
  assert.equal(backoffDelay(20, policy, () => 0.999999), 1500);
  // A misbehaving random source cannot push the delay outside the bounds.
  assert.equal(backoffDelay(1, policy, () => 7), 150);
  assert.equal(backoffDelay(1, policy, () => -3), 100);
});
