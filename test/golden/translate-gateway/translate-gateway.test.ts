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
import { checkResourceShape, encodeResourceBody } from '../../../src/serve/proto/encode.js';
import { TypeUrl } from '../../../src/translate/type-urls.js';
import type { XdsResource } from '../../../src/translate/types.js';
import { checkValidateRules } from '../../helpers/validate-rules.js';
import { checkIntegrity } from '../../helpers/xds-integrity.js';
import { goldenDirCases } from '../translate-sidecar/golden-dir.js';
import { routeConfigNames } from '../translate-sidecar/references.js';
import type { Rendered } from '../translate-sidecar/render.js';
import { renderGatewayCase } from './render.js';

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
  const served = new Set(out.routes.map((r) => r.name));
  const missing = routeConfigNames(out.listeners.map((l) => l.body as Record<string, unknown>)).filter((n) => !served.has(n));
  assert.deepEqual(missing, [], `${caseName}: every RDS name a listener uses is served`);
}

goldenDirCases('translate-gateway', join(root, 'test/golden/translate-gateway/testdata'), 25, (dir) => {
  const result = renderGatewayCase(dir);
  return { files: result.files, result };
}, checkRendered);
