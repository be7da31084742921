/**
 * Runs the gRPC C-core client (py/xds_client.py on Debian's python3-grpcio) as a child process.
 * /usr/bin/python3 explicitly: the `python3` on PATH may be another interpreter without grpc.
 */
import { execFile, spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

export const PYTHON = '/usr/bin/python3';
const SCRIPT = resolve('test/e2e/proxyless/py/xds_client.py');

export interface Phase {
  readonly name: string;
  readonly count: number;
  readonly headers?: Readonly<Record<string, string>>;
}

/** true, or why the C-core client cannot run here. */
export function cCoreAvailable(): true | string {
  const r = spawnSync(PYTHON, ['-c', 'import grpc'], { encoding: 'utf8', timeout: 20_000 });
  if (r.error) return `${PYTHON} cannot run: ${r.error.message}`;
  if (r.status !== 0) return `${PYTHON} cannot import grpc (install python3-grpcio): ${r.stderr.trim().split('\n').pop()}`;
  return true;
}

/** Per phase: calls per backend name, failures under `!<STATUS>`. */
export function runCCoreClient(target: string, plan: readonly Phase[], env: Record<string, string> = {}): Promise<Record<string, Record<string, number>>> {
  return new Promise((done, fail) => {
    execFile(PYTHON, [SCRIPT, target, JSON.stringify(plan)], { env: { ...process.env, ...env }, timeout: 60_000 }, (err, stdout, stderr) => {
      if (err) return fail(new Error(`C-core client failed (exit ${String(err.code)}, signal ${String(err.signal)}): ${stderr.slice(-3000)} ${stdout.slice(0, 500)}`));
      try {
        done(JSON.parse(stdout) as Record<string, Record<string, number>>);
      } catch {
        fail(new Error(`C-core client printed no JSON: ${stdout.slice(0, 500)} ${stderr.slice(-2000)}`));
      }
    });
  });
}
