import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createValidator } from '../../../src/model/validation/validate.js';
import { kindInfo, type KindName } from '../../../src/model/kinds.js';
import { coreConfigObject, isFastCoreKind } from '../../../src/sources/kubernetes/core-objects.js';
import { LAST_APPLIED_ANNOTATION, toConfigDocument, transformFor } from '../../../src/sources/kubernetes/convert.js';
import { KubeObjects } from '../../../src/sources/kubernetes/kube-objects.js';
import type { KubeObject } from '../../../src/sources/kubernetes/object-cache.js';
import { RecordingSink } from '../../helpers/recording-sink.js';

const validator = createValidator();

const meta = (name: string, namespace?: string) => ({
  name,
  ...(namespace ? { namespace } : {}),
  uid: 'u-1',
  resourceVersion: '42',
  generation: 3,
  creationTimestamp: '2024-05-01T10:00:00Z',
  labels: { app: 'web', 'app.kubernetes.io/version': 'v1' },
  annotations: { [LAST_APPLIED_ANNOTATION]: '{"huge":true}', 'example.com/note': 'kept' },
  managedFields: [{ manager: 'kubectl' }],
});

/** One object of each core kind as the API server sends it (list items carry no apiVersion/kind). */
const SAMPLES: Array<[KindName, KubeObject]> = [
  ['Service', { metadata: meta('web', 'shop'), spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }], clusterIP: '10.0.0.7' }, status: { loadBalancer: {} } }],
  ['EndpointSlice', { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: meta('web-x1', 'shop'), addressType: 'IPv4', endpoints: [{ addresses: ['10.1.0.4'], conditions: { ready: true }, targetRef: { kind: 'Pod', name: 'web-1', namespace: 'shop' } }], ports: [{ name: 'http', port: 8080 }] }],
  ['Pod', { metadata: { ...meta('web-1', 'shop'), deletionTimestamp: '2024-05-02T00:00:00Z' }, spec: { serviceAccountName: 'web', containers: [{ name: 'app', image: 'x', ports: [{ containerPort: 8080 }] }] }, status: { phase: 'Running', podIP: '10.1.0.4', containerStatuses: [{ name: 'app' }] } }],
  ['Namespace', { metadata: meta('shop'), spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } }],
  ['Node', { metadata: { ...meta('node-1'), labels: { 'topology.kubernetes.io/zone': 'z1' } }, status: { addresses: [{ type: 'InternalIP', address: '192.168.0.1' }], images: [{ names: ['a'] }] } }],
  ['Service', { metadata: { name: 'no-namespace', labels: {} }, spec: {} }],
];

test('core kinds: the fast path builds exactly what the Validator builds from the same object', () => {
  for (const [kind, raw] of SAMPLES) {
    const info = kindInfo(kind);
    assert.ok(isFastCoreKind(info));
    const cached = transformFor(info)(structuredClone(raw));
    const converted = toConfigDocument(structuredClone(cached), info);
    assert.ok(converted.ok);
    const expected = validator.validate(converted.document, { source: 'kube:c1' });
    assert.ok(expected.object, `${kind}: ${JSON.stringify(expected.errors)}`);
    const fast = coreConfigObject(info, cached, 'kube:c1');
    assert.ok(fast.ok, kind);
    assert.deepEqual(fast.object, expected.object, kind);
    assert.ok(!(LAST_APPLIED_ANNOTATION in fast.object.metadata.annotations), kind);
  }
  assert.equal(isFastCoreKind(kindInfo('VirtualService')), false);
  assert.equal(isFastCoreKind(kindInfo('ConfigMap')), false);
});

test('core kinds: the object is frozen all the way down (in place, not cloned)', () => {
  const raw = structuredClone(SAMPLES[1]![1]);
  const built = coreConfigObject(kindInfo('EndpointSlice'), raw);
  assert.ok(built.ok);
  const endpoints = built.object.spec.endpoints as Array<{ addresses: string[]; conditions: object }>;
  assert.equal(endpoints, raw.endpoints, 'shared with the freshly parsed object, not copied');
  for (const part of [built.object, built.object.metadata, built.object.metadata.labels, built.object.spec, endpoints, endpoints[0], endpoints[0]!.addresses, endpoints[0]!.conditions]) {
    assert.ok(Object.isFrozen(part));
  }
});

test('core kinds: structural problems become errors naming the field; never a throw', () => {
  const svc = kindInfo('Service');
  const errorsOf = (raw: unknown) => {
    const r = coreConfigObject(svc, raw);
    assert.ok(!r.ok);
    return r.errors.join('\n');
  };
  assert.match(errorsOf(null), /a Service that is not an object/);
  assert.match(errorsOf({ spec: {} }), /a Service without metadata/);
  assert.match(errorsOf({ metadata: { namespace: 'shop' } }), /^metadata\.name: null is not a lowercase RFC 1123 subdomain/);
  assert.match(errorsOf({ metadata: { name: 'Web_1', namespace: 'shop' } }), /metadata\.name: "Web_1"/);
  assert.match(errorsOf({ metadata: { name: 'web', namespace: 7 } }), /metadata\.namespace: 7 is not/);
  assert.match(errorsOf({ metadata: { name: 'web', namespace: 'shop', labels: ['a'] } }), /metadata\.labels: must be a map/);
  assert.match(errorsOf({ metadata: { name: 'web', namespace: 'shop', labels: { a: 1 } } }), /metadata\.labels\.a: value must be a string/);
  assert.match(errorsOf({ metadata: { name: 'web', namespace: 'shop', annotations: { b: null } } }), /metadata\.annotations\.b: value must be a string/);
  // Cluster-scoped kinds have no namespace to check.
  assert.ok(coreConfigObject(kindInfo('Node'), { metadata: { name: 'n1', namespace: 'ignored' } }).ok);
});

test('core kinds through KubeObjects: a bad change is reported against the object and the last good version stays', () => {
  const sink = new RecordingSink();
  const objects = new KubeObjects(validator, sink, 'kube:c1');
  const svc = kindInfo('Service');
  assert.equal(objects.apply(svc, { metadata: { name: 'web', namespace: 'shop', resourceVersion: '1' }, spec: { ports: [] } }), undefined);
  const good = sink.objects.get('Service/shop/web');
  assert.equal(good?.source, 'kube:c1');
  const report = objects.apply(svc, { metadata: { name: 'web', namespace: 'shop', resourceVersion: '2', labels: { a: 5 } }, spec: {} });
  assert.equal(report?.object, 'Service/shop/web');
  assert.equal(report?.resourceVersion, '2');
  assert.equal(report?.keptLastGood, true);
  assert.match(report!.errors.join(), /metadata\.labels\.a/);
  assert.equal(sink.objects.get('Service/shop/web'), good);
  assert.equal(objects.apply(svc, { metadata: { name: 'web', namespace: 'shop', resourceVersion: '3' }, spec: {} }), undefined);
  assert.deepEqual(objects.reports(), []);
  assert.deepEqual(sink.calls, ['upsert Service/shop/web', 'upsert Service/shop/web']);
});
