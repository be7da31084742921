/**
 * CUSTOM AuthorizationPolicies and ext_authz: the gate between the shadow RBAC filter and the
 * ext_authz filter (metadata namespace, key and value prefix must agree, and no other RBAC filter
 * may write that key), the provider's cluster existing in the proxy's CDS, dry-run CUSTOM
 * policies (rejected by validation, so built here from hand-made objects), provider lookup
 * rules and fail-closed reasons, and the typed MeshConfig decoding of the provider bodies.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseMeshConfig } from '../../../src/config/mesh-config.js';
import type { ConfigObject } from '../../../src/model/config.js';
import { parseProxy } from '../../../src/model/proxy.js';
import { buildSnapshot, registryOptions } from '../../../src/model/snapshot.js';
import type { AuthorizationPolicySpec } from '../../../src/model/types/security.js';
import {
  buildRbacFilters, EXT_AUTHZ_MATCH_PREFIX, resolveExtAuthzProvider, snapshotServiceLookup, trustDomainBundle, type ExtAuthzContext, type ServiceLookup,
} from '../../../src/translate/common/authz/index.js';
import { createSidecarGenerator } from '../../../src/translate/sidecar/index.js';
import { TypeUrl } from '../../../src/translate/type-urls.js';
import { meshFor, nodeFor } from '../../golden/translate-sidecar/render.js';
import { objectsFrom } from './grpc-fixtures.js';

type Json = Record<string, any>;
const TD = trustDomainBundle('cluster.local', []);
const goldenDir = join(dirname(fileURLToPath(import.meta.url)), '../../../../test/golden/translate-authz');

function policy(name: string, spec: AuthorizationPolicySpec, annotations?: Record<string, string>): ConfigObject {
  return { kind: 'AuthorizationPolicy', apiVersion: 'security.istio.io/v1', metadata: { name, namespace: 'default', ...(annotations ? { annotations } : {}) }, spec } as unknown as ConfigObject;
}

const found: ServiceLookup = () => ({ ok: true, value: { hostname: 'authz.foo.svc.cluster.local', ports: [9000] } });
const grpcCtx = (extra: Json = {}): ExtAuthzContext => ({ providers: [{ name: 'p', envoyExtAuthzGrpc: { service: 'authz.foo.svc.cluster.local', port: 9000, ...extra } }], lookup: found });
const custom = (...ps: ConfigObject[]) => ({ custom: ps, deny: [], allow: [], audit: [] });

/** Checks that each ext_authz filter is gated on the RBAC filter right before it, and only on CUSTOM rules. */
function assertGateAgrees(filters: Json[]): void {
  const i = filters.findIndex((f) => String(f.name).endsWith('.ext_authz'));
  assert.ok(i > 0, 'an ext_authz filter after an RBAC filter');
  const rbac = filters[i - 1]!;
  const gate = filters[i]!.typed_config.filter_enabled_metadata;
  assert.equal(gate.filter, rbac.name, 'metadata namespace = the RBAC filter name');
  // Envoy writes shadow results under `<shadow_rules_stat_prefix>shadow_effective_policy_id`.
  assert.deepEqual(gate.path, [{ key: `${rbac.typed_config.shadow_rules_stat_prefix}shadow_effective_policy_id` }]);
  const names = Object.keys(rbac.typed_config.shadow_rules.policies);
  assert.ok(names.length > 0 && names.every((n) => n.startsWith(gate.value.string_match.prefix)), `rule names ${names} carry the gate prefix`);
  for (const other of filters.filter((f, j) => j !== i - 1 && String(f.name).endsWith('.rbac'))) {
    assert.notEqual(other.typed_config.shadow_rules_stat_prefix, rbac.typed_config.shadow_rules_stat_prefix, 'no other RBAC filter writes the gate key');
  }
}

test('ext_authz gate: HTTP and TCP filters read the key their shadow RBAC filter writes', () => {
  const ext = policy('ext', { action: 'CUSTOM', provider: { name: 'p' }, rules: [{ to: [{ operation: { paths: ['/admin/*'] } }] }] });
  const deny = policy('dry-deny', { action: 'DENY', rules: [{}] }, { 'istio.io/dry-run': 'true' });
  for (const forTCP of [false, true]) {
    const built = buildRbacFilters({ custom: [ext], deny: [deny], allow: [], audit: [] }, forTCP, TD, grpcCtx());
    assertGateAgrees(built.filters as Json[]);
    assert.deepEqual(built.customAsDeny, []);
  }
});

test('ext_authz clusters exist in the proxy CDS (golden workload with each provider kind)', () => {
  for (const name of ['custom-grpc-provider', 'custom-http-all-options']) {
    const mesh = meshFor(readFileSync(join(goldenDir, 'testdata', name, 'mesh.yaml'), 'utf8'), name);
    const text = `${readFileSync(join(goldenDir, 'workload.yaml'), 'utf8')}\n---\n${readFileSync(join(goldenDir, 'testdata', name, 'in.yaml'), 'utf8')}`;
    const snapshot = buildSnapshot(objectsFrom(text), undefined, registryOptions({ rootNamespace: mesh.rootNamespace }));
    const proxy = parseProxy(nodeFor(undefined));
    assert.ok(proxy.ok);
    const gen = createSidecarGenerator({ mesh });
    const clusters = new Set(gen.generate(snapshot, proxy.value, TypeUrl.Cluster, undefined).resources.map((r) => r.name));
    const listeners = JSON.stringify(gen.generate(snapshot, proxy.value, TypeUrl.Listener, undefined).resources.map((r) => r.body));
    const refs = [...listeners.matchAll(/"(?:cluster|cluster_name)":"(outbound\|[^"]+)"/g)].map((m) => m[1]!).filter((c) => c.includes('ext-authz'));
    assert.ok(refs.length > 0, `${name}: ext_authz references a cluster`);
    for (const c of refs) assert.ok(clusters.has(c), `${name}: ${c} is in CDS`);
  }
});

test('dry-run CUSTOM: no rules, a note, and the provider still counts', () => {
  const dry = policy('dry', { action: 'CUSTOM', provider: { name: 'p' }, rules: [{}] }, { 'istio.io/dry-run': 'true' });
  const live = policy('live', { action: 'CUSTOM', provider: { name: 'p' }, rules: [{ to: [{ operation: { methods: ['POST'] } }] }] });
  const both = buildRbacFilters(custom(dry, live), false, TD, grpcCtx());
  assert.deepEqual(Object.keys((both.filters[0] as Json).typed_config.shadow_rules.policies), [`${EXT_AUTHZ_MATCH_PREFIX}-ns[default]-policy[live]-rule[0]`]);
  assert.deepEqual(both.customNotes.map((n) => [n.policy.metadata.name, n.path]), [['dry', 'metadata.annotations[istio.io/dry-run]']]);
  const alone = buildRbacFilters(custom(dry), false, TD, grpcCtx());
  assert.equal((alone.filters[0] as Json).typed_config.shadow_rules, undefined, 'nothing can trigger ext_authz');
  const otherProvider = policy('dry2', { action: 'CUSTOM', provider: { name: 'q' }, rules: [{}] }, { 'istio.io/dry-run': 'true' });
  const conflict = buildRbacFilters(custom(otherProvider, live), false, TD, grpcCtx());
  assert.deepEqual(conflict.customAsDeny.map((p) => p.metadata.name), ['live'], 'conflict fails closed; the dry-run policy is not enforced');
});

test('without MeshConfig providers CUSTOM fails closed with Istio rule names', () => {
  const p = policy('ext', { action: 'CUSTOM', provider: { name: 'p' }, rules: [{}] });
  const built = buildRbacFilters(custom(p), false, TD);
  assert.deepEqual(built.customAsDeny, [p]);
  const rules = (built.filters[0] as Json).typed_config.rules;
  assert.equal(rules.action, 'DENY');
  assert.deepEqual(Object.keys(rules.policies), ['istio-ext-authz-ns[default]-policy[ext]-rule[0]-deny-due-to-bad-CUSTOM-action']);
  assert.match(built.customNotes[0]!.reason, /no ext_authz extension provider named "p"/);
});

test('provider problems are reasons, never exceptions', () => {
  const cases: [Json, RegExp][] = [
    [{ envoyExtAuthzGrpc: { service: 'a', port: 0 } }, /port must be in the range/],
    [{ envoyExtAuthzGrpc: { port: 9000 } }, /service must not be empty/],
    [{ envoyExtAuthzGrpc: { service: 'a', port: 9000, statusOnError: 'teapot' } }, /unsupported statusOnError/],
    [{ envoyExtAuthzGrpc: { service: 'a', port: 9000, includeRequestBodyInCheck: {} } }, /maxRequestBytes must be greater than 0/],
    [{ envoyExtAuthzHttp: { service: 'a', port: 9000, pathPrefix: 'check' } }, /pathPrefix must begin with/],
    [{ envoyExtAuthzHttp: { service: 'a', port: 9000, headersToUpstreamOnAllow: ['*'] } }, /headersToUpstreamOnAllow: a single wildcard/],
    [{ envoyExtAuthzHttp: { service: 'a', port: 8000 } }, /has no port 8000/],
  ];
  for (const [body, reason] of cases) {
    const r = resolveExtAuthzProvider({ name: 'x', ...body }, found);
    assert.ok(r && !r.ok && reason.test(r.reason), `${JSON.stringify(body)} → ${JSON.stringify(r)}`);
  }
  assert.equal(resolveExtAuthzProvider({ name: 'prom', prometheus: {} }, found), undefined, 'not an ext_authz provider');
});

test('service lookup: <ns>/<host>, unique host, ambiguity, exportTo', () => {
  const entry = (ns: string, exportTo = '["*"]') => `apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: authz, namespace: ${ns}}
spec: {hosts: [authz.example.com], ports: [{number: 9000, name: grpc, protocol: GRPC}], resolution: DNS, exportTo: ${exportTo}}`;
  const two = buildSnapshot(objectsFrom(`${entry('a')}\n---\n${entry('b')}`), undefined, registryOptions());
  const lookup = snapshotServiceLookup(two, 'default');
  assert.match(String((lookup('authz.example.com') as Json).reason), /exists in namespaces a, b/);
  assert.deepEqual(lookup('b/authz.example.com'), { ok: true, value: { hostname: 'authz.example.com', ports: [9000] } });
  assert.match(String((lookup('c/authz.example.com') as Json).reason), /not found/);
  const hidden = buildSnapshot(objectsFrom(entry('a', '["."]')), undefined, registryOptions());
  assert.match(String((snapshotServiceLookup(hidden, 'default')('authz.example.com') as Json).reason), /not exported to namespace default/);
  assert.equal(snapshotServiceLookup(hidden, 'a')('authz.example.com').ok, true);
});

test('MeshConfig decodes ext_authz provider bodies by field (snake_case, numeric strings, unknown fields)', () => {
  const ok = parseMeshConfig('extensionProviders:\n- name: x\n  envoy_ext_authz_grpc: {service: a.b, port: "9000", fail_open: true, timeout: 2s}\n', 'mesh');
  assert.ok(ok.ok);
  assert.deepEqual(ok.value.extensionProviders.find((p) => p.name === 'x')?.envoyExtAuthzGrpc, { service: 'a.b', port: 9000, failOpen: true, timeout: '2s' });
  const bad = parseMeshConfig('extensionProviders:\n- name: x\n  envoyExtAuthzHttp: {service: a.b, port: 80, includeHeadersInCheck: x, bogus: 1}\n', 'mesh');
  assert.ok(!bad.ok);
  const paths = bad.errors.map((e) => e.path).sort();
  assert.deepEqual(paths, ['extensionProviders[0].envoyExtAuthzHttp.bogus', 'extensionProviders[0].envoyExtAuthzHttp.includeHeadersInCheck']);
});
