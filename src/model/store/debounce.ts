/**
 * Batches change notifications the way istiod does (PILOT_DEBOUNCE_AFTER / PILOT_DEBOUNCE_MAX):
 * a batch fires once no change arrived for `afterMs` (quiet period), or `maxMs` after its first
 * change at the latest. While `onBatch` runs (it may be async), new changes wait for the next
 * batch, so batches never overlap.
 */

export interface Scheduler {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realScheduler: Scheduler = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

export interface DebounceOptions {
  /** Quiet period; Istio's default 100ms. */
  readonly afterMs?: number;
  /** Longest delay after the first change of a batch; Istio's default 10s. */
  readonly maxMs?: number;
  readonly scheduler?: Scheduler;
  readonly onBatch: (changes: ReadonlySet<string>, timing: BatchTiming) => void | Promise<void>;
  /** A failing onBatch must not stop later batches. */
  readonly onError?: (err: unknown) => void;
}

/** When the batch's first change arrived and when the batch fired (scheduler ms). */
export interface BatchTiming {
  readonly firstEventAt: number;
  readonly firedAt: number;
}

export interface Debouncer {
  push(keys: Iterable<string>): void;
  /** Fires the pending batch now (if any) and waits for it. */
  flush(): Promise<void>;
  readonly pending: number;
  close(): void;
}

export const DEFAULT_DEBOUNCE_AFTER_MS = 100;
export const DEFAULT_DEBOUNCE_MAX_MS = 10_000;

export function createDebouncer(opts: DebounceOptions): Debouncer {
  const afterMs = opts.afterMs ?? DEFAULT_DEBOUNCE_AFTER_MS;
  const maxMs = opts.maxMs ?? DEFAULT_DEBOUNCE_MAX_MS;
  const clock = opts.scheduler ?? realScheduler;
  let pending = new Set<string>();
  let firstAt = 0;
  let lastAt = 0;
  let timer: unknown;
  let running: Promise<void> | undefined;
  let closed = false;

  const schedule = (ms: number) => {
    if (timer === undefined && !closed) timer = clock.setTimeout(check, Math.max(0, ms));
  };

  async function fire(): Promise<void> {
    const batch = pending;
    const timing = { firstEventAt: firstAt, firedAt: clock.now() };
    pending = new Set();
    try {
      await opts.onBatch(batch, timing);
    } catch (err) {
      opts.onError?.(err);
    }
  }

  function startFire(): Promise<void> {
    running = fire().finally(() => {
      running = undefined;
      if (pending.size > 0) check();
    });
    return running;
  }

  function check(): void {
    timer = undefined;
    if (running || pending.size === 0 || closed) return;
    const now = clock.now();
    const quiet = now - lastAt;
    const elapsed = now - firstAt;
    if (quiet >= afterMs || elapsed >= maxMs) void startFire();
    else schedule(Math.min(afterMs - quiet, maxMs - elapsed));
  }

  return {
    push(keys) {
      if (closed) return;
      const now = clock.now();
      const wasEmpty = pending.size === 0;
      for (const k of keys) pending.add(k);
      if (pending.size === 0) return;
      if (wasEmpty) firstAt = now;
      lastAt = now;
      if (!running) schedule(afterMs);
    },
    async flush() {
      if (running) await running;
      if (timer !== undefined) clock.clearTimeout(timer);
      timer = undefined;
      if (pending.size > 0 && !closed) await startFire();
    },
    get pending() {
      return pending.size;
    },
    close() {
      closed = true;
      if (timer !== undefined) clock.clearTimeout(timer);
      timer = undefined;
    },
  };
}
