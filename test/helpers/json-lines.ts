/** Collects a child process's JSON log lines (pino on stdout) and its stderr, as they arrive. */
import type { ChildProcess } from 'node:child_process';

export interface ProcessOutput {
  /** Every JSON line printed on stdout so far, in order. */
  readonly lines: Record<string, unknown>[];
  stderr(): string;
}

export function collectOutput(proc: ChildProcess): ProcessOutput {
  const lines: Record<string, unknown>[] = [];
  let buffered = '';
  let stderr = '';
  proc.stdout!.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    for (const p of parts) if (p.trim()) lines.push(JSON.parse(p) as Record<string, unknown>);
  });
  proc.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  return { lines, stderr: () => stderr };
}
