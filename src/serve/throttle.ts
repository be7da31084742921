/**
 * Bounded push concurrency across connections (PILOT_PUSH_THROTTLE). Connections with a
 * pending push wait in FIFO order; at most `limit` pushes are in flight at once (a push lasts
 * until its bytes are flushed), and at most one push starts per event-loop turn, so incoming
 * requests (ACKs, new streams, /ready probes) are served between them.
 */
export type PushTask = () => void | Promise<void>;

export class Throttle {
  private running = 0;
  private readonly queue: PushTask[] = [];
  private closed = false;
  /** A setImmediate that starts the next push is pending. */
  private starting = false;

  constructor(private readonly limit: number, private readonly onError: (error: unknown) => void) {}

  get queued(): number {
    return this.queue.length;
  }

  submit(task: PushTask): void {
    if (this.closed) return;
    this.queue.push(task);
    this.drain();
  }

  close(): void {
    this.closed = true;
    this.queue.length = 0;
  }

  private drain(): void {
    if (this.starting || this.running >= Math.max(1, this.limit) || this.queue.length === 0) return;
    this.starting = true;
    setImmediate(() => {
      this.starting = false;
      const task = this.queue.shift();
      if (!task || this.closed) return;
      this.running++;
      void this.run(task);
      this.drain();
    });
  }

  private async run(task: PushTask): Promise<void> {
    try {
      if (!this.closed) await task();
    } catch (error) {
      this.onError(error);
    } finally {
      this.running--;
      this.drain();
    }
  }
}
