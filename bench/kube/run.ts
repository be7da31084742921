/**
 * `npm run bench:kube`: the real daemon (`node dist/src/main.js discovery --kubeconfig ...`)
 * against the fake API server holding 10,000 Pods, 2,000 Services and 10,000 EndpointSlices.
 * Startup: time to /ready (from spawn and from the first list request), several rounds. Then
 * watch events at 100/s (pods only, then mixed pods/slices/services): daemon CPU per event from
 * /proc (utime+stime, minus the idle rate), RSS and V8 heap. Medians over rounds. It asserts
 * nothing about speed; targets are printed next to the numbers.
 *
 * Quick run: node dist/bench/kube/run.js --rounds 1 --event-rounds 1 --seconds 10
 * Profile the daemon: DAEMON_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" (see test/helpers/daemon.ts).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startFakeKubeApi, type FakeKubeApi } from '../../test/helpers/fake-kube-api.js';
import { machineFacts, median, rssBytes } from '../ads/proc-stats.js';
import { DEFAULT_SIZE, namespaceName, pod, service, slice, type ClusterSize } from './cluster.js';
import { EventSource, eventPhase, type EventMix, heapUsedBytes, idleCpuRate, sleep, startAndWaitReady, type EventPhaseResult } from './phases.js';

const { values: flags } = parseArgs({
  options: {
    pods: { type: 'string', default: String(DEFAULT_SIZE.pods) },
    services: { type: 'string', default: String(DEFAULT_SIZE.services) },
    slices: { type: 'string', default: String(DEFAULT_SIZE.slices) },
    rounds: { type: 'string', default: '3' },
    'event-rounds': { type: 'string', default: '3' },
    seconds: { type: 'string', default: '20' },
    rate: { type: 'string', default: '100' },
    /** Event phases per round, e.g. "pods" alone when profiling the pod path. */
    mixes: { type: 'string', default: 'pods,mixed' },
    /** Seconds of pod events before anything is measured: the one-off major GC of startup garbage then lands there. */
    warmup: { type: 'string', default: '0' },
    json: { type: 'string' },
  },
});

const size: ClusterSize = { ...DEFAULT_SIZE, pods: Number(flags.pods), services: Number(flags.services), slices: Number(flags.slices) };
const rate = Number(flags.rate);
const seconds = Number(flags.seconds);
const MiB = 2 ** 20;

function populate(api: FakeKubeApi): void {
  for (let n = 0; n < size.namespaces; n++) api.store.put('namespaces', { metadata: { name: namespaceName(n), labels: { 'istio-injection': 'enabled' } } });
  for (let s = 0; s < size.services; s++) api.store.put('services', service(s, size));
  const perService = size.slices / size.services;
  for (let s = 0; s < size.services; s++) for (let j = 0; j < perService; j++) api.store.put('endpointslices', slice(s, j, size));
  for (let p = 0; p < size.pods; p++) api.store.put('pods', pod(p, size));
  api.compact(); // a fresh cluster's watch cache: the initial writes are history nobody resumes from
}

const round1 = (x: number) => Math.round(x * 10) / 10;

async function main(): Promise<void> {
  const facts = machineFacts();
  console.log(`bench:kube — ${size.pods} pods, ${size.services} services, ${size.slices} slices; ${facts.nproc} cpus (${facts.cpuModel}), load ${facts.loadAverage}, node ${facts.node}`);
  const api = await startFakeKubeApi({ maxEvents: 20_000 });
  const dir = mkdtempSync(join(tmpdir(), 'bench-kube-'));
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, api.kubeconfig());
  populate(api);
  const startups = [];
  try {
    const rounds = Number(flags.rounds);
    let last;
    for (let r = 0; r < rounds; r++) {
      const started = await startAndWaitReady(api, kubeconfig);
      const heap = await heapUsedBytes(started.daemon);
      const rss = rssBytes(started.daemon.proc.pid!);
      startups.push({ readyFromStartMs: started.readyFromStartMs, readyFromFirstListMs: started.readyFromFirstListMs, cpuToReadyS: started.cpuToReadyS, snapshots: started.snapshotsToReady, rssMiB: rss / MiB, heapMiB: heap / MiB });
      console.log(`startup ${r + 1}/${rounds}: ready ${Math.round(started.readyFromStartMs)} ms from spawn, ${Math.round(started.readyFromFirstListMs)} ms from the first list; CPU ${started.cpuToReadyS.toFixed(2)} s; ${started.snapshotsToReady} snapshot(s); RSS ${Math.round(rss / MiB)} MiB, heap ${Math.round(heap / MiB)} MiB`);
      if (r < rounds - 1) await started.daemon.stop();
      else last = started;
    }
    const daemon = last!.daemon;
    await sleep(3000);
    const idle = await idleCpuRate(daemon.proc.pid!, 5000);
    console.log(`idle: ${(idle * 1000).toFixed(1)} ms CPU/s`);
    const source = new EventSource(api, size);
    if (Number(flags.warmup) > 0) {
      const warm = await eventPhase(daemon, source, 'pods', rate, Number(flags.warmup), idle, 1500);
      console.log(`warm-up: ${warm.events} pod events, ${warm.cpuPerEventUs.toFixed(1)} µs CPU/event, major GC ${Math.round(warm.majorGcMs)} ms (not counted)`);
    }
    const phases: EventPhaseResult[] = [];
    for (let r = 0; r < Number(flags['event-rounds']); r++) {
      for (const mix of flags.mixes.split(',') as EventMix[]) {
        const result = await eventPhase(daemon, source, mix, rate, seconds, idle, 1500);
        phases.push(result);
        console.log(`events ${mix} ${r + 1}: ${result.events} in ${seconds} s → ${result.cpuPerEventUs.toFixed(1)} µs CPU/event, ${result.snapshots} snapshots, major GC ${Math.round(result.majorGcMs)} ms; RSS ${Math.round(result.rssBytes / MiB)} MiB, heap ${Math.round(result.heapUsedBytes / MiB)} MiB`);
      }
    }
    const sourcez = JSON.parse((await daemon.get('/debug/sourcez')).body) as { kubernetes: Record<string, { resourceVersion: string; lists: number; watchFailures: number }> };
    const problems = daemon.lines.filter((l) => typeof l.level === 'number' && l.level >= 50).map((l) => String(l.msg));
    await daemon.stop();
    const summary = {
      facts, size, rate, seconds,
      startup: {
        readyFromStartMs: Math.round(median(startups.map((s) => s.readyFromStartMs))),
        readyFromFirstListMs: Math.round(median(startups.map((s) => s.readyFromFirstListMs))),
        cpuToReadyS: round1(median(startups.map((s) => s.cpuToReadyS))),
        rssMiB: Math.round(median(startups.map((s) => s.rssMiB))),
        heapMiB: Math.round(median(startups.map((s) => s.heapMiB))),
      },
      idleCpuMsPerS: round1(idle * 1000),
      podEventCpuUs: round1(median(phases.filter((p) => p.mix === 'pods').map((p) => p.cpuPerEventUs))),
      mixedEventCpuUs: round1(median(phases.filter((p) => p.mix === 'mixed').map((p) => p.cpuPerEventUs))),
      snapshotsPerPhase: median(phases.map((p) => p.snapshots)),
      afterEvents: { rssMiB: Math.round(phases.at(-1)!.rssBytes / MiB), heapMiB: Math.round(phases.at(-1)!.heapUsedBytes / MiB) },
      informerLists: Object.fromEntries(Object.entries(sourcez.kubernetes).map(([k, v]) => [k, v.lists])),
      errorsLogged: problems.length,
      eventCounts: source.counts,
    };
    console.log(`\nmedians: ready ${summary.startup.readyFromStartMs} ms from spawn (target ≤ 5000), ${summary.startup.readyFromFirstListMs} ms from the first list; ` +
      `pod event ${summary.podEventCpuUs} µs CPU (target ≤ 50), mixed event ${summary.mixedEventCpuUs} µs; RSS ${summary.startup.rssMiB} → ${summary.afterEvents.rssMiB} MiB, heap ${summary.startup.heapMiB} → ${summary.afterEvents.heapMiB} MiB`);
    console.log(JSON.stringify(summary));
    if (flags.json) writeFileSync(flags.json, JSON.stringify({ summary, startups, phases }, null, 2));
  } finally {
    await api.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
