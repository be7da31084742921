/**
 * `npm run bench:translate`: µs per proxy per xDS type for Istio's own benchmark scenarios
 * (../shared/bench/istio-scenarios, relative to the repo root), cold (fresh generator, no
 * resource cache: generate + encode) and warm (serve's ResourceCache, second resolve), plus bytes
 * per response. A benchmark: it prints numbers and asserts nothing about speed.
 *
 * A third column times cold with per-proxy setup excluded, as Istio's timed loop does (see
 * measure.ts); both ratios to Istio are printed, the fully cold one first.
 *
 *   node dist/bench/translate/run.js [--iterations 20] [--only http,virtualservice] [--types RDS,CDS] [--json]
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { measureScenario, type TypeResult } from './measure.js';
import { loadScenario, readHeader } from './scenarios.js';

const { values: flags } = parseArgs({
  options: {
    iterations: { type: 'string', default: '20' },
    only: { type: 'string' },
    types: { type: 'string' },
    dir: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});

/** Istio's numbers (Go, 16 cores, caches off), µs per proxy: what issue 4 compares against. */
const ISTIO_ANCHORS_US: Readonly<Record<string, Partial<Record<string, number>>>> = {
  http: { RDS: 330 },
  virtualservice: { RDS: 1030 },
  gateways: { CDS: 7600, RDS: 22500 },
  'gateways-shared': { RDS: 61000 },
};

interface ScenarioRow { readonly scenario: string; readonly services: number; readonly instances: number; readonly loadMs: number; readonly rejected: number; readonly types: readonly TypeResult[] }
interface Skipped { readonly scenario: string; readonly reason: string }

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const corpus = flags.dir ? resolve(flags.dir) : resolve(repoRoot, '../shared/bench/istio-scenarios');
const iterations = Math.max(1, Number(flags.iterations));
const types = flags.types ? flags.types.split(',').map((s) => s.trim().toUpperCase()) : undefined;
const only = flags.only ? new Set(flags.only.split(',').map((s) => s.trim())) : undefined;

function skipReason(proxyType: string): string | undefined {
  if (proxyType === 'sidecar' || proxyType === 'router') return undefined;
  return `unknown proxy type ${JSON.stringify(proxyType)} in the file header`;
}

function runAll(): { rows: ScenarioRow[]; skipped: Skipped[]; failures: string[] } {
  const rows: ScenarioRow[] = [];
  const skipped: Skipped[] = [];
  const failures: string[] = [];
  for (const file of readdirSync(corpus).filter((f) => f.endsWith('.yaml')).sort()) {
    const path = join(corpus, file);
    const header = readHeader(path, readFileSync(path, 'utf8'));
    if (only && !only.has(header.name)) continue;
    const reason = skipReason(header.proxyType);
    if (reason) { skipped.push({ scenario: header.name, reason }); continue; }
    const t0 = performance.now();
    const scenario = loadScenario(path);
    const loadMs = performance.now() - t0;
    if (!flags.json) process.stderr.write(`measuring ${header.name}...\n`);
    rows.push({ scenario: header.name, services: header.services, instances: header.instances, loadMs, rejected: scenario.rejected, types: measureScenario(scenario, iterations, failures, types) });
  }
  return { rows, skipped, failures };
}

const us = (v: number) => (Number.isFinite(v) ? (v >= 100 ? v.toFixed(0) : v.toFixed(1)) : '—');

function printTable(rows: readonly ScenarioRow[], skipped: readonly Skipped[], failures: readonly string[]): void {
  console.log(`node ${process.version}; ${cpus().length} x ${cpus()[0]?.model ?? 'unknown'}; ${iterations} iterations, medians; ${new Date().toISOString()}`);
  console.log('');
  console.log('| scenario | services | type | resources | bytes | cold µs | cold µs, setup excl. | warm µs | Istio µs (Go, 16 cores) | cold / Istio | setup excl. / Istio |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|');
  for (const row of rows) {
    for (const t of row.types) {
      const anchor = ISTIO_ANCHORS_US[row.scenario]?.[t.type];
      const ratio = (v: number) => (anchor ? `${(v / anchor).toFixed(2)}×` : '');
      console.log(`| ${row.scenario} | ${row.services} | ${t.type} | ${t.resources} | ${t.bytes} | ${us(t.coldUs)} | ${us(t.coldSetupExcludedUs)} | ${us(t.warmUs)} | ${anchor ?? ''} | ${ratio(t.coldUs)} | ${ratio(t.coldSetupExcludedUs)} |`);
    }
  }
  const rejected = rows.filter((r) => r.rejected > 0).map((r) => `${r.scenario}: ${r.rejected}`);
  if (rejected.length > 0) console.log(`\ndocuments rejected by validation: ${rejected.join(', ')}`);
  for (const s of skipped) console.log(`skipped ${s.scenario}: ${s.reason}`);
  for (const f of [...new Set(failures)]) console.log(`problem: ${f}`);
}

if (!existsSync(corpus)) {
  console.log(`bench:translate skipped: the benchmark corpus ${corpus} does not exist (Istio's scenarios live in ../shared/bench/istio-scenarios)`);
  process.exit(0);
}
const { rows, skipped, failures } = runAll();
if (flags.json) console.log(JSON.stringify({ node: process.version, nproc: cpus().length, iterations, anchorsUs: ISTIO_ANCHORS_US, scenarios: rows, skipped, problems: [...new Set(failures)] }, null, 2));
else printTable(rows, skipped, failures);
