/**
 * The daemon under test: the real built CLI, started on a fixed ADS port (so clients can
 * reconnect to the same address after a restart), plus what the driver reads from outside:
 * CPU-seconds and RSS from /proc, a latency probe of its HTTP server (a stalled event loop shows
 * up there), and the warnings and errors it logged.
 */
import { createServer } from 'node:net';
import { startDaemon, type Daemon } from '../../test/helpers/daemon.js';
import { percentile } from './proc-stats.js';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

export interface DaemonRun {
  readonly daemon: Daemon;
  readonly pid: number;
  /** ms from spawn until the ADS port was listening. */
  readonly startMs: number;
}

export async function launch(configDir: string, grpcPort: number, env: Record<string, string>): Promise<DaemonRun> {
  const t0 = performance.now();
  const daemon = await startDaemon(['--configDir', configDir, '--grpcAddr', `127.0.0.1:${grpcPort}`], env);
  if (daemon.grpcPort !== grpcPort) {
    await daemon.stop();
    throw new Error(`daemon did not serve ADS on ${grpcPort} (got ${daemon.grpcPort}); is ADS wired into the daemon?`);
  }
  return { daemon, pid: daemon.proc.pid!, startMs: performance.now() - t0 };
}

/** Log lines at warn (40) or above, counted by message. */
export function problemLines(daemon: Daemon, from = 0): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of daemon.lines.slice(from)) {
    if (typeof line.level === 'number' && line.level >= 40) {
      const key = `${line.level >= 50 ? 'error' : 'warn'}: ${String(line.msg)}`;
      out[key] = (out[key] ?? 0) + 1;
    }
  }
  return out;
}

/** Polls GET /ready every `everyMs` while running; a slow answer means the daemon's event loop was busy. */
export class LatencyProbe {
  private readonly samples: number[] = [];
  private failures = 0;
  private running = true;
  private readonly loop: Promise<void>;

  constructor(private readonly port: number, everyMs = 100) {
    this.loop = this.run(everyMs);
  }

  private async run(everyMs: number): Promise<void> {
    while (this.running) {
      const t0 = performance.now();
      try {
        const res = await fetch(`http://127.0.0.1:${this.port}/ready`, { signal: AbortSignal.timeout(10_000) });
        await res.arrayBuffer();
        this.samples.push(performance.now() - t0);
      } catch {
        this.failures++;
      }
      await new Promise((r) => setTimeout(r, everyMs));
    }
  }

  async stop(): Promise<{ samples: number; p50Ms: number; p99Ms: number; maxMs: number; failures: number }> {
    this.running = false;
    await this.loop;
    const max = this.samples.length > 0 ? Math.max(...this.samples) : NaN;
    return { samples: this.samples.length, p50Ms: percentile(this.samples, 50), p99Ms: percentile(this.samples, 99), maxMs: max, failures: this.failures };
  }
}
