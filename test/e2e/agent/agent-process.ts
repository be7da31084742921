/** Runs the real built `istiod-ts agent` as a child process and collects its JSON log lines. */
import { collectOutput } from '../../helpers/json-lines.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { CLI } from '../../helpers/daemon.js';
import { waitFor } from '../../helpers/wait-for.js';

export interface AgentProcess {
  readonly proc: ChildProcess;
  readonly lines: Record<string, unknown>[];
  readonly stderr: () => string;
  /** Resolves with the `count`-th log line with this message (1-based). */
  waitForLine(msg: string, count?: number, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** SIGTERM; resolves with the exit code. */
  stop(): Promise<number | null>;
}

export function startAgentProcess(args: string[], env: Record<string, string>): AgentProcess {
  // Only what the test sets: the parent's ISTIO_META_* / SECRET_* must not leak in.
  const base = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp' };
  const proc = spawn(process.execPath, [CLI, 'agent', ...args], { env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const output = collectOutput(proc);
  const { lines } = output;
  const exited = new Promise<number | null>((done) => proc.once('exit', (code) => done(code)));
  return {
    proc,
    lines,
    stderr: output.stderr,
    waitForLine: (msg, count = 1, timeoutMs = 20_000) =>
      waitFor(`agent log "${msg}" #${count} (stderr: ${output.stderr()})`, () => {
        if (proc.exitCode !== null) throw new Error(`agent exited with ${proc.exitCode}: ${output.stderr()}`);
        return lines.filter((l) => l.msg === msg)[count - 1];
      }, timeoutMs) as Promise<Record<string, unknown>>,
    async stop() {
      if (proc.exitCode === null) proc.kill('SIGTERM');
      return exited;
    },
  };
}
