/**
 * The measured phases of `npm run bench:ads`: connect N clients and wait for full convergence,
 * memory per connected proxy, one config change → every client ACKed, and a daemon restart →
 * every client reconnected and converged. Each returns plain numbers for report.ts.
 */
import { writeFileSync } from 'node:fs';
import { TypeUrl } from '../../src/translate/type-urls.js';
import { LatencyProbe, launch, problemLines, type DaemonRun } from './daemon-ctl.js';
import { churnAddress, churnYaml, extraHost, type ChurnState } from './mesh.js';
import { cpuSeconds, percentile, rssBytes } from './proc-stats.js';
import type { SimStats, WatchCondition } from './sim-clients.js';
import type { SimProcess, WaitResult } from './sim-process.js';
import type { Mode } from './xds-client.js';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const epochNow = (): number => performance.timeOrigin + performance.now();

export interface Latencies { readonly p50Ms: number; readonly p99Ms: number; readonly maxMs: number; readonly done: number; readonly of: number }

function latencies(result: WaitResult, t0: number): Latencies {
  const ms = result.times.filter((t): t is number => t !== null).map((t) => t - t0);
  return { p50Ms: percentile(ms, 50), p99Ms: percentile(ms, 99), maxMs: ms.length ? Math.max(...ms) : NaN, done: ms.length, of: result.times.length };
}

/** Fraction of one core the simulated clients used between two stats samples. */
export function clientCpuShare(a: SimStats, b: SimStats, wallMs: number): number {
  return (b.cpuUserMs + b.cpuSystemMs - a.cpuUserMs - a.cpuSystemMs) / wallMs;
}

/** RSS after letting the daemon idle: the lowest of several samples (no forced GC is possible from outside). */
export async function settledRss(pid: number, settleMs = 4000): Promise<number> {
  await sleep(settleMs);
  let low = Infinity;
  for (let i = 0; i < 5; i++) {
    low = Math.min(low, rssBytes(pid));
    await sleep(400);
  }
  return low;
}

/** Daemon CPU-seconds per second while nothing happens (timers, keepalives), subtracted from per-change CPU. */
export async function idleCpuRate(pid: number, ms = 3000): Promise<number> {
  const c0 = cpuSeconds(pid);
  await sleep(ms);
  return (cpuSeconds(pid) - c0) / (ms / 1000);
}

export interface ConnectResult extends Latencies {
  readonly clients: number;
  readonly newClients: number;
  readonly allMs: number;
  readonly clientCpuShare: number;
  readonly clientLoopMaxMs: number;
  readonly serverCpuS: number;
  readonly closeReasons: Record<string, number>;
}

export async function connectAndConverge(sim: SimProcess, pid: number, from: number, to: number, timeoutMs: number): Promise<ConnectResult> {
  const s0 = await sim.stats();
  const c0 = cpuSeconds(pid);
  const t0 = epochNow();
  sim.grow(to);
  const wait = await sim.arm(undefined);
  const result = await wait(timeoutMs);
  const wall = epochNow() - t0;
  const s1 = await sim.stats();
  const newTimes = result.times.slice(from);
  const lat = latencies({ times: newTimes, complete: result.complete }, t0);
  return { ...lat, clients: to, newClients: to - from, allMs: result.complete ? wall : NaN, clientCpuShare: clientCpuShare(s0, s1, wall), clientLoopMaxMs: s1.loopDelayMaxMs, serverCpuS: cpuSeconds(pid) - c0, closeReasons: diffCounts(s0.closeReasons, s1.closeReasons) };
}

export type ChangeKind = 'endpoint' | 'host';

export interface RoundResult extends Latencies {
  readonly kind: ChangeKind;
  readonly serverCpuS: number;
  readonly clientCpuShare: number;
  readonly clientLoopMaxMs: number;
  readonly probeMaxMs: number;
  readonly closes: number;
}

export class Churn {
  private n = 0;
  private state: ChurnState = { firstEndpoint: churnAddress(0) };
  constructor(private readonly file: string, private readonly mode: Mode) {}

  /** Applies the next change of `kind`; returns what every client must have ACKed afterwards. */
  next(kind: ChangeKind): WatchCondition[] {
    this.n++;
    if (kind === 'endpoint') {
      this.state = { ...this.state, firstEndpoint: churnAddress(this.n) };
      return [{ typeUrl: TypeUrl.ClusterLoadAssignment, contains: this.state.firstEndpoint }];
    }
    const host = extraHost(this.n);
    this.state = { ...this.state, extraHost: host };
    const types = this.mode === 'full' ? [TypeUrl.Cluster, TypeUrl.ClusterLoadAssignment, TypeUrl.Listener, TypeUrl.RouteConfiguration] : [];
    return types.map((typeUrl) => ({ typeUrl, contains: host }));
  }

  write(): void {
    writeFileSync(this.file, churnYaml(this.state));
  }
}

export async function changeRound(sim: SimProcess, run: DaemonRun, churn: Churn, kind: ChangeKind, idleRate: number, timeoutMs: number): Promise<RoundResult> {
  const conditions = churn.next(kind);
  const wait = await sim.arm(conditions);
  const probe = new LatencyProbe(run.daemon.port);
  const s0 = await sim.stats();
  const c0 = cpuSeconds(run.pid);
  const t0 = epochNow();
  churn.write();
  const result = await wait(timeoutMs);
  const doneAt = epochNow();
  await sleep(300); // let trailing work (e.g. ACK processing) land in the CPU window
  const wall = epochNow() - t0;
  const cpu = cpuSeconds(run.pid) - c0 - idleRate * (wall / 1000);
  const s1 = await sim.stats();
  const probed = await probe.stop();
  return { kind, ...latencies(result, t0), serverCpuS: cpu, clientCpuShare: clientCpuShare(s0, s1, doneAt - t0), clientLoopMaxMs: s1.loopDelayMaxMs, probeMaxMs: probed.maxMs,
    closes: Object.values(diffCounts(s0.closeReasons, s1.closeReasons)).reduce((a, b) => a + b, 0) };
}

export interface RestartResult extends Latencies {
  readonly clients: number;
  readonly stopMs: number;
  readonly listenMs: number;
  readonly allMs: number;
  readonly allFromListenMs: number;
  readonly clientCpuShare: number;
  readonly clientLoopMaxMs: number;
  readonly closeReasons: Record<string, number>;
  readonly daemonProblems: Record<string, number>;
}

export function diffCounts(a: Record<string, number>, b: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(b).map(([k, v]) => [k, v - (a[k] ?? 0)] as const).filter(([, v]) => v > 0));
}

async function waitDisconnected(sim: SimProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await sim.stats()).connected > 0) {
    if (Date.now() > deadline) throw new Error('clients still connected after the daemon stopped');
    await sleep(100);
  }
}

/** SIGTERM the daemon, wait for every client to notice, start it again on the same port and config dir. */
export async function restart(sim: SimProcess, old: DaemonRun, relaunch: () => Promise<DaemonRun>, clients: number, timeoutMs: number): Promise<{ result: RestartResult; run: DaemonRun }> {
  const before = await sim.stats();
  const t0 = performance.now();
  await old.daemon.stop();
  const stopMs = performance.now() - t0;
  await waitDisconnected(sim, 30_000);
  const wait = await sim.arm(undefined);
  const s0 = await sim.stats();
  const start = epochNow();
  const run = await relaunch();
  const listenMs = epochNow() - start;
  const result = await wait(timeoutMs);
  const wall = epochNow() - start;
  const s1 = await sim.stats();
  const closeReasons = diffCounts(before.closeReasons, s1.closeReasons);
  return {
    run,
    result: {
      ...latencies(result, start), clients, stopMs, listenMs,
      allMs: result.complete ? wall : NaN, allFromListenMs: result.complete ? wall - listenMs : NaN,
      clientCpuShare: clientCpuShare(s0, s1, wall), clientLoopMaxMs: s1.loopDelayMaxMs, closeReasons, daemonProblems: problemLines(run.daemon),
    },
  };
}

export { launch };
