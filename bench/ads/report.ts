/** Prints the results of `npm run bench:ads` as Markdown, ready to paste into BENCHMARKS.md, with the targets alongside. */
import type { ConnectResult, RestartResult, RoundResult } from './phases.js';
import { median, type MachineFacts } from './proc-stats.js';

export interface StepReport {
  readonly clients: number;
  readonly connect: ConnectResult;
  readonly rssBytes: number;
  readonly rssPerProxyBytes: number;
  /** (RSS − RSS at the previous step) / clients added: excludes the one-time resource cache. */
  readonly marginalPerProxyBytes: number;
  readonly rounds: readonly RoundResult[];
}

export interface ProtocolReport {
  readonly protocol: string;
  readonly daemonStartMs: number;
  readonly rss0Bytes: number;
  readonly idleCpuRate: number;
  readonly steps: readonly StepReport[];
  readonly restart: RestartResult | undefined;
  readonly closeReasons: Record<string, number>;
  readonly daemonProblems: Record<string, number>;
}

const ms = (v: number) => (Number.isFinite(v) ? `${v.toFixed(0)}` : '—');
const s1 = (v: number) => (Number.isFinite(v) ? (v / 1000).toFixed(1) : '—');
const mib = (b: number) => (b / 2 ** 20).toFixed(0);
const kb = (b: number) => (b / 1024).toFixed(0);
const pct = (v: number) => `${Math.round(v * 100)}%`;
const counts = (o: Record<string, number>) => Object.entries(o).map(([k, v]) => `${v}× ${k}`).join('; ') || 'none';

function roundRows(protocol: string, step: StepReport): string[] {
  const kinds = [...new Set(step.rounds.map((r) => r.kind))];
  return kinds.map((kind) => {
    const rs = step.rounds.filter((r) => r.kind === kind);
    const worst = Math.max(...rs.map((r) => r.p99Ms));
    const acked = rs.map((r) => `${r.done}/${r.of}`).filter((x, i, a) => a.indexOf(x) === i).join(', ');
    return `| ${protocol} | ${step.clients} | ${kind} | ${rs.length} | ${ms(median(rs.map((r) => r.p50Ms)))} | ${ms(median(rs.map((r) => r.p99Ms)))} | ${ms(worst)} | ${acked} | ${median(rs.map((r) => r.serverCpuS)).toFixed(3)} | ${pct(Math.max(...rs.map((r) => r.clientCpuShare)))} | ${ms(Math.max(...rs.map((r) => r.clientLoopMaxMs)))} | ${ms(Math.max(...rs.map((r) => r.probeMaxMs)))} | ${rs.reduce((a, r) => a + r.closes, 0)} |`;
  });
}

export function printReport(facts: MachineFacts, settings: Record<string, unknown>, reports: readonly ProtocolReport[]): void {
  const out: string[] = [];
  out.push(`Machine: ${facts.nproc} × ${facts.cpuModel}, ${facts.totalMemoryGiB} GiB, Node ${facts.node}, ${facts.date} (load average at start ${facts.loadAverage}).`);
  out.push(`Settings: ${JSON.stringify(settings)}`, '');
  out.push('Change → every client ACKed (median over rounds of each round\'s p50/p99 across clients; target: 2,000 clients, delta, p99 ≤ 500 ms)', '');
  out.push('| protocol | clients | change | rounds | p50 ms | p99 ms | worst p99 ms | ACKed | server CPU-s/change | client CPU (peak, 1 core = 100%) | client loop max ms | server /ready max ms | stream closes |');
  out.push('|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of reports) for (const step of r.steps) out.push(...roundRows(r.protocol, step));
  out.push('', 'Connect and memory (target ≤ 150 KB RSS per connected proxy; istiod ≈ 0.75–2 MB)', '');
  out.push('| protocol | clients | new clients converged | p50 s | p99 s | all s | server CPU-s | client CPU | client loop max ms | RSS MiB | RSS/proxy KB | added RSS per added proxy KB |');
  out.push('|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of reports) {
    out.push(`| ${r.protocol} | 0 | — | — | — | — | — | — | — | ${mib(r.rss0Bytes)} | — | — |`);
    for (const st of r.steps) {
      const c = st.connect;
      out.push(`| ${r.protocol} | ${st.clients} | ${c.done}/${c.of} | ${s1(c.p50Ms)} | ${s1(c.p99Ms)} | ${s1(c.allMs)} | ${c.serverCpuS.toFixed(1)} | ${pct(c.clientCpuShare)} | ${ms(c.clientLoopMaxMs)} | ${mib(st.rssBytes)} | ${kb(st.rssPerProxyBytes)} | ${kb(st.marginalPerProxyBytes)} |`);
    }
  }
  const restarts = reports.filter((r) => r.restart);
  if (restarts.length > 0) {
    out.push('', 'Restart → every client reconnected and converged (target ≤ 20 s for 2,000; istiod ≥ 80 s)', '');
    out.push('| protocol | clients | SIGTERM → exit ms | spawn → listening s | converged | p50 s | p99 s | all s (from spawn) | all s (from listening) | client CPU | client loop max ms | stream closes while reconnecting |');
    out.push('|---|---|---|---|---|---|---|---|---|---|---|---|');
    for (const r of restarts) {
      const x = r.restart!;
      out.push(`| ${r.protocol} | ${x.clients} | ${ms(x.stopMs)} | ${s1(x.listenMs)} | ${x.done}/${x.of} | ${s1(x.p50Ms)} | ${s1(x.p99Ms)} | ${s1(x.allMs)} | ${s1(x.allFromListenMs)} | ${pct(x.clientCpuShare)} | ${ms(x.clientLoopMaxMs)} | ${counts(x.closeReasons)} |`);
    }
  }
  out.push('');
  for (const r of reports) {
    out.push(`- ${r.protocol}: daemon start ${ms(r.daemonStartMs)} ms; idle daemon CPU ${(r.idleCpuRate * 1000).toFixed(1)} ms/s; client-side stream closes: ${counts(r.closeReasons)}; daemon warn/error lines: ${counts(r.daemonProblems)}`);
  }
  process.stdout.write(`${out.join('\n')}\n`);
}
