/**
 * The checks every translator golden runs on its output: each resource has a unique name that
 * matches its body and its type URL, passes Envoy's real message types (shape + encode) and the
 * protos' validate.rules, and the answer is referentially intact (test/helpers/xds-integrity.ts).
 */
import assert from 'node:assert/strict';
import { checkResourceShape, encodeResourceBody } from '../../src/serve/proto/encode.js';
import { TypeUrl } from '../../src/translate/type-urls.js';
import type { XdsResource } from '../../src/translate/types.js';
import { checkValidateRules } from './validate-rules.js';
import { checkIntegrity } from './xds-integrity.js';

export interface RenderedXds {
  readonly listeners: readonly XdsResource[];
  readonly routes: readonly XdsResource[];
  readonly clusters: readonly XdsResource[];
  readonly endpoints: readonly XdsResource[];
}

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

export function checkRenderedXds(out: RenderedXds, caseName: string): void {
  checkType(caseName, TypeUrl.Listener, out.listeners);
  checkType(caseName, TypeUrl.RouteConfiguration, out.routes);
  checkType(caseName, TypeUrl.Cluster, out.clusters);
  checkType(caseName, TypeUrl.ClusterLoadAssignment, out.endpoints);
  assert.deepEqual(checkIntegrity({ listeners: out.listeners, routes: out.routes, clusters: out.clusters, endpoints: out.endpoints }), [], `${caseName}: referential integrity`);
}
