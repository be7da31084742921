/**
 * A golden runner for cases whose output is several files: testdata/<case>/in.yaml →
 * testdata/<case>/out/<file>. UPDATE_GOLDEN=1 rewrites the outputs, deletes out/ files the
 * render no longer produces and the out/ of cases whose in.yaml is gone.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { lineDiff } from '../../helpers/golden.js';

const update = process.env.UPDATE_GOLDEN === '1';

export interface DirCase<R> {
  readonly files: Readonly<Record<string, string>>;
  readonly result: R;
}

function writeOutputs(outDir: string, files: Readonly<Record<string, string>>): void {
  mkdirSync(outDir, { recursive: true });
  for (const stale of readdirSync(outDir)) if (!(stale in files)) rmSync(join(outDir, stale));
  for (const [file, text] of Object.entries(files)) writeFileSync(join(outDir, file), text);
}

function compareOutputs(name: string, outDir: string, files: Readonly<Record<string, string>>): void {
  assert.ok(existsSync(outDir), `${outDir} is missing; run with UPDATE_GOLDEN=1`);
  const present = readdirSync(outDir).sort();
  assert.deepEqual(present, Object.keys(files).sort(), `${name}/out/ holds other files than the render produces (UPDATE_GOLDEN=1 to accept)`);
  for (const [file, got] of Object.entries(files)) {
    const want = readFileSync(join(outDir, file), 'utf8');
    if (want !== got) assert.fail(`${name}/out/${file} differs (UPDATE_GOLDEN=1 to accept):\n${lineDiff(want, got)}`);
  }
}

/**
 * One test per case directory (plus one that at least `minCases` exist). `render` returns the
 * out/ files and a result that `check` then inspects (invariants beyond the golden text).
 */
export function goldenDirCases<R>(label: string, testdata: string, minCases: number, render: (caseDir: string) => DirCase<R>, check: (result: R, caseName: string) => void): void {
  const cases = readdirSync(testdata, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
  test(`${label} golden cases exist`, () => {
    assert.ok(cases.filter((c) => existsSync(join(testdata, c, 'in.yaml'))).length >= minCases, `fewer than ${minCases} cases`);
  });
  for (const name of cases) {
    const dir = join(testdata, name);
    const outDir = join(dir, 'out');
    if (!existsSync(join(dir, 'in.yaml'))) {
      if (update && existsSync(outDir)) rmSync(outDir, { recursive: true });
      continue;
    }
    test(`${label} golden: ${name}`, () => {
      const { files, result } = render(dir);
      if (update) writeOutputs(outDir, files);
      else compareOutputs(name, outDir, files);
      check(result, name);
    });
  }
}
