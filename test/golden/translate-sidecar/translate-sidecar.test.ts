/**
 * Golden tests for the Envoy sidecar generator: testdata/<case>/{in,proxy,mesh}.yaml →
 * out/{listeners,routes,clusters,endpoints,diagnostics}.yaml (UPDATE_GOLDEN=1 refreshes). Every
 * emitted resource is also checked against Envoy's real message types (shape + encode), the
 * protos' validate.rules, and the answer's referential integrity (test/helpers/xds-integrity.ts).
 * Case list: README.md next to this file.
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkRenderedXds } from '../../helpers/xds-golden-checks.js';
import { goldenDirCases } from './golden-dir.js';
import { renderCase } from './render.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');

goldenDirCases('translate-sidecar', join(root, 'test/golden/translate-sidecar/testdata'), 32, (dir) => {
  const result = renderCase(dir);
  return { files: result.files, result };
}, checkRenderedXds);
