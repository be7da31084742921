/**
 * `node dist/bench/kube/source-path.js`: the Kubernetes source's own cost, without snapshot
 * builds: a child process (source-child.ts) lists and watches Namespaces, Nodes, Services,
 * EndpointSlices and Pods of the fake API server (10,000 Pods etc., as bench:kube), converts
 * them and keeps them in a model Store. Measured per mode, rounds interleaved so that the
 * shared machine's load hits every mode alike: time and CPU to synced (the initial lists),
 * then CPU per watch event at a fixed rate (pods, then mixed), minus the child's idle rate.
 * Modes: watch ours|client-node × convert fast|validator (the old path is client-node+validator).
 *
 * Quick run: node dist/bench/kube/source-path.js --pods 2000 --services 400 --slices 2000 --seconds 5
 * Profile the child: CHILD_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof".
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startFakeKubeApi, type FakeKubeApi } from '../../test/helpers/fake-kube-api.js';
import { machineFacts, median } from '../ads/proc-stats.js';
import { DEFAULT_SIZE, namespaceName, pod, service, slice, type ClusterSize } from './cluster.js';
import { EventSource, sleep, type EventMix } from './phases.js';

const { values: flags } = parseArgs({
  options: {
    pods: { type: 'string', default: String(DEFAULT_SIZE.pods) },
    services: { type: 'string', default: String(DEFAULT_SIZE.services) },
    slices: { type: 'string', default: String(DEFAULT_SIZE.slices) },
    rounds: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '10' },
    rate: { type: 'string', default: '100' },
    modes: { type: 'string', default: 'client-node/validator,ours/validator,ours/fast' },
  },
});
const size: ClusterSize = { ...DEFAULT_SIZE, pods: Number(flags.pods), services: Number(flags.services), slices: Number(flags.slices) };
const rate = Number(flags.rate);
const seconds = Number(flags.seconds);

interface ChildReply {
  readonly synced?: boolean;
  readonly cpu: NodeJS.CpuUsage;
  readonly memory?: NodeJS.MemoryUsage;
  readonly objects: number;
}

const cpuS = (c: NodeJS.CpuUsage) => (c.user + c.system) / 1e6;

class Child {
  private readonly proc;
  private waiting: ((r: ChildReply) => void) | undefined;
  readonly synced: Promise<ChildReply>;

  constructor(kubeconfig: string, mode: string) {
    const [watch, convert] = mode.split('/');
    this.proc = fork(new URL('./source-child.js', import.meta.url), [kubeconfig, '--watch', watch!, '--convert', convert!], { stdio: 'inherit', execArgv: (process.env.CHILD_NODE_ARGS ?? '').split(' ').filter(Boolean) });
    this.synced = new Promise((resolve) => (this.waiting = resolve));
    this.proc.on('message', (msg: ChildReply) => this.waiting?.(msg));
  }

  ask(): Promise<ChildReply> {
    const reply = new Promise<ChildReply>((resolve) => (this.waiting = resolve));
    this.proc.send({ cmd: 'cpu' });
    return reply;
  }

  stop(): Promise<void> {
    const exited = new Promise<void>((resolve) => this.proc.once('exit', () => resolve()));
    this.proc.send({ cmd: 'exit' });
    return exited;
  }
}

function populate(api: FakeKubeApi): void {
  for (let n = 0; n < size.namespaces; n++) api.store.put('namespaces', { metadata: { name: namespaceName(n) } });
  for (let s = 0; s < size.services; s++) api.store.put('services', service(s, size));
  const perService = size.slices / size.services;
  for (let s = 0; s < size.services; s++) for (let j = 0; j < perService; j++) api.store.put('endpointslices', slice(s, j, size));
  for (let p = 0; p < size.pods; p++) api.store.put('pods', pod(p, size));
  api.compact();
}

async function events(child: Child, source: EventSource, mix: EventMix, idleRate: number): Promise<number> {
  const c0 = cpuS((await child.ask()).cpu);
  const t0 = performance.now();
  const total = Math.round(rate * seconds);
  let sent = 0;
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - t0) / 1000) * rate));
    for (; sent < due; sent++) source.emit(mix);
    await sleep(5);
  }
  await sleep(1000);
  const elapsed = (performance.now() - t0) / 1000;
  return ((cpuS((await child.ask()).cpu) - c0 - idleRate * elapsed) / total) * 1e6;
}

async function round(kubeconfig: string, mode: string, source: EventSource) {
  const t0 = performance.now();
  const child = new Child(kubeconfig, mode);
  const synced = await child.synced;
  const syncedMs = performance.now() - t0;
  await sleep(1000);
  const i0 = cpuS((await child.ask()).cpu);
  await sleep(2000);
  const idle = (cpuS((await child.ask()).cpu) - i0) / 2;
  const podUs = await events(child, source, 'pods', idle);
  const mixedUs = await events(child, source, 'mixed', idle);
  const heapMiB = ((await child.ask()).memory?.heapUsed ?? NaN) / 2 ** 20;
  await child.stop();
  return { mode, syncedMs, cpuToSyncS: cpuS(synced.cpu), objects: synced.objects, idleMsPerS: idle * 1000, podUs, mixedUs, heapMiB };
}

async function main(): Promise<void> {
  const facts = machineFacts();
  console.log(`bench:kube source path — ${size.pods} pods, ${size.services} services, ${size.slices} slices; ${facts.nproc} cpus, load ${facts.loadAverage}, node ${facts.node}`);
  const api = await startFakeKubeApi({ maxEvents: 50_000 });
  const dir = mkdtempSync(join(tmpdir(), 'bench-kube-source-'));
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, api.kubeconfig());
  populate(api);
  const source = new EventSource(api, size);
  const modes = flags.modes.split(',');
  const results: Array<Awaited<ReturnType<typeof round>>> = [];
  try {
    for (let r = 0; r < Number(flags.rounds); r++) {
      for (const mode of modes) {
        const res = await round(kubeconfig, mode, source);
        results.push(res);
        console.log(`${mode.padEnd(22)} synced ${Math.round(res.syncedMs)} ms (CPU ${res.cpuToSyncS.toFixed(2)} s, ${res.objects} objects); idle ${res.idleMsPerS.toFixed(1)} ms/s; pod event ${res.podUs.toFixed(1)} µs, mixed ${res.mixedUs.toFixed(1)} µs; heap ${Math.round(res.heapMiB)} MiB`);
      }
    }
  } finally {
    await api.close();
    rmSync(dir, { recursive: true, force: true });
  }
  console.log('\nmedians:');
  for (const mode of modes) {
    const of = results.filter((r) => r.mode === mode);
    const m = (f: (r: (typeof of)[number]) => number) => median(of.map(f));
    console.log(`${mode.padEnd(22)} synced ${Math.round(m((r) => r.syncedMs))} ms, CPU to sync ${m((r) => r.cpuToSyncS).toFixed(2)} s; pod event ${m((r) => r.podUs).toFixed(1)} µs CPU; mixed event ${m((r) => r.mixedUs).toFixed(1)} µs CPU; heap ${Math.round(m((r) => r.heapMiB))} MiB`);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
