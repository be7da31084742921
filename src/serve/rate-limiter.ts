/**
 * A token bucket for new ADS streams: `perSecond` tokens refill continuously up to `burst`.
 * A stream that finds the bucket empty waits in FIFO order for a token, at most `maxWaitMs`;
 * then it is refused (the caller answers RESOURCE_EXHAUSTED and the client backs off).
 */
export class TokenBucket {
  private tokens: number;
  private last: number;
  private readonly waiters: Array<{ resolve: (ok: boolean) => void; timer: NodeJS.Timeout }> = [];
  private wakeTimer: NodeJS.Timeout | undefined;

  constructor(private readonly perSecond: number, private readonly burst: number, private readonly now: () => number = Date.now) {
    this.tokens = Math.max(1, burst);
    this.last = now();
  }

  /** Takes a token now if one is available and nobody is queued ahead. */
  tryTake(): boolean {
    this.refill();
    if (this.waiters.length > 0 || this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Resolves true once a token was taken, false after `maxWaitMs` without one. */
  take(maxWaitMs: number): Promise<boolean> {
    if (this.tryTake()) return Promise.resolve(true);
    if (this.perSecond <= 0 || maxWaitMs <= 0) return Promise.resolve(false);
    return new Promise((resolve) => {
      const waiter = {
        resolve,
        timer: setTimeout(() => {
          const i = this.waiters.indexOf(waiter);
          if (i >= 0) this.waiters.splice(i, 1);
          resolve(false);
        }, maxWaitMs),
      };
      this.waiters.push(waiter);
      this.scheduleWake();
    });
  }

  /** Refuses every waiting stream (server shutting down). */
  close(): void {
    for (const w of this.waiters.splice(0)) {
      clearTimeout(w.timer);
      w.resolve(false);
    }
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    this.wakeTimer = undefined;
  }

  private refill(): void {
    const now = this.now();
    this.tokens = Math.min(Math.max(1, this.burst), this.tokens + ((now - this.last) / 1000) * this.perSecond);
    this.last = now;
  }

  private scheduleWake(): void {
    if (this.wakeTimer || this.waiters.length === 0) return;
    const delay = Math.max(1, Math.ceil(((1 - this.tokens) / this.perSecond) * 1000));
    this.wakeTimer = setTimeout(() => {
      this.wakeTimer = undefined;
      this.refill();
      while (this.waiters.length > 0 && this.tokens >= 1) {
        const w = this.waiters.shift()!;
        clearTimeout(w.timer);
        this.tokens -= 1;
        w.resolve(true);
      }
      this.scheduleWake();
    }, delay);
    this.wakeTimer.unref();
  }
}
