/**
 * `npm run bench:model`: validation and snapshot-building throughput on Istio's own benchmark
 * scenarios (../shared/bench/istio-scenarios). Reports medians of several rounds; timings come
 * from this machine only, so read them as ratios between runs, not absolutes.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpus } from 'node:os';
import { createValidator } from '../src/model/validation/validate.js';
import { parseDocuments } from '../src/sources/file/parse-documents.js';
import { buildSnapshot, registryOptions } from '../src/model/snapshot.js';
import type { ConfigObject } from '../src/model/config.js';

const DIR = '../shared/bench/istio-scenarios';
const ROUNDS = 7;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function timeRounds(fn: () => void): number {
  const times: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  return median(times);
}

if (!existsSync(DIR)) {
  console.log(`skipped: ${DIR} not found (the benchmark corpus lives in ../shared)`);
  process.exit(0);
}
const t0 = performance.now();
const validator = createValidator();
console.log(`validator construction: ${(performance.now() - t0).toFixed(0)} ms; node ${process.version}; ${cpus().length} x ${cpus()[0]?.model}`);
console.log('scenario | docs | parse ms | validate ms | µs/doc | snapshot ms | rejected');
console.log('---|---|---|---|---|---|---');
for (const file of readdirSync(DIR).filter((f) => f.endsWith('.yaml')).sort()) {
  const text = readFileSync(join(DIR, file), 'utf8');
  const parseMs = timeRounds(() => parseDocuments(text));
  const docs = parseDocuments(text).documents;
  let objects: ConfigObject[] = [];
  let rejected = 0;
  const validateMs = timeRounds(() => {
    objects = [];
    rejected = 0;
    for (const d of docs) {
      const out = validator.validate(d.value);
      if (out.object) objects.push(out.object);
      else rejected++;
    }
  });
  const snapshotMs = timeRounds(() => buildSnapshot(objects, undefined, registryOptions()));
  const perDoc = docs.length ? (validateMs * 1000) / docs.length : 0;
  console.log(`${file} | ${docs.length} | ${parseMs.toFixed(1)} | ${validateMs.toFixed(1)} | ${perDoc.toFixed(0)} | ${snapshotMs.toFixed(1)} | ${rejected}`);
}
