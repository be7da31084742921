/**
 * When to renew and how long to wait after a failure. Pure: the clock and the random source are
 * arguments. Istio's SECRET_GRACE_PERIOD_RATIO semantics: renew when `ratio` of the lifetime is
 * left, the ratio moved by a uniform random ±jitter per certificate so that workloads started
 * together do not renew together. The lifetime counts from when the agent received the
 * certificate (the CA backdates notBefore for clock skew), as istio-agent's secret cache does.
 */

export interface RenewalPolicy {
  readonly gracePeriodRatio: number;
  readonly gracePeriodRatioJitter: number;
}

/** Milliseconds from `now` until renewal (0 = at once), and the fraction of the lifetime it falls at. */
export function renewalDelay(
  policy: RenewalPolicy,
  cert: { readonly receivedAtMs: number; readonly notAfterMs: number },
  nowMs: number,
  random: () => number,
): { readonly delayMs: number; readonly atFraction: number } {
  const lifetime = Math.max(0, cert.notAfterMs - cert.receivedAtMs);
  const grace = policy.gracePeriodRatio + policy.gracePeriodRatioJitter * (2 * random() - 1);
  const atFraction = 1 - grace;
  const renewAt = cert.receivedAtMs + atFraction * lifetime;
  return { delayMs: Math.max(0, Math.round(renewAt - nowMs)), atFraction };
}

/**
 * The wait before retry `attempt` (1-based): doubling from `initialMs` up to `maxMs`, with up to
 * up to 20% random added so that many agents failing together do not retry together.
 */
export function retryDelay(attempt: number, initialMs: number, maxMs: number, random: () => number): number {
  const base = Math.min(maxMs, initialMs * 2 ** Math.min(30, Math.max(0, attempt - 1)));
  return Math.round(base * (1 + 0.2 * random()));
}
