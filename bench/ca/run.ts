/**
 * `npm run bench:ca`: (1) certificates signed per second for RSA-2048 and ECDSA P-256 CSRs at 20
 * concurrent callers through the real TLS CreateCertificate path (in-process CA server and its
 * signing worker pool; callers in a separate process); (2) xDS push latency to a few subscribed
 * proxyless clients (separate process) for an endpoint change, with and without a storm of 2,000
 * CSRs arriving at the same process, as the daemon serves both. A benchmark: it prints numbers
 * and asserts nothing. Issue 5's targets: 2,000 certificates within 2 s; p99 inflation ≤ 50 ms.
 *
 * Quick run: node dist/bench/ca/run.js --batches 1 --rounds 5 --storms 2
 */
import { fork, type ChildProcess } from 'node:child_process';
import { generateKeyPair } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { createCsr, type RootKeyType } from '../../src/security/ca/index.js';
import { TypeUrl } from '../../src/translate/type-urls.js';
import { CHURN_HOST, churnAddress, churnYaml, listenerName, writeMesh } from '../ads/mesh.js';
import { machineFacts, median, percentile } from '../ads/proc-stats.js';
import { SimProcess } from '../ads/sim-process.js';
import type { BatchResult, FromCallers, ToCallers } from './callers.js';
import { startCaServer, startXds } from './servers.js';

const { values: flags } = parseArgs({
  options: {
    total: { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: '20' },
    batches: { type: 'string', default: '3' },
    'root-key': { type: 'string', default: 'rsa-2048' },
    workers: { type: 'string' },
    proxies: { type: 'string', default: '10' },
    services: { type: 'string', default: '200' },
    rounds: { type: 'string', default: '30' },
    storms: { type: 'string', default: '3' },
  },
});
const total = Number(flags.total);
const concurrency = Number(flags.concurrency);
const log = (line: string) => process.stderr.write(`[bench:ca] ${line}\n`);
const epochNow = (): number => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

class Callers {
  private nextId = 1;
  private readonly waiters = new Map<string, (m: FromCallers) => void>();
  private constructor(private readonly proc: ChildProcess) {
    proc.on('message', (raw) => {
      const m = raw as FromCallers;
      const key = m.ev === 'done' ? `done:${m.id}` : m.ev;
      const w = this.waiters.get(key);
      this.waiters.delete(key);
      w?.(m);
    });
  }
  private expect(key: string, msg?: ToCallers): Promise<FromCallers> {
    return new Promise((resolve) => {
      this.waiters.set(key, resolve);
      if (msg) this.proc.send(msg);
    });
  }
  static async start(): Promise<Callers> {
    const c = new Callers(fork(fileURLToPath(new URL('./callers.js', import.meta.url)), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
    await c.expect('ready');
    return c;
  }
  async connect(msg: Omit<Extract<ToCallers, { cmd: 'connect' }>, 'cmd'>): Promise<void> {
    await this.expect('connected', { cmd: 'connect', ...msg });
  }
  async batch(csrs: string[], n: number): Promise<BatchResult> {
    const id = this.nextId++;
    return (await this.expect(`done:${id}`, { cmd: 'batch', id, csrs, total: n })) as BatchResult;
  }
  stop(): void {
    this.proc.disconnect();
  }
}

const generateKeyPairAsync = promisify(generateKeyPair);

/** Off the event loop (libuv pool): RSA keygen is ~0.2 s each and would stall the CA server's loop. */
async function csrsFor(kind: 'rsa-2048' | 'ec-p256', n: number): Promise<string[]> {
  const pair = () => (kind === 'rsa-2048' ? generateKeyPairAsync('rsa', { modulusLength: 2048 }) : generateKeyPairAsync('ec', { namedCurve: 'prime256v1' }));
  return Promise.all(Array.from({ length: n }, async () => createCsr(await pair())));
}

interface Throughput { kind: string; perSecond: number[]; msFor2000: number[]; failed: number; firstError?: string }

async function throughput(callers: Callers, kind: 'rsa-2048' | 'ec-p256', csrs: string[]): Promise<Throughput> {
  await callers.batch(csrs, 200); // warm-up: TLS sessions, JIT, worker pool
  const out: Throughput = { kind, perSecond: [], msFor2000: [], failed: 0 };
  for (let i = 0; i < Number(flags.batches); i++) {
    const r = await callers.batch(csrs, total);
    const ms = r.finishedAt - r.startedAt;
    out.perSecond.push((r.ok / ms) * 1000);
    out.msFor2000.push((ms / total) * 2000);
    out.failed += r.failed;
    out.firstError ??= r.firstError;
    log(`${kind}: ${r.ok} certificates in ${ms.toFixed(0)} ms (${((r.ok / ms) * 1000).toFixed(0)}/s), ${r.failed} failed`);
    await sleep(500);
  }
  return out;
}

/** One endpoint change of the churn service → the ms until each proxy ACKed an EDS response carrying it. */
async function pushRound(sim: SimProcess, churnFile: string, n: number): Promise<number[]> {
  const marker = churnAddress(n);
  const wait = await sim.arm([{ typeUrl: TypeUrl.ClusterLoadAssignment, contains: marker }]);
  const t0 = epochNow();
  writeFileSync(churnFile, churnYaml({ firstEndpoint: marker }));
  const result = await wait(30_000);
  return result.times.map((t) => (t === null ? Infinity : t - t0));
}

interface LoopDelay { p99: number; max: number }
interface PushStats { rounds: number; samples: number; p50: number; p99: number; max: number; loopDelayP99Ms: number; loopDelayMaxMs: number; loopDelayPerWindow: LoopDelay[] }

/**
 * Event-loop delay over one window, from a fresh histogram. Never re-enable a disabled
 * monitorEventLoopDelay histogram without reset(): Node keeps the last tick's timestamp, so the
 * first sample after enable() is the whole idle gap since disable() (this bench once reported a
 * 1,00x ms "stall" that was its own sleep(1000) between storms).
 */
async function withLoopDelay<T>(work: () => Promise<T>): Promise<[T, LoopDelay]> {
  const histogram: IntervalHistogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  try {
    const result = await work();
    return [result, { p99: histogram.percentile(99) / 1e6, max: histogram.max / 1e6 }];
  } finally {
    histogram.disable();
  }
}

/** Across windows: the worst window's p99 and max (histograms of different windows cannot be merged). */
function pushStats(latencies: number[][], windows: LoopDelay[]): PushStats {
  const all = latencies.flat();
  return {
    rounds: latencies.length, samples: all.length, p50: percentile(all, 50), p99: percentile(all, 99), max: Math.max(...all),
    loopDelayP99Ms: Math.max(...windows.map((w) => w.p99)), loopDelayMaxMs: Math.max(...windows.map((w) => w.max)), loopDelayPerWindow: windows,
  };
}

async function pushLatency(callers: Callers, csrs: string[]): Promise<{ quiet: PushStats; storm: PushStats; stormMs: number[] }> {
  const configDir = mkdtempSync(join(tmpdir(), 'bench-ca-xds-'));
  const churnFile = writeMesh(configDir, Number(flags.services), 2);
  const xds = await startXds(configDir);
  const sim = await SimProcess.start();
  let change = 0;
  try {
    sim.configure({ target: `127.0.0.1:${xds.port}`, protocol: 'sotw', mode: 'proxyless', listener: listenerName(CHURN_HOST), backoffBaseMs: 500, backoffMaxMs: 8000, minWildcard: 1 });
    sim.grow(Number(flags.proxies));
    await (await sim.arm(undefined))(60_000);
    for (let i = 0; i < 3; i++) await pushRound(sim, churnFile, ++change); // warm-up
    const quietRounds: number[][] = [];
    const [, quietLoop] = await withLoopDelay(async () => {
      for (let i = 0; i < Number(flags.rounds); i++) {
        quietRounds.push(await pushRound(sim, churnFile, ++change));
        await sleep(100);
      }
    });
    const quiet = pushStats(quietRounds, [quietLoop]);
    log(`push, quiet: p50 ${quiet.p50.toFixed(1)} ms, p99 ${quiet.p99.toFixed(1)} ms over ${quiet.samples} ACKs; loop delay p99 ${quietLoop.p99.toFixed(1)} ms, max ${quietLoop.max.toFixed(1)} ms`);
    const stormRounds: number[][] = [];
    const stormMs: number[] = [];
    const stormLoops: LoopDelay[] = [];
    for (let s = 0; s < Number(flags.storms); s++) {
      const [r, loop] = await withLoopDelay(async () => {
        let stormDone = false;
        const storm = callers.batch(csrs, total).then((result) => {
          stormDone = true;
          return result;
        });
        while (!stormDone) stormRounds.push(await pushRound(sim, churnFile, ++change));
        return storm;
      });
      stormMs.push(r.finishedAt - r.startedAt);
      stormLoops.push(loop);
      log(`storm ${s + 1}: ${r.ok} certificates in ${(r.finishedAt - r.startedAt).toFixed(0)} ms, ${r.failed} failed; ${stormRounds.length} push rounds so far; loop delay p99 ${loop.p99.toFixed(1)} ms, max ${loop.max.toFixed(1)} ms`);
      await sleep(1000);
    }
    const storm = pushStats(stormRounds, stormLoops);
    log(`push, during CSR storms: p50 ${storm.p50.toFixed(1)} ms, p99 ${storm.p99.toFixed(1)} ms over ${storm.samples} ACKs`);
    return { quiet, storm, stormMs };
  } finally {
    sim.closeAll();
    sim.stop();
    await xds.close();
    rmSync(configDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const facts = machineFacts();
  log(`load average at start: ${facts.loadAverage} (${facts.nproc} CPUs, ${facts.cpuModel})`);
  const ca = await startCaServer(flags['root-key'] as RootKeyType, flags.workers !== undefined ? Number(flags.workers) : undefined);
  const callers = await Callers.start();
  await callers.connect({ address: ca.address, serverCertPem: ca.servingCertPem, serverName: 'localhost', token: ca.token, concurrency });
  try {
    const rsaCsrs = await csrsFor('rsa-2048', 20);
    const ecCsrs = await csrsFor('ec-p256', 20);
    const rsa = await throughput(callers, 'rsa-2048', rsaCsrs);
    const ec = await throughput(callers, 'ec-p256', ecCsrs);
    const push = await pushLatency(callers, rsaCsrs);
    const report = {
      machine: { ...facts, loadAverageAtEnd: machineFacts().loadAverage },
      setup: { rootKey: flags['root-key'], signingWorkers: ca.signingWorkers, concurrency, total, proxies: Number(flags.proxies), services: Number(flags.services) },
      throughput: [rsa, ec].map((t) => ({ csr: t.kind, medianPerSecond: Math.round(median(t.perSecond)), medianMsFor2000: Math.round(median(t.msFor2000)), runs: t.perSecond.map(Math.round), failed: t.failed, firstError: t.firstError })),
      push: { quiet: push.quiet, storm: push.storm, stormMs: push.stormMs.map(Math.round), p99InflationMs: push.storm.p99 - push.quiet.p99, p50Ratio: push.storm.p50 / push.quiet.p50 },
    };
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } finally {
    callers.stop();
    await ca.close();
  }
}

main().then(() => process.exit(0), (err: unknown) => {
  process.stderr.write(`bench:ca failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
