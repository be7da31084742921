/**
 * Path-normalization bulletin replay (CVE-2021-31920 class): a DENY on `/admin` against
 * `/admin/../admin`, `//admin`, `/%61dmin`, `/%2Fadmin`, `\admin`-style forms. The inbound HCM
 * our sidecar emits for each MeshConfig pathNormalization mode is fed to a model of Envoy's
 * normalization (test helper), then the RBAC filter decides on the path it would see. The table
 * is Istio's documented one: NONE normalizes nothing, BASE (the default) RFC 3986 + `\`→`/` +
 * unreserved %-decoding, MERGE_SLASHES also merges `//`, DECODE_AND_MERGE_SLASHES also decodes
 * %2F/%5C first.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ConfigObject } from '../../../src/model/config.js';
import { defaultMeshConfig } from '../../../src/config/mesh-config.js';
import type { MeshConfig, PathNormalizationMode } from '../../../src/config/mesh-types.js';
import { inboundHttpManager } from '../../../src/translate/sidecar/lds/http-manager.js';
import { buildRbacFilters, trustDomainBundle } from '../../../src/translate/common/authz/index.js';
import { chainAllows, hcmNormalizedPath, type EnvoyRequest } from '../../helpers/envoy-rbac-interpreter.js';

type Json = Record<string, unknown>;

const deny = { kind: 'AuthorizationPolicy', apiVersion: 'security.istio.io/v1', metadata: { name: 'no-admin', namespace: 'default' },
  spec: { action: 'DENY', rules: [{ to: [{ operation: { paths: ['/admin'] } }] }] } } as unknown as ConfigObject;
const rbac = buildRbacFilters({ custom: [], deny: [deny], allow: [], audit: [] }, false, trustDomainBundle('cluster.local', [])).filters as Json[];

function hcmFor(mode: PathNormalizationMode): Json {
  const mesh: MeshConfig = { ...defaultMeshConfig(), pathNormalization: { normalization: mode } };
  const route = { cluster: 'inbound|8080||', servicePort: 8080, hostname: 'svc', http2: false };
  return inboundHttpManager(mesh, 'inbound_0.0.0.0_8080', route, rbac).typed_config as Json;
}

/** Whether the request reaches the application: HCM normalization, then the HCM's own RBAC filters. */
function reaches(mode: PathNormalizationMode, rawPath: string): boolean {
  const hcm = hcmFor(mode);
  const filters = (hcm.http_filters as Json[]).filter((f) => String(f.name).includes('rbac'));
  assert.equal(filters.length, 1, 'the RBAC filter sits in the inbound HCM');
  const req: EnvoyRequest = {
    directRemoteIp: '10.0.0.1', remoteIp: '10.0.0.1', destinationIp: '10.0.0.9', destinationPort: 8080,
    headers: { ':method': 'GET', ':authority': 'svc', ':path': hcmNormalizedPath(hcm, rawPath) }, metadata: {},
  };
  return chainAllows(filters, req);
}

const FORMS = ['/admin', '/admin/../admin', '/x/../admin', '/./admin', '/%61dmin', '/%2e%2e/admin', '\\admin', '//admin', '/%2Fadmin', '/%5Cadmin', '/admin?x=1', '/public'];

/** Which forms get through a DENY on `/admin` in each mode (true = reaches the app). */
const EXPECTED: Record<PathNormalizationMode, readonly boolean[]> = {
  NONE:                     [false, true, true, true, true, true, true, true, true, true, false, true],
  DEFAULT:                  [false, false, false, false, false, false, false, true, true, true, false, true],
  BASE:                     [false, false, false, false, false, false, false, true, true, true, false, true],
  MERGE_SLASHES:            [false, false, false, false, false, false, false, false, true, true, false, true],
  DECODE_AND_MERGE_SLASHES: [false, false, false, false, false, false, false, false, false, false, false, true],
};

for (const mode of Object.keys(EXPECTED) as PathNormalizationMode[]) {
  test(`bulletin: path normalization ${mode} — which /admin spellings get past a DENY on /admin`, () => {
    const got = FORMS.map((p) => reaches(mode, p));
    const diff = FORMS.filter((_, i) => got[i] !== EXPECTED[mode][i]);
    assert.deepEqual(diff, [], `mode ${mode}: unexpected outcome for ${diff.join(', ')}`);
  });
}

test('inbound HCM carries Istio\'s per-mode normalization fields', () => {
  const fields = (m: PathNormalizationMode) => {
    const h = hcmFor(m);
    return { normalize_path: h.normalize_path, merge_slashes: h.merge_slashes, path_with_escaped_slashes_action: h.path_with_escaped_slashes_action };
  };
  assert.deepEqual(fields('NONE'), { normalize_path: { value: false }, merge_slashes: undefined, path_with_escaped_slashes_action: 'KEEP_UNCHANGED' });
  assert.deepEqual(fields('BASE'), { normalize_path: { value: true }, merge_slashes: undefined, path_with_escaped_slashes_action: 'KEEP_UNCHANGED' });
  assert.deepEqual(fields('MERGE_SLASHES'), { normalize_path: { value: true }, merge_slashes: true, path_with_escaped_slashes_action: 'KEEP_UNCHANGED' });
  assert.deepEqual(fields('DECODE_AND_MERGE_SLASHES'), { normalize_path: { value: true }, merge_slashes: true, path_with_escaped_slashes_action: 'UNESCAPE_AND_FORWARD' });
});

test('the normalization model follows the documented examples', () => {
  const base = hcmFor('BASE');
  assert.equal(hcmNormalizedPath(base, '/a/../b'), '/b');
  assert.equal(hcmNormalizedPath(base, '\\da'), '/da');
  assert.equal(hcmNormalizedPath(base, '/a/%2e/b?q=/../'), '/a/b?q=/../');
  assert.equal(hcmNormalizedPath(base, '/a%2Fb'), '/a%2Fb');
  assert.equal(hcmNormalizedPath(hcmFor('MERGE_SLASHES'), '/a//b'), '/a/b');
  assert.equal(hcmNormalizedPath(hcmFor('DECODE_AND_MERGE_SLASHES'), '/a%2fb'), '/a/b');
  assert.equal(hcmNormalizedPath(hcmFor('NONE'), '/a/../b'), '/a/../b');
});
