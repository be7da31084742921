/**
 * `npm run bench:ads`: the real daemon serving a 1,000-service mesh to N simulated ADS clients in
 * a separate process. Per protocol (SotW, delta), on a fresh daemon: connect N clients in steps
 * (default 100 → 500 → 2,000) and wait for full convergence; RSS per connected proxy; K rounds
 * of one ServiceEntry change → every client ACKed; then a restart → every client reconverged.
 * A benchmark: it prints and records numbers, it asserts nothing about speed.
 *
 * Quick run: node dist/bench/ads/run.js --clients 100 --rounds 3
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_ADS_LIMITS } from '../../src/serve/types.js';
import { freePort, launch, problemLines, type DaemonRun } from './daemon-ctl.js';
import { CHURN_HOST, listenerName, writeMesh } from './mesh.js';
import { Churn, changeRound, connectAndConverge, diffCounts, idleCpuRate, restart, settledRss, sleep, type ChangeKind, type ConnectResult, type RestartResult, type RoundResult } from './phases.js';
import { machineFacts } from './proc-stats.js';
import { printReport, type ProtocolReport, type StepReport } from './report.js';
import { SimProcess } from './sim-process.js';
import type { Mode, Protocol } from './xds-client.js';

const { values: flags } = parseArgs({
  options: {
    clients: { type: 'string', default: '100,500,2000' },
    rounds: { type: 'string', default: '5' },
    protocols: { type: 'string', default: 'sotw,delta' },
    mode: { type: 'string', default: 'full' },
    changes: { type: 'string', default: 'endpoint,host' },
    services: { type: 'string', default: '1000' },
    endpoints: { type: 'string', default: '2' },
    restart: { type: 'string', default: 'sotw' },
    rate: { type: 'string' },
    'backoff-base': { type: 'string', default: '500' },
    'backoff-max': { type: 'string', default: '8000' },
    timeout: { type: 'string', default: '60' },
    'connect-timeout': { type: 'string', default: '120' },
    json: { type: 'string' },
  },
});

const list = (s: string) => s.split(',').map((x) => x.trim()).filter(Boolean);
const steps = list(flags.clients).map(Number).sort((a, b) => a - b);
const rounds = Number(flags.rounds);
const mode = flags.mode as Mode;
const changes = list(flags.changes).filter((k) => mode === 'full' || k !== 'host') as ChangeKind[];
const timeoutMs = Number(flags.timeout) * 1000;
const connectTimeoutMs = Number(flags['connect-timeout']) * 1000;
const services = Number(flags.services);
const env: Record<string, string> = flags.rate ? { PILOT_MAX_REQUESTS_PER_SECOND: flags.rate } : {};
const streamRate = flags.rate ? Number(flags.rate) : DEFAULT_ADS_LIMITS.newStreamsPerSecond;

async function measureProtocol(protocol: Protocol, sim: SimProcess, configDir: string, churnFile: string, port: number): Promise<ProtocolReport> {
  let run: DaemonRun = await launch(configDir, port, env);
  const startMs = run.startMs;
  const rss0 = await settledRss(run.pid);
  const idle = await idleCpuRate(run.pid);
  const churn = new Churn(churnFile, mode);
  sim.configure({
    target: `127.0.0.1:${port}`, protocol, mode, listener: listenerName(CHURN_HOST),
    backoffBaseMs: Number(flags['backoff-base']), backoffMaxMs: Number(flags['backoff-max']),
    minWildcard: mode === 'full' ? services : 1,
  });
  const stepReports: StepReport[] = [];
  let prev = 0;
  let restarted: RestartResult | undefined;
  let closeReasons: Record<string, number> = {};
  let daemonProblems: Record<string, number> = {};
  let earlierProblems: Record<string, number> = {};
  try {
    for (const n of steps) {
      const connect: ConnectResult = await connectAndConverge(sim, run.pid, prev, n, connectTimeoutMs);
      log(`${protocol} N=${n}: converged ${connect.done}/${connect.of} new clients, all in ${connect.allMs.toFixed(0)} ms`);
      const rss = await settledRss(run.pid);
      const roundResults: RoundResult[] = [];
      for (const kind of changes) {
        for (let k = 0; k < rounds; k++) {
          const r = await changeRound(sim, run, churn, kind, idle, timeoutMs);
          log(`${protocol} N=${n} ${kind} #${k + 1}: p50 ${r.p50Ms.toFixed(0)} ms, p99 ${r.p99Ms.toFixed(0)} ms, ${r.done}/${r.of} ACKed, server ${r.serverCpuS.toFixed(3)} CPU-s, ${r.closes} stream closes`);
          roundResults.push(r);
          await sleep(1000);
          // A round that did not finish means the server is overloaded: more rounds would only pile up timeouts.
          if (r.done < r.of) break;
        }
      }
      const prevRss = stepReports.at(-1)?.rssBytes ?? rss0;
      stepReports.push({ clients: n, connect, rssBytes: rss, rssPerProxyBytes: (rss - rss0) / n, marginalPerProxyBytes: (rss - prevRss) / (n - prev), rounds: roundResults });
      prev = n;
      if (connect.done < connect.of) {
        log(`${protocol}: not every client converged at N=${n}; larger steps skipped`);
        break;
      }
    }
    if (list(flags.restart).includes(protocol) && prev > 0) {
      const before = run;
      const out = await restart(sim, run, () => launch(configDir, port, env), prev, connectTimeoutMs);
      earlierProblems = problemLines(before.daemon);
      run = out.run;
      restarted = out.result;
      log(`${protocol} restart with N=${prev}: all converged in ${restarted.allMs.toFixed(0)} ms (${restarted.done}/${restarted.of})`);
    }
  } finally {
    closeReasons = (await sim.stats()).closeReasons;
    sim.closeAll();
    await sleep(1000);
    daemonProblems = problemLines(run.daemon);
    for (const [k, v] of Object.entries(earlierProblems)) daemonProblems[k] = (daemonProblems[k] ?? 0) + v;
    await run.daemon.stop();
  }
  return { protocol, daemonStartMs: startMs, rss0Bytes: rss0, idleCpuRate: idle, steps: stepReports, restart: restarted, closeReasons, daemonProblems };
}

function log(line: string): void {
  process.stderr.write(`[bench:ads] ${line}\n`);
}

async function main(): Promise<void> {
  const facts = machineFacts();
  const configDir = mkdtempSync(join(tmpdir(), 'istiod-ts-bench-ads-'));
  const churnFile = writeMesh(configDir, services, Number(flags.endpoints));
  const port = await freePort();
  const sim = await SimProcess.start();
  const reports: ProtocolReport[] = [];
  const started = Date.now();
  try {
    let seen: Record<string, number> = {};
    for (const protocol of list(flags.protocols) as Protocol[]) {
      const report = await measureProtocol(protocol, sim, configDir, churnFile, port);
      reports.push({ ...report, closeReasons: diffCounts(seen, report.closeReasons) });
      seen = report.closeReasons;
    }
  } finally {
    sim.stop();
    rmSync(configDir, { recursive: true, force: true });
  }
  const settings = {
    services, endpointsPerService: Number(flags.endpoints), mode, changes, rounds, steps,
    streamRate, streamBurst: flags.rate ? streamRate * 2 : DEFAULT_ADS_LIMITS.newStreamsBurst,
    debounceAfterMs: 100, backoff: `${flags['backoff-base']}–${flags['backoff-max']} ms, full jitter`,
    wallSeconds: Math.round((Date.now() - started) / 1000),
  };
  printReport(facts, settings, reports);
  if (flags.json) writeFileSync(flags.json, JSON.stringify({ facts, settings, reports }, null, 2));
}

await main();
