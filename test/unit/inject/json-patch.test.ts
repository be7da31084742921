import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createJsonPatch, escapePointer } from '../../../src/inject/json-patch.js';
import { applyPatch } from '../../golden/inject/apply-patch.js';

test('pointer tokens escape ~ and / (RFC 6901)', () => {
  assert.equal(escapePointer('sidecar.istio.io/status'), 'sidecar.istio.io~1status');
  assert.equal(escapePointer('a~b/c'), 'a~0b~1c');
  const patch = createJsonPatch({ metadata: { annotations: { 'x~/y': '1' } } }, { metadata: { annotations: { 'x~/y': '2', 'a/b': 'c' } } });
  assert.deepEqual(patch, [
    { op: 'replace', path: '/metadata/annotations/x~0~1y', value: '2' },
    { op: 'add', path: '/metadata/annotations/a~1b', value: 'c' },
  ]);
});

test('patches round-trip: adds, replaces, removals, array growth and shrink, type changes', () => {
  const pairs: [unknown, unknown][] = [
    [{ a: 1, b: [1, 2, 3], c: { d: 'x' } }, { a: 2, b: [1, 5], c: 'flat', e: null }],
    [{ list: [] }, { list: [{ name: 'x' }, { name: 'y' }] }],
    [{ list: [{ name: 'x' }, { name: 'y' }, { name: 'z' }] }, { list: [{ name: 'y' }] }],
    [{ spec: { containers: [{ name: 'a' }] } }, { spec: { containers: [{ name: 'a' }, { name: 'istio-proxy', env: [] }], initContainers: [{ name: 'istio-init' }] } }],
    [{ same: { deep: [1, { x: 1 }] } }, { same: { deep: [1, { x: 1 }] } }],
  ];
  for (const [from, to] of pairs) assert.deepEqual(applyPatch(from, createJsonPatch(from, to)), to);
  assert.deepEqual(createJsonPatch({ a: [1] }, { a: [1] }), []);
});

test('webhook path env overrides', async () => {
  const { proxyEnvsFromPath } = await import('../../../src/inject/inject-path.js');
  assert.deepEqual(proxyEnvsFromPath('/inject'), {});
  assert.deepEqual(proxyEnvsFromPath('/inject/cluster/east/net/n--slash--1/'), { ISTIO_META_CLUSTER_ID: 'east', ISTIO_META_NETWORK: 'n/1' });
  assert.deepEqual(proxyEnvsFromPath('/inject/:ENV:cluster=c1:ENV:bad'), { ISTIO_META_CLUSTER_ID: 'c1' });
  assert.deepEqual(proxyEnvsFromPath('/inject/cluster/only-key/net'), { ISTIO_META_CLUSTER_ID: 'only-key' });
});
