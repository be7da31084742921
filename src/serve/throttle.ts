/**
 * Bounded push concurrency across connections (PILOT_PUSH_THROTTLE). Connections with a
 * pending push wait in FIFO order; at most `limit` pushes run at once, and the event loop is
 * yielded between pushes so incoming requests (ACKs, new streams) keep being served.
 */
export type PushTask = () => void | Promise<void>;

export class Throttle {
  private running = 0;
  private readonly queue: PushTask[] = [];
  private closed = false;

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
    while (this.running < Math.max(1, this.limit) && this.queue.length > 0) {
      const task = this.queue.shift()!;
      this.running++;
      setImmediate(() => void this.run(task));
    }
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
