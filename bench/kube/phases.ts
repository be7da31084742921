/**
 * The two measured phases of `npm run bench:kube`: a daemon start against the populated fake API
 * server (time to /ready from spawn and from the first list request), and a stream of watch
 * events at a fixed rate (daemon CPU per event from /proc, minus the idle rate; RSS; V8 heap).
 */
import { startDaemon, type Daemon } from '../../test/helpers/daemon.js';
import type { FakeKubeApi } from '../../test/helpers/fake-kube-api.js';
import { cpuSeconds, rssBytes } from '../ads/proc-stats.js';
import { pod, service, slice, type ClusterSize } from './cluster.js';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface StartResult {
  readonly daemon: Daemon;
  readonly readyFromStartMs: number;
  readonly readyFromFirstListMs: number;
  readonly cpuToReadyS: number;
  /** Snapshots built before /ready (more than one means partial snapshots during the sync). */
  readonly snapshotsToReady: number;
}

/** Calls `onFirst` with the time of the next request the fake records (its `requests` array). */
function onFirstRequest(api: FakeKubeApi, onFirst: (at: number) => void): () => void {
  const requests = api.requests;
  const original = requests.push;
  let seen = false;
  requests.push = function (...items) {
    if (!seen) {
      seen = true;
      onFirst(performance.now());
    }
    return original.apply(this, items);
  };
  return () => void (requests.push = original);
}

export async function startAndWaitReady(api: FakeKubeApi, kubeconfig: string, extraArgs: string[] = [], timeoutMs = 120_000): Promise<StartResult> {
  let firstListAt = NaN;
  const restore = onFirstRequest(api, (at) => (firstListAt = at));
  const t0 = performance.now();
  const daemon = await startDaemon(['--kubeconfig', kubeconfig, ...extraArgs]);
  try {
    for (;;) {
      const res = await fetch(`http://127.0.0.1:${daemon.port}/ready`).catch(() => undefined);
      if (res?.status === 200) break;
      if (performance.now() - t0 > timeoutMs) throw new Error(`daemon not ready after ${timeoutMs} ms`);
      await sleep(10);
    }
  } finally {
    restore();
  }
  const readyAt = performance.now();
  return { daemon, readyFromStartMs: readyAt - t0, readyFromFirstListMs: readyAt - firstListAt, cpuToReadyS: cpuSeconds(daemon.proc.pid!), snapshotsToReady: snapshotCount(daemon) };
}

export function snapshotCount(daemon: Daemon): number {
  return daemon.lines.filter((l) => l.msg === 'new snapshot').length;
}

async function metricsText(daemon: Daemon): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${daemon.monitoringPort}/metrics`);
  return res.text();
}

export async function heapUsedBytes(daemon: Daemon): Promise<number> {
  return Number(/^nodejs_heap_size_used_bytes (\S+)$/m.exec(await metricsText(daemon))?.[1] ?? NaN);
}

/** Main-thread GC pause seconds so far by kind (prom-client's nodejs_gc_duration_seconds). */
export async function gcSeconds(daemon: Daemon): Promise<{ major: number; minor: number; incremental: number }> {
  const text = await metricsText(daemon);
  const sum = (kind: string) => Number(new RegExp(`^nodejs_gc_duration_seconds_sum\\{kind="${kind}"\\} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
  return { major: sum('major'), minor: sum('minor'), incremental: sum('incremental') };
}

export async function idleCpuRate(pid: number, ms: number): Promise<number> {
  const c0 = cpuSeconds(pid);
  await sleep(ms);
  return (cpuSeconds(pid) - c0) / (ms / 1000);
}

export type EventMix = 'pods' | 'mixed';

/** Writes one change into the fake: pods flip readiness; slices flip one endpoint; services relabel. */
export class EventSource {
  private generation = 1;
  private next = 0;
  readonly counts = { pods: 0, slices: 0, services: 0 };

  constructor(private readonly api: FakeKubeApi, private readonly size: ClusterSize) {}

  emit(mix: EventMix): void {
    const n = this.next++;
    const roll = mix === 'pods' ? 0 : n % 20;
    // The same object is revisited only after every other one of its kind: each write is a real change.
    if (roll < 10) {
      const p = (n * 7919) % this.size.pods;
      this.api.store.put('pods', pod(p, this.size, this.generation + Math.floor(n / this.size.pods)));
      this.counts.pods++;
    } else if (roll < 19) {
      const slicesPerService = this.size.slices / this.size.services;
      const i = (n * 104_729) % this.size.slices;
      this.api.store.put('endpointslices', slice(Math.floor(i / slicesPerService), i % slicesPerService, this.size, this.generation + Math.floor(n / this.size.slices)));
      this.counts.slices++;
    } else {
      const s = (n * 31) % this.size.services;
      const svc = service(s, this.size);
      this.api.store.put('services', { ...svc, metadata: { ...svc.metadata, labels: { ...(svc.metadata.labels ?? {}), 'bench/round': String(n) } } });
      this.counts.services++;
    }
  }
}

export interface EventPhaseResult {
  readonly mix: EventMix;
  readonly events: number;
  readonly seconds: number;
  /** Daemon CPU over the phase and its tail, minus the idle rate over the same time. */
  readonly cpuS: number;
  readonly cpuPerEventUs: number;
  readonly rssBytes: number;
  readonly heapUsedBytes: number;
  readonly snapshots: number;
  /** Main-thread pauses of major (mark-compact) GCs during the phase: one landing here dominates a phase. */
  readonly majorGcMs: number;
}

/**
 * `rate` events/s for `seconds`, then `tailMs` for the last debounced batch to become a snapshot
 * (its CPU belongs to these events too).
 */
export async function eventPhase(daemon: Daemon, source: EventSource, mix: EventMix, rate: number, seconds: number, idleRate: number, tailMs: number): Promise<EventPhaseResult> {
  const pid = daemon.proc.pid!;
  const c0 = cpuSeconds(pid);
  const s0 = snapshotCount(daemon);
  const gc0 = await gcSeconds(daemon);
  const t0 = performance.now();
  let sent = 0;
  const total = Math.round(rate * seconds);
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - t0) / 1000) * rate));
    for (; sent < due; sent++) source.emit(mix);
    await sleep(5);
  }
  await sleep(tailMs);
  const elapsedS = (performance.now() - t0) / 1000;
  const cpuS = cpuSeconds(pid) - c0 - idleRate * elapsedS;
  const gc1 = await gcSeconds(daemon);
  const majorGcMs = (gc1.major - gc0.major) * 1000;
  return { mix, events: total, seconds, cpuS, cpuPerEventUs: (cpuS / total) * 1e6, rssBytes: rssBytes(pid), heapUsedBytes: await heapUsedBytes(daemon), snapshots: snapshotCount(daemon) - s0, majorGcMs };
}
