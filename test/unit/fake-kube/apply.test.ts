/**
 * The fake API server's server-side apply: PATCH application/apply-patch+yaml creates an absent
 * object, merges into a present one (maps merged, lists replaced), bumps the resourceVersion and
 * emits a watch event; fieldManager is required; a stale resourceVersion is 409; ownerReferences
 * are stored.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startFakeKubeApi, type FakeKubeApi, type StoreEvent } from '../../helpers/fake-kube-api.js';
import { rawRequest } from './client.js';

let api: FakeKubeApi;
before(async () => {
  api = await startFakeKubeApi({ namespaces: ['default'] });
});
after(() => api.close());

const APPLY = 'application/apply-patch+yaml';
const path = '/api/v1/namespaces/default/services/web?fieldManager=test&force=true';
const svc = (ports: number[], labels: Record<string, string>) => ({
  apiVersion: 'v1', kind: 'Service',
  metadata: { name: 'web', labels, ownerReferences: [{ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', name: 'gw', uid: 'u1' }] },
  spec: { ports: ports.map((port) => ({ port })), type: 'LoadBalancer' },
});

test('apply creates, then merges maps and replaces lists, with a new resourceVersion and a watch event', async () => {
  const events: StoreEvent[] = [];
  const off = api.store.subscribe((e) => void events.push(e));
  const created = await rawRequest(api, 'PATCH', path, { body: svc([80], { a: '1' }), contentType: APPLY });
  assert.equal(created.code, 201);
  const first = api.store.get('services', 'default', 'web')!;
  assert.deepEqual(first.metadata.ownerReferences, [{ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', name: 'gw', uid: 'u1' }]);
  api.store.put('services', { ...first, metadata: { ...first.metadata, annotations: { other: 'kept' } } });
  const updated = await rawRequest(api, 'PATCH', path, { body: svc([8080, 9090], { b: '2' }), contentType: APPLY });
  assert.equal(updated.code, 200);
  const now = api.store.get('services', 'default', 'web')!;
  assert.deepEqual((now.spec as { ports: { port: number }[] }).ports.map((p) => p.port), [8080, 9090], 'the list is replaced, not merged');
  assert.deepEqual([now.metadata.labels, now.metadata.annotations], [{ a: '1', b: '2' }, { other: 'kept' }]);
  assert.notEqual(now.metadata.resourceVersion, first.metadata.resourceVersion);
  assert.ok(events.filter((e) => e.object.metadata.name === 'web').length >= 3, 'create, put and apply each emit an event');
  off();
});

test('apply refuses a missing fieldManager (400), a stale resourceVersion (409), another kind (400); other media types stay 415', async () => {
  const noManager = await rawRequest(api, 'PATCH', '/api/v1/namespaces/default/services/web', { body: svc([80], {}), contentType: APPLY });
  assert.equal(noManager.code, 400);
  const body = svc([80], {}) as { metadata: Record<string, unknown> };
  body.metadata.resourceVersion = '1';
  assert.equal((await rawRequest(api, 'PATCH', path, { body, contentType: APPLY })).code, 409);
  assert.equal((await rawRequest(api, 'PATCH', path, { body: { ...svc([80], {}), kind: 'ConfigMap' }, contentType: APPLY })).code, 400);
  assert.equal((await rawRequest(api, 'PATCH', path, { body: svc([80], {}), contentType: 'application/yaml' })).code, 415);
});
