/**
 * A token bucket for status writes, as client-go's rest.Config QPS/Burst limit them in istiod
 * (PILOT_STATUS_QPS, PILOT_STATUS_BURST): `burst` writes at once, then `qps` per second.
 */
export interface TokenBucket {
  /** Milliseconds to wait before a token is available (0: take one now with `take`). */
  delayMs(): number;
  /** Takes a token; false when none is available yet. */
  take(): boolean;
}

export function createTokenBucket(qps: number, burst: number, now: () => number = Date.now): TokenBucket {
  if (!(qps > 0) || !(burst >= 1)) throw new Error(`status rate limit needs qps > 0 and burst >= 1, got qps ${qps}, burst ${burst}`);
  let tokens = burst;
  let at = now();
  const refill = () => {
    const t = now();
    tokens = Math.min(burst, tokens + ((t - at) / 1000) * qps);
    at = t;
  };
  return {
    delayMs() {
      refill();
      return tokens >= 1 ? 0 : Math.ceil(((1 - tokens) / qps) * 1000);
    },
    take() {
      refill();
      if (tokens < 1) return false;
      tokens -= 1;
      return true;
    },
  };
}
