/**
 * Golden tests: testdata/<case>/in.yaml (+ optional options.yaml) → out.yaml.
 * UPDATE_GOLDEN=1 rewrites outputs and deletes outputs whose input is gone.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { renderCase, type CaseOptions } from './render.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
const testdata = join(root, 'test/golden/registry/testdata');
const update = process.env.UPDATE_GOLDEN === '1';

/** Minimal line diff: common prefix/suffix trimmed, the differing middle shown as -/+. */
function diff(want: string, got: string): string {
  const a = want.split('\n');
  const b = got.split('\n');
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) { endA--; endB--; }
  const ctx = a.slice(Math.max(0, start - 3), start).map((l) => `  ${l}`);
  return [`@@ line ${start + 1}`, ...ctx, ...a.slice(start, endA).map((l) => `- ${l}`), ...b.slice(start, endB).map((l) => `+ ${l}`)].join('\n');
}

const cases = readdirSync(testdata, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();

test('golden cases exist', () => {
  assert.ok(cases.filter((c) => existsSync(join(testdata, c, 'in.yaml'))).length >= 6);
});

for (const name of cases) {
  const dir = join(testdata, name);
  const inFile = join(dir, 'in.yaml');
  const outFile = join(dir, 'out.yaml');
  if (!existsSync(inFile)) {
    if (update && existsSync(outFile)) rmSync(outFile);
    continue;
  }
  test(`registry golden: ${name}`, () => {
    const optsFile = join(dir, 'options.yaml');
    const opts = (existsSync(optsFile) ? parse(readFileSync(optsFile, 'utf8')) : {}) as CaseOptions;
    const got = renderCase(readFileSync(inFile, 'utf8'), opts ?? {});
    if (update) {
      writeFileSync(outFile, got);
      return;
    }
    assert.ok(existsSync(outFile), `${outFile} is missing; run with UPDATE_GOLDEN=1`);
    const want = readFileSync(outFile, 'utf8');
    if (want !== got) assert.fail(`${name}/out.yaml differs (UPDATE_GOLDEN=1 to accept):\n${diff(want, got)}`);
  });
}
