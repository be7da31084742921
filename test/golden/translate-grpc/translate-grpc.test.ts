/**
 * Golden tests for the proxyless gRPC generator: testdata/<case>/in.yaml → out.yaml.
 * UPDATE_GOLDEN=1 rewrites outputs and deletes outputs whose input is gone.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderCase } from './render.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
const testdata = join(root, 'test/golden/translate-grpc/testdata');
const update = process.env.UPDATE_GOLDEN === '1';

function diff(want: string, got: string): string {
  const a = want.split('\n');
  const b = got.split('\n');
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) { endA--; endB--; }
  return [`@@ line ${start + 1}`, ...a.slice(start, endA).map((l) => `- ${l}`), ...b.slice(start, endB).map((l) => `+ ${l}`)].join('\n');
}

const cases = readdirSync(testdata, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();

test('translate-grpc golden cases exist', () => {
  assert.ok(cases.filter((c) => existsSync(join(testdata, c, 'in.yaml'))).length >= 10);
});

for (const name of cases) {
  const dir = join(testdata, name);
  const inFile = join(dir, 'in.yaml');
  const outFile = join(dir, 'out.yaml');
  if (!existsSync(inFile)) {
    if (update && existsSync(outFile)) rmSync(outFile);
    continue;
  }
  test(`translate-grpc golden: ${name}`, () => {
    const got = renderCase(readFileSync(inFile, 'utf8'));
    if (update) {
      writeFileSync(outFile, got);
      return;
    }
    assert.ok(existsSync(outFile), `${outFile} is missing; run with UPDATE_GOLDEN=1`);
    const want = readFileSync(outFile, 'utf8');
    if (want !== got) assert.fail(`${name}/out.yaml differs (UPDATE_GOLDEN=1 to accept):\n${diff(want, got)}`);
  });
}
