/**
 * Per-connection accounting of response bytes handed to gRPC but not yet flushed to the
 * socket (grpc-js calls a write's callback once HTTP/2 flow control let it out). A client
 * that stops reading makes this grow; past the cap, or when the oldest write waits longer
 * than the deadline, the owner is told to cut the connection off. Nothing here ever waits,
 * so a slow client never delays the others.
 */
export type Overflow = { reason: 'send_buffer_full'; bytes: number } | { reason: 'send_timeout'; waitedMs: number };

export interface SendBufferLimits {
  readonly maxBytes: number;
  /** 0 = no deadline. */
  readonly timeoutMs: number;
}

export class SendBuffer {
  private pendingBytes = 0;
  /** Start times of unflushed writes, oldest first (callbacks complete in order). */
  private readonly started: number[] = [];
  private timer: NodeJS.Timeout | undefined;
  private overflowed = false;
  private waiters: Array<() => void> = [];

  constructor(private readonly limits: SendBufferLimits, private readonly onOverflow: (o: Overflow) => void, private readonly now: () => number = Date.now) {}

  get unflushedBytes(): number {
    return this.pendingBytes;
  }

  /** Records a write of `bytes`; returns the callback to pass to the stream's write. */
  track(bytes: number): () => void {
    this.pendingBytes += bytes;
    this.started.push(this.now());
    this.armTimer();
    if (this.pendingBytes > this.limits.maxBytes) this.overflow({ reason: 'send_buffer_full', bytes: this.pendingBytes });
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.pendingBytes -= bytes;
      this.started.shift();
      if (this.started.length === 0) {
        this.clearTimer();
        this.wake();
      }
    };
  }

  /** Resolves once every tracked write has flushed (or the buffer was closed). */
  drained(): Promise<void> {
    if (this.started.length === 0 || this.overflowed) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  close(): void {
    this.overflowed = true;
    this.clearTimer();
    this.wake();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  private overflow(o: Overflow): void {
    if (this.overflowed) return;
    this.overflowed = true;
    this.clearTimer();
    this.wake();
    this.onOverflow(o);
  }

  private armTimer(): void {
    if (this.timer || this.limits.timeoutMs <= 0 || this.overflowed) return;
    const oldest = this.started[0] ?? this.now();
    const delay = Math.max(0, oldest + this.limits.timeoutMs - this.now());
    this.timer = setTimeout(() => this.checkDeadline(), delay);
    this.timer.unref();
  }

  private checkDeadline(): void {
    this.timer = undefined;
    const oldest = this.started[0];
    if (oldest === undefined) return;
    const waited = this.now() - oldest;
    if (waited >= this.limits.timeoutMs) this.overflow({ reason: 'send_timeout', waitedMs: waited });
    else this.armTimer();
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
