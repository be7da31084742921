/**
 * Golden tests for RequestAuthentication → Envoy jwt_authn (and the RBAC matchers reading its
 * payload): testdata/<case>/in.yaml over workload.yaml → out/authn.yaml + out/diagnostics.yaml
 * (UPDATE_GOLDEN=1 refreshes). Every resource passes the shared xDS checks (Envoy message types,
 * validate.rules, referential integrity); every authenticated manager carries the same jwt_authn
 * filter, first, ahead of RBAC; outbound managers carry none.
 */
import assert from 'node:assert/strict';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkRenderedXds } from '../../helpers/xds-golden-checks.js';
import { goldenDirCases } from '../translate-sidecar/golden-dir.js';
import { authenticatedManagers, httpManagers, JWT, renderAuthnCase, type AuthnRendered } from './render.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');

function checkFilterPlacement(out: AuthnRendered, caseName: string): void {
  const managers = authenticatedManagers(out);
  assert.ok(managers.length > 0, `${caseName}: no authenticated HTTP manager`);
  const jwtOf = (filters: readonly Record<string, unknown>[]) => filters.filter((f) => f.name === JWT);
  const expected = jwtOf(managers[0]!.filters);
  for (const m of managers) {
    const jwt = jwtOf(m.filters);
    assert.deepEqual(jwt, expected, `${caseName}: ${m.chain} carries another jwt_authn filter than ${managers[0]!.chain}`);
    if (jwt.length > 0) assert.equal(m.filters[0]!.name, JWT, `${caseName}: ${m.chain}: jwt_authn must come first`);
    const firstRbac = m.filters.findIndex((f) => String(f.name).endsWith('.rbac'));
    if (jwt.length > 0 && firstRbac >= 0) assert.ok(firstRbac > 0, `${caseName}: ${m.chain}: RBAC before jwt_authn`);
  }
  const others = httpManagers(out.listeners).filter((m) => !managers.some((a) => a.chain === m.chain));
  for (const m of others) assert.equal(jwtOf(m.filters).length, 0, `${caseName}: ${m.chain} (outbound) must not authenticate`);
}

goldenDirCases('translate-authn', join(root, 'test/golden/translate-authn/testdata'), 10, (dir) => renderAuthnCase(dir), (result, caseName) => {
  checkRenderedXds(result, caseName);
  checkFilterPlacement(result, caseName);
});
