/**
 * Golden tests: testdata/<case>/in.yaml (+ optional options.yaml) → out.yaml.
 * UPDATE_GOLDEN=1 rewrites outputs and deletes outputs whose input is gone.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { goldenCases } from '../../helpers/golden.js';
import { renderCase, type CaseOptions } from './render.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');

goldenCases('registry', join(root, 'test/golden/registry/testdata'), 6, (dir) => {
  const optsFile = join(dir, 'options.yaml');
  const opts = (existsSync(optsFile) ? parse(readFileSync(optsFile, 'utf8')) : {}) as CaseOptions | null;
  return renderCase(readFileSync(join(dir, 'in.yaml'), 'utf8'), opts ?? {});
});
