/**
 * Golden tests for the gateway (router) generator: testdata/base.yaml + testdata/<case>/in.yaml
 * (+ proxy.yaml, mesh.yaml, features.yaml) → out/{listeners,routes,clusters,endpoints,diagnostics}.yaml
 * (UPDATE_GOLDEN=1 refreshes). Every resource is also checked against Envoy's real message types
 * (shape + encode), the protos' validate.rules and the answer's referential integrity, and every
 * route configuration a listener names must be served. Case list: README.md next to this file.
 */
import assert from 'node:assert/strict';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkRenderedXds } from '../../helpers/xds-golden-checks.js';
import { goldenDirCases } from '../translate-sidecar/golden-dir.js';
import { routeConfigNames } from '../translate-sidecar/references.js';
import type { Rendered } from '../translate-sidecar/render.js';
import { renderGatewayCase } from './render.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');

/** The common checks, and every route configuration a listener names must be served. */
function checkRendered(out: Rendered, caseName: string): void {
  checkRenderedXds(out, caseName);
  const served = new Set(out.routes.map((r) => r.name));
  const missing = routeConfigNames(out.listeners.map((l) => l.body as Record<string, unknown>)).filter((n) => !served.has(n));
  assert.deepEqual(missing, [], `${caseName}: every RDS name a listener uses is served`);
}

goldenDirCases('translate-gateway', join(root, 'test/golden/translate-gateway/testdata'), 25, (dir) => {
  const result = renderGatewayCase(dir);
  return { files: result.files, result };
}, checkRendered);
