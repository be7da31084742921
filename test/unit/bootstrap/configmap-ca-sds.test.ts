/**
 * ConfigMap CA bundles over SDS: the Secret built from a ConfigMap (`ca.crt`, `cacert` first,
 * CRL), `-cacert` names, what is not served (missing, malformed PEM, empty key, invalid://,
 * bad names) with diagnostics naming the ConfigMap; who may ask (any verified identity, any
 * namespace; never invalid://, never without identity); the sidecar generator answering SDS
 * with one scope per bundle version; change pushes only for referenced ConfigMaps, reaching SDS
 * only; and the status lookup (missing vs invalid).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCaBundles, extractConfigMapCa, pushCaBundleChanges, referencedConfigMaps } from '../../../src/bootstrap/configmap-ca.js';
import { defaultMeshConfig } from '../../../src/config/mesh-config.js';
import { silentLogger } from '../../../src/lib/logger.js';
import type { ChangeSet } from '../../../src/model/change-set.js';
import { parseProxy } from '../../../src/model/proxy.js';
import { buildSnapshot, type Snapshot } from '../../../src/model/snapshot.js';
import { authorizeSecretNames } from '../../../src/serve/sds-access.js';
import { convertConfigMap, type KubeConfigMap } from '../../../src/sources/kubernetes/configmap-convert.js';
import { Diagnostics } from '../../../src/translate/common/diagnostics.js';
import { secretsOnly } from '../../../src/translate/gateway/sds-changes.js';
import { buildCaBundleSecret, parseConfigMapResource } from '../../../src/translate/gateway/sds-configmap.js';
import { createSidecarGenerator } from '../../../src/translate/sidecar/index.js';
import { TypeUrl } from '../../../src/translate/type-urls.js';
import { objectsFrom } from '../translate/grpc-fixtures.js';


function makeCaPem(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cm-ca-'));
  try {
    const r = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem'), '-days', '2', '-subj', '/CN=cm test CA'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return readFileSync(join(dir, 'c.pem'), 'utf8');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
const CA = makeCaPem();

const cm = (namespace: string, name: string, data: Record<string, string>): KubeConfigMap =>
  convertConfigMap({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace, resourceVersion: '1' }, data });

function source(initial: KubeConfigMap[]) {
  const map = new Map(initial.map((c) => [`${c.metadata.namespace}/${c.metadata.name}`, c]));
  const listeners = new Set<(keys: readonly string[]) => void>();
  return {
    get: (ns: string, name: string) => map.get(`${ns}/${name}`),
    onChange(l: (keys: readonly string[]) => void) { listeners.add(l); return () => void listeners.delete(l); },
    put(c: KubeConfigMap) { map.set(`${c.metadata.namespace}/${c.metadata.name}`, c); listeners.forEach((l) => l([`${c.metadata.namespace}/${c.metadata.name}`])); },
  };
}

type Json = Record<string, any>;
const trustedCa = (body: Json) => Buffer.from(body.validation_context.trusted_ca.inline_bytes, 'base64').toString('utf8');

test('a ConfigMap ca.crt becomes a validation_context Secret under the requested name (with or without -cacert)', () => {
  const bundles = createCaBundles(source([cm('app', 'ca', { 'ca.crt': CA, 'ca.crl': 'CRL' })]));
  for (const name of ['configmap://app/ca-cacert', 'configmap://app/ca']) {
    const diags = new Diagnostics();
    const secret = buildCaBundleSecret(bundles.index(), name, diags);
    assert.ok(secret, name);
    assert.equal(secret.name, name);
    assert.equal((secret.body as Json)['@type'], TypeUrl.Secret);
    assert.equal(trustedCa(secret.body as Json), CA);
    assert.equal(Buffer.from((secret.body as Json).validation_context.crl.inline_bytes, 'base64').toString(), 'CRL');
    assert.equal(new X509Certificate(trustedCa(secret.body as Json)).subject, 'CN=cm test CA');
    assert.deepEqual(diags.items, []);
  }
});

test('extraction: cacert before ca.crt; empty, missing and malformed keys are reasons naming keys, never values', () => {
  const both = extractConfigMapCa(cm('a', 'b', { cacert: CA, 'ca.crt': 'ignored' }));
  assert.ok(both.ok && Buffer.from(both.value.trustedCa).toString() === CA);
  const cases: [Record<string, string>, RegExp][] = [
    [{ 'ca.crt': '' }, /key "ca.crt" is empty/],
    [{ 'tls.crt': CA }, /expected key ca.crt .*found: tls.crt/],
    [{ 'ca.crt': 'garbage' }, /key "ca.crt" holds no PEM certificate/],
    [{ 'ca.crt': '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n' }, /certificate 1 is not a valid X.509/],
  ];
  for (const [data, reason] of cases) {
    const r = extractConfigMapCa(cm('a', 'b', data));
    assert.equal(r.ok, false);
    assert.match(r.ok ? '' : r.reason, reason);
    assert.ok(!(r.ok ? '' : r.reason).includes('garbage'), 'values are never echoed');
  }
});

test('not served, each with a diagnostic: missing ConfigMap (names it), malformed CA, invalid://, bad names', () => {
  const bundles = createCaBundles(source([cm('app', 'bad', { 'ca.crt': 'nope' })]));
  const diags = new Diagnostics();
  for (const name of ['configmap://app/missing-cacert', 'configmap://app/bad-cacert', 'invalid://', 'configmap://app', 'configmap://a/b/c', 'configmap://App/x']) {
    assert.equal(buildCaBundleSecret(bundles.index(), name, diags), undefined, name);
  }
  assert.equal(diags.items.length, 6);
  assert.equal(diags.items[0]!.source, 'ConfigMap/app/missing');
  assert.match(diags.items[0]!.message, /ConfigMap app\/missing not found.*fail closed/);
  assert.equal(diags.items[1]!.source, 'ConfigMap/app/bad');
  assert.match(diags.items[2]!.message, /without a usable CA certificate/);
  assert.deepEqual(parseConfigMapResource('configmap://ns/name-cacert'), { namespace: 'ns', name: 'name', resourceName: 'configmap://ns/name-cacert' });
});

test('access: any verified identity may have any namespace\'s configmap:// bundle; invalid:// and no identity never', () => {
  const access = { namespace: 'shop', serviceAccount: 'web', canReadSecrets: false };
  const { allowed, denied } = authorizeSecretNames(['configmap://other/ca-cacert', 'invalid://', 'kubernetes://other/x'], access);
  assert.deepEqual(allowed, ['configmap://other/ca-cacert']);
  assert.deepEqual(denied.map((d) => d.name), ['invalid://', 'kubernetes://other/x']);
  assert.deepEqual(authorizeSecretNames(['configmap://other/ca-cacert'], undefined).allowed, []);
});

const DR = `
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: secure, namespace: app}
spec:
  host: secure.app.svc.cluster.local
  trafficPolicy: {tls: {mode: SIMPLE, credentialName: configmap://app/ca}}
  subsets: [{name: v1, labels: {v: "1"}, trafficPolicy: {tls: {mode: SIMPLE, credentialName: "configmap://app/sub-ca"}}}]
`;

test('the sidecar generator serves configmap:// bundles over SDS, one scope per bundle version', () => {
  const src = source([cm('app', 'ca', { 'ca.crt': CA })]);
  const bundles = createCaBundles(src);
  const gen = createSidecarGenerator({ mesh: defaultMeshConfig(), caBundles: () => bundles.index() });
  assert.ok(gen.typeUrls.includes(TypeUrl.Secret));
  const snapshot = buildSnapshot(objectsFrom(DR), undefined);
  const parsed = parseProxy({ id: 'sidecar~10.0.0.1~a.app~app.svc.cluster.local', metadata: { NAMESPACE: 'app' } });
  assert.ok(parsed.ok);
  const out = gen.generate(snapshot, parsed.value, TypeUrl.Secret, ['configmap://app/ca-cacert', 'kubernetes://app/x']);
  assert.deepEqual(out.resources.map((r) => r.name), ['configmap://app/ca-cacert']);
  // Without a Secret source (no credentials getter) a kubernetes:// name is reported, not served.
  assert.match(out.diagnostics.map((d) => d.message).join('\n'), /kubernetes:\/\/app\/x: no Secret source/);
  const before = gen.scopeKey(parsed.value, TypeUrl.Secret, undefined);
  src.put(cm('app', 'ca', { 'ca.crt': CA + CA }));
  assert.notEqual(gen.scopeKey(parsed.value, TypeUrl.Secret, undefined), before, 'a ConfigMap change moves the SDS cache key');
});

test('pushes: only ConfigMaps a DestinationRule references, as a ConfigMap-only ChangeSet reaching SDS only', () => {
  const src = source([]);
  const bundles = createCaBundles(src);
  const snapshot: Snapshot = buildSnapshot(objectsFrom(DR), undefined);
  assert.deepEqual([...referencedConfigMaps(snapshot)].sort(), ['app/ca', 'app/sub-ca']);
  const pushed: ChangeSet[] = [];
  pushCaBundleChanges(bundles, { ready: () => true, current: () => snapshot }, { onSnapshot: (_s, c) => void pushed.push(c) }, silentLogger);
  src.put(cm('app', 'unrelated', { 'ca.crt': CA }));
  assert.equal(pushed.length, 0, 'an unreferenced ConfigMap pushes nothing');
  src.put(cm('app', 'ca', { 'ca.crt': CA }));
  assert.equal(pushed.length, 1);
  assert.deepEqual([...pushed[0]!.kinds], ['ConfigMap']);
  assert.deepEqual([...pushed[0]!.keys], ['ConfigMap/app/ca']);
  assert.equal(secretsOnly(pushed[0]!), true);
  const gen = createSidecarGenerator({ mesh: defaultMeshConfig(), caBundles: () => bundles.index() });
  const parsed = parseProxy({ id: 'sidecar~10.0.0.1~a.app~app.svc.cluster.local', metadata: { NAMESPACE: 'app' } });
  assert.ok(parsed.ok);
  assert.deepEqual(gen.alsoAffectedBySecrets!(snapshot, pushed[0]!, parsed.value), [TypeUrl.Secret]);
});

test('status lookup: missing vs invalid, and a version that moves with the cache', () => {
  const src = source([cm('app', 'bad', { 'ca.crt': 'x' }), cm('app', 'ok', { 'ca.crt': CA })]);
  const bundles = createCaBundles(src);
  const lookup = bundles.statusLookup();
  assert.deepEqual(lookup.check('app', 'ok'), { ok: true });
  assert.deepEqual(lookup.check('app', 'none'), { ok: false, missing: true, message: 'ConfigMap app/none not found' });
  const bad = lookup.check('app', 'bad');
  assert.ok(!bad.ok && !bad.missing && /holds no PEM/.test(bad.message));
  src.put(cm('app', 'none', { 'ca.crt': CA }));
  assert.notEqual(bundles.statusLookup().version, lookup.version);
  assert.deepEqual(bundles.statusLookup().check('app', 'none'), { ok: true });
});
