/**
 * Capped exponential backoff with jitter for informer restarts (pure: randomness passed in).
 * Defaults follow client-go's reflector: 800 ms initial, doubling, 30 s cap, and "full" jitter
 * on top (up to +100%), so a fleet of replicas does not reconnect in lockstep.
 */
export interface BackoffPolicy {
  readonly initialMs: number;
  readonly maxMs: number;
  readonly factor: number;
  /** Extra random delay as a fraction of the computed delay (0 = none, 1 = up to double). */
  readonly jitter: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = Object.freeze({ initialMs: 800, maxMs: 30_000, factor: 2, jitter: 1 });

/**
 * The delay before retry number `attempt` (1 = the first retry after one failure).
 * `random` returns [0, 1). The result never exceeds maxMs * (1 + jitter).
 */
export function backoffDelay(attempt: number, policy: BackoffPolicy = DEFAULT_BACKOFF, random: () => number = Math.random): number {
  if (attempt <= 0) return 0;
  // Cap the exponent first so a long outage cannot overflow to Infinity.
  const exponent = Math.min(attempt - 1, 64);
  const base = Math.min(policy.maxMs, policy.initialMs * policy.factor ** exponent);
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.round(base * (1 + policy.jitter * r));
}
