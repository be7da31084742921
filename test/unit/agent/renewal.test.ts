import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renewalDelay, retryDelay } from '../../../src/agent/renewal.js';
import { AGENT_DEFAULTS } from '../../../src/agent/options.js';

const policy = { gracePeriodRatio: AGENT_DEFAULTS.gracePeriodRatio, gracePeriodRatioJitter: AGENT_DEFAULTS.gracePeriodRatioJitter };
const cert = { receivedAtMs: 1_000_000, notAfterMs: 1_000_000 + 10_000 };

test('renewal falls between 50% and 80% of the lifetime, spread by the random source', () => {
  const at = (r: number) => renewalDelay(policy, cert, cert.receivedAtMs, () => r);
  assert.equal(at(0).delayMs, 8000, 'the smallest grace period renews latest');
  assert.equal(at(0.5).delayMs, 6500);
  assert.equal(at(1).delayMs, 5000);
  for (let i = 0; i < 200; i++) {
    const { delayMs, atFraction } = at(Math.random());
    assert.ok(atFraction >= 0.5 - 1e-9 && atFraction <= 0.8 + 1e-9 && delayMs >= 5000 && delayMs <= 8000, `${atFraction}`);
  }
});

test('Istio semantics: renew when SECRET_GRACE_PERIOD_RATIO of the lifetime is left; late starts renew at once', () => {
  const istio = { gracePeriodRatio: 0.5, gracePeriodRatioJitter: 0.01 };
  assert.equal(renewalDelay(istio, { receivedAtMs: 0, notAfterMs: 86_400_000 }, 0, () => 0.5).delayMs, 43_200_000);
  assert.equal(renewalDelay(istio, { receivedAtMs: 0, notAfterMs: 86_400_000 }, 3_600_000, () => 0.5).delayMs, 39_600_000, 'counted from now');
  assert.equal(renewalDelay(policy, cert, cert.notAfterMs + 1, () => 0.5).delayMs, 0, 'already past the renewal point');
});

test('retries back off exponentially up to the cap, with at most 20% random added', () => {
  assert.deepEqual([1, 2, 3, 4, 10, 100].map((n) => retryDelay(n, 1000, 30_000, () => 0)), [1000, 2000, 4000, 8000, 30_000, 30_000]);
  assert.equal(retryDelay(1, 1000, 30_000, () => 1), 1200);
});
