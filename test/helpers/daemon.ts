/** Runs the real built CLI (dist/src/main.js) as a child process, as an operator would. */
import { collectOutput } from './json-lines.js';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { waitFor } from './wait-for.js';

export const CLI = resolve('dist/src/main.js');

export function runCli(args: string[], env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export interface Daemon {
  readonly proc: ChildProcess;
  /** --httpAddr port (/ready, /debug/*). */
  readonly port: number;
  /** --grpcAddr port (plaintext ADS). */
  readonly grpcPort: number;
  /** --monitoringAddr port (/metrics). */
  readonly monitoringPort: number;
  readonly lines: Record<string, unknown>[];
  get(path: string): Promise<{ status: number; body: string }>;
  stop(): Promise<number | null>;
}

export async function startDaemon(args: string[], env: Record<string, string> = {}): Promise<Daemon> {
  // The secure port (and its CA) is off unless a test passes --secureGRPCAddr (the last value wins).
  // The webhook port (it needs the CA) binds loopback on a free port, never :15017.
  const defaults = ['--httpAddr', '127.0.0.1:0', '--grpcAddr', '127.0.0.1:0', '--monitoringAddr', '127.0.0.1:0', '--secureGRPCAddr', '', '--httpsAddr', '127.0.0.1:0'];
  // e.g. DAEMON_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" to profile the daemon in a bench.
  const nodeArgs = (process.env.DAEMON_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const proc = spawn(process.execPath, [...nodeArgs, CLI, 'discovery', ...defaults, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = collectOutput(proc);
  const { lines } = output;
  const exited = new Promise<number | null>((done) => proc.once('exit', (code) => done(code)));
  const listening = await waitFor(`daemon to listen (stderr: ${output.stderr()})`, () => {
    if (proc.exitCode !== null) throw new Error(`daemon exited with ${proc.exitCode}: ${output.stderr()}`);
    return lines.find((l) => l.msg === 'http server listening');
  }, 20_000);
  const port = listening!.port as number;
  const portOf = (msg: string) => lines.find((l) => l.msg === msg)?.port as number | undefined;
  const grpcPort = (await waitFor('xds server to listen', () => portOf('xds server listening') ?? (proc.exitCode !== null ? -1 : undefined), 20_000))!;
  const monitoringPort = (await waitFor('monitoring server to listen', () => portOf('monitoring server listening') ?? (proc.exitCode !== null ? -1 : undefined), 20_000))!;
  return {
    proc,
    port,
    grpcPort,
    monitoringPort,
    lines,
    async get(path) {
      const res = await fetch(`http://127.0.0.1:${port}${path}`);
      return { status: res.status, body: await res.text() };
    },
    async stop() {
      if (proc.exitCode === null) proc.kill('SIGTERM');
      return exited;
    },
  };
}
