/**
 * `npm run bench:reload`: how long from writing a file under --configDir until /debug/configz
 * shows the change, against the real daemon (default PILOT_DEBOUNCE_AFTER=100ms). Median of 9.
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const dir = mkdtempSync(join(tmpdir(), 'istiod-ts-bench-'));
cpSync('examples/bookinfo', dir, { recursive: true });
const port = 18000 + Math.floor(Math.random() * 1000);
const daemon = spawn(process.execPath, [resolve('dist/src/main.js'), 'discovery', '--configDir', dir, '--httpAddr', `127.0.0.1:${port}`], { stdio: 'ignore' });

async function ratingsTargetPort(): Promise<number | undefined> {
  const res = await fetch(`http://127.0.0.1:${port}/debug/configz?kind=Service`).catch(() => undefined);
  if (!res || res.status !== 200) return undefined;
  const body = (await res.json()) as { configs: { metadata: { name: string }; spec: { spec: { ports: { targetPort: number }[] } } }[] };
  return body.configs.find((o) => o.metadata.name === 'ratings')?.spec.spec.ports[0]?.targetPort;
}

try {
  while ((await ratingsTargetPort()) === undefined) await sleep(50);
  const samples: number[] = [];
  for (let i = 0; i < 9; i++) {
    const file = join(dir, 'ratings.yaml');
    const want = 9100 + i;
    const text = readFileSync(file, 'utf8').replace(/targetPort: \d+/, `targetPort: ${want}`);
    const t0 = performance.now();
    writeFileSync(file, text);
    while ((await ratingsTargetPort()) !== want) await sleep(5);
    samples.push(performance.now() - t0);
    await sleep(300);
  }
  samples.sort((a, b) => a - b);
  console.log(`edit → visible in snapshot: median ${samples[4]!.toFixed(0)} ms (min ${samples[0]!.toFixed(0)}, max ${samples[8]!.toFixed(0)}), 9 samples`);
} finally {
  daemon.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
}
