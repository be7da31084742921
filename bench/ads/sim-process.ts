/** The driver's handle on the forked simulated-clients process (sim-clients.ts): typed requests over IPC. */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { FromChild, SimConfig, SimStats, ToChild, WatchCondition } from './sim-clients.js';

export interface WaitResult {
  /** Per client: epoch ms when the condition was met, null if it was not met before the timeout. */
  readonly times: (number | null)[];
  readonly complete: boolean;
}

export class SimProcess {
  private nextId = 1;
  private readonly waiters = new Map<string, (msg: FromChild) => void>();

  private constructor(readonly proc: ChildProcess) {
    proc.on('message', (raw) => {
      const msg = raw as FromChild;
      const key = msg.ev === 'stats' ? 'stats' : msg.ev === 'ready' ? 'ready' : `${msg.ev}:${msg.id}`;
      const waiter = this.waiters.get(key);
      this.waiters.delete(key);
      waiter?.(msg);
    });
  }

  static async start(): Promise<SimProcess> {
    const script = fileURLToPath(new URL('./sim-clients.js', import.meta.url));
    const proc = fork(script, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const sim = new SimProcess(proc);
    await sim.expect('ready', () => {});
    return sim;
  }

  get pid(): number {
    return this.proc.pid!;
  }

  private expect(key: string, sendRequest: () => void): Promise<FromChild> {
    return new Promise((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`simulated clients exited with ${code}`));
      this.proc.once('exit', onExit);
      this.waiters.set(key, (msg) => {
        this.proc.off('exit', onExit);
        resolve(msg);
      });
      sendRequest();
    });
  }

  private send(msg: ToChild): void {
    this.proc.send(msg);
  }

  configure(config: SimConfig): void {
    this.send({ cmd: 'config', config });
  }

  grow(to: number): void {
    this.send({ cmd: 'grow', to });
  }

  closeAll(): void {
    this.send({ cmd: 'closeAll' });
  }

  async stats(): Promise<SimStats> {
    const msg = await this.expect('stats', () => this.send({ cmd: 'stats' }));
    return (msg as Extract<FromChild, { ev: 'stats' }>).stats;
  }

  /** Arms a watch (or a converge wait when `conditions` is undefined); resolves once armed, with a function awaiting the result. */
  async arm(conditions: WatchCondition[] | undefined): Promise<(timeoutMs: number) => Promise<WaitResult>> {
    const id = this.nextId++;
    const done = new Promise<FromChild>((resolve) => this.waiters.set(`done:${id}`, resolve));
    await this.expect(`armed:${id}`, () => this.send(conditions ? { cmd: 'watch', id, conditions } : { cmd: 'converge', id }));
    return async (timeoutMs) => {
      const timer = setTimeout(() => this.send({ cmd: 'flush', id }), timeoutMs);
      const msg = (await done) as Extract<FromChild, { ev: 'done' }>;
      clearTimeout(timer);
      return { times: msg.times, complete: msg.complete };
    };
  }

  stop(): void {
    this.proc.disconnect();
    this.proc.kill('SIGTERM');
  }
}
