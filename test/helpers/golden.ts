/**
 * The golden-file runner shared by test/golden/*: testdata/<case>/in.yaml → out.yaml through a
 * render function. UPDATE_GOLDEN=1 rewrites outputs and deletes outputs whose input is gone.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const update = process.env.UPDATE_GOLDEN === '1';

/** Minimal line diff: common prefix/suffix trimmed, the differing middle shown as -/+. */
export function lineDiff(want: string, got: string): string {
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

/**
 * Registers one test per case directory under `testdata` (plus one that at least `minCases`
 * exist). `render` gets the case directory and returns the expected out.yaml text.
 */
export function goldenCases(label: string, testdata: string, minCases: number, render: (caseDir: string) => string): void {
  const cases = readdirSync(testdata, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
  test(`${label} golden cases exist`, () => {
    assert.ok(cases.filter((c) => existsSync(join(testdata, c, 'in.yaml'))).length >= minCases);
  });
  for (const name of cases) {
    const dir = join(testdata, name);
    const outFile = join(dir, 'out.yaml');
    if (!existsSync(join(dir, 'in.yaml'))) {
      if (update && existsSync(outFile)) rmSync(outFile);
      continue;
    }
    test(`${label} golden: ${name}`, () => {
      const got = render(dir);
      if (update) return void writeFileSync(outFile, got);
      assert.ok(existsSync(outFile), `${outFile} is missing; run with UPDATE_GOLDEN=1`);
      const want = readFileSync(outFile, 'utf8');
      if (want !== got) assert.fail(`${name}/out.yaml differs (UPDATE_GOLDEN=1 to accept):\n${lineDiff(want, got)}`);
    });
  }
}
