/**
 * Golden tests for AuthorizationPolicy → Envoy RBAC on sidecar inbound chains:
 * testdata/<case>/in.yaml (policies, over workload.yaml) → out/rbac.yaml + out/diagnostics.yaml
 * (UPDATE_GOLDEN=1 refreshes). Every listener is also checked against Envoy's real message types
 * (shape + encode) and the protos' validate.rules, and every inbound chain of a kind must carry
 * the same RBAC filters, first in its filter list (before fault/cors/router, before tcp_proxy).
 */
import assert from 'node:assert/strict';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkResourceShape, encodeResourceBody } from '../../../src/serve/proto/encode.js';
import { checkValidateRules } from '../../helpers/validate-rules.js';
import { goldenDirCases } from '../translate-sidecar/golden-dir.js';
import { chainViews, renderAuthzCase, type AuthzRendered } from './render.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');

function checkListeners(out: AuthzRendered, caseName: string): void {
  for (const r of out.listeners) {
    const where = `${caseName}: ${r.name}`;
    assert.deepEqual(checkResourceShape(r.body), [], `${where}: shape problems`);
    assert.ok(encodeResourceBody(r.body).bytes.length > 0, `${where}: encodes`);
    assert.deepEqual(checkValidateRules(r.body), [], `${where}: validate.rules violations`);
  }
}

function checkChains(out: AuthzRendered, caseName: string): void {
  // The blackhole chain (connections to 15006 itself) is never authorized: it carries no RBAC.
  const inbound = chainViews(out.listeners).filter((v) => v.chain.startsWith('virtualInbound/') && !v.chain.endsWith('-blackhole'));
  for (const kind of ['http', 'tcp'] as const) {
    const views = inbound.filter((v) => v.kind === kind);
    assert.ok(views.length > 0, `${caseName}: no inbound ${kind} chain`);
    for (const v of views) {
      assert.deepEqual(v.rbac, views[0]!.rbac, `${caseName}: ${v.chain} has other RBAC filters than ${views[0]!.chain}`);
      const rbacCount = v.rbac.length;
      assert.ok(v.order.slice(0, rbacCount).every((n) => n.endsWith('.rbac') || n.endsWith('.ext_authz')), `${caseName}: ${v.chain}: RBAC filters must come first: ${v.order.join(', ')}`);
    }
  }
  const outbound = chainViews(out.listeners).filter((v) => !v.chain.startsWith('virtualInbound/'));
  for (const v of outbound) assert.equal(v.rbac.length, 0, `${caseName}: outbound chain ${v.chain} must not carry RBAC`);
}

goldenDirCases('translate-authz', join(root, 'test/golden/translate-authz/testdata'), 30, (dir) => {
  const result = renderAuthzCase(dir);
  return { files: result.files, result };
}, (result, caseName) => {
  checkListeners(result, caseName);
  checkChains(result, caseName);
});
