/**
 * Golden tests for the Envoy sidecar generator: testdata/<case>/{in,proxy,mesh}.yaml →
 * out/{listeners,routes,clusters,endpoints,diagnostics}.yaml (UPDATE_GOLDEN=1 refreshes). Every
 * emitted resource is also checked against Envoy's real message types (shape + encode), the
 * protos' validate.rules, and the answer's referential integrity (test/helpers/xds-integrity.ts).
 * Case list: README.md next to this file.
 */
import assert from 'node:assert/strict';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkResourceShape, encodeResourceBody } from '../../../src/serve/proto/encode.js';
import { TypeUrl } from '../../../src/translate/type-urls.js';
import type { XdsResource } from '../../../src/translate/types.js';
import { checkValidateRules } from '../../helpers/validate-rules.js';
import { checkIntegrity } from '../../helpers/xds-integrity.js';
import { goldenDirCases } from './golden-dir.js';
import { renderCase, type Rendered } from './render.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');

function checkType(caseName: string, typeUrl: string, resources: readonly XdsResource[]): void {
  const seen = new Set<string>();
  for (const r of resources) {
    const where = `${caseName}: ${r.name}`;
    assert.ok(!seen.has(r.name), `${where}: name is not unique`);
    seen.add(r.name);
    assert.equal(r.body['@type'], typeUrl, `${where}: '@type'`);
    assert.equal(r.body.name ?? r.body.cluster_name, r.name, `${where}: resource name matches its body`);
    assert.deepEqual(checkResourceShape(r.body), [], `${where}: shape problems`);
    assert.ok(encodeResourceBody(r.body).bytes.length > 0, `${where}: encodes`);
    assert.deepEqual(checkValidateRules(r.body), [], `${where}: validate.rules violations`);
  }
}

function checkRendered(out: Rendered, caseName: string): void {
  checkType(caseName, TypeUrl.Listener, out.listeners);
  checkType(caseName, TypeUrl.RouteConfiguration, out.routes);
  checkType(caseName, TypeUrl.Cluster, out.clusters);
  checkType(caseName, TypeUrl.ClusterLoadAssignment, out.endpoints);
  assert.deepEqual(checkIntegrity({ listeners: out.listeners, routes: out.routes, clusters: out.clusters, endpoints: out.endpoints }), [], `${caseName}: referential integrity`);
}

goldenDirCases('translate-sidecar', join(root, 'test/golden/translate-sidecar/testdata'), 32, (dir) => {
  const result = renderCase(dir);
  return { files: result.files, result };
}, checkRendered);
