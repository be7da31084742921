import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeChangeSet } from '../../../src/model/change-set.js';
import { buildSnapshot, registryOptions } from '../../../src/model/snapshot.js';
import { obj, pod, service } from './fixtures.js';

const web = service('web', 'ns', { clusterIP: '10.0.0.1', selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] });

test('snapshots are versioned, indexed and deeply immutable', () => {
  const first = buildSnapshot([web, pod('w1', 'ns', { app: 'web' }, '10.1.0.1')], undefined, registryOptions());
  const second = buildSnapshot([web], first, registryOptions());
  assert.equal(first.version, 1);
  assert.equal(second.version, 2);
  assert.equal(first.configs.get('Service', 'ns', 'web'), web);
  assert.deepEqual(first.configs.list('Pod').map((p) => p.metadata.name), ['w1']);
  assert.throws(() => (first.registry.endpoints as Map<string, unknown>).set('x', []), TypeError);
  assert.throws(() => { (first.registry.services[0] as { hostname: string }).hostname = 'x'; }, TypeError);
  assert.throws(() => { (first.endpointsOf(first.registry.services[0]!)[0] as { port: number }).port = 1; }, TypeError);
  assert.equal(first.servicesForHost('web.ns.svc.cluster.local').length, 1);
});

test('services visible to a namespace follow exportTo', () => {
  const priv = obj('Service', 'ns', 'priv', { spec: { ports: [{ port: 80 }] } }, {}, { 'networking.istio.io/exportTo': '.' });
  const snap = buildSnapshot([web, priv], undefined, registryOptions({ defaultServiceExportTo: ['*'] }));
  assert.deepEqual(snap.servicesVisibleTo('ns').map((s) => s.name), ['priv', 'web']);
  assert.deepEqual(snap.servicesVisibleTo('other').map((s) => s.name), ['web']);
  const local = buildSnapshot([web], undefined, registryOptions({ defaultServiceExportTo: ['.'] }));
  assert.deepEqual(local.servicesVisibleTo('other'), []);
});

test('ChangeSet: an endpoint-only change is flagged endpointsOnly with the affected host', () => {
  const a = buildSnapshot([web, pod('w1', 'ns', { app: 'web' }, '10.1.0.1')], undefined, registryOptions());
  const b = buildSnapshot([web, pod('w1', 'ns', { app: 'web' }, '10.1.0.1'), pod('w2', 'ns', { app: 'web' }, '10.1.0.2')], a, registryOptions());
  const cs = computeChangeSet(a, b, ['Pod/ns/w2']);
  assert.deepEqual(cs.endpointsChanged, ['web.ns.svc.cluster.local']);
  assert.deepEqual(cs.servicesChanged, []);
  assert.equal(cs.endpointsOnly, true);
  assert.deepEqual(cs.kinds, ['Pod']);
  assert.equal(cs.fromVersion, 1);
  assert.equal(cs.toVersion, 2);
});

test('ChangeSet: a service definition or non-registry change is not endpoints-only', () => {
  const a = buildSnapshot([web], undefined, registryOptions());
  const changed = service('web', 'ns', { clusterIP: '10.0.0.1', selector: { app: 'web' }, ports: [{ name: 'http', port: 81 }] });
  const b = buildSnapshot([changed], a, registryOptions());
  const cs = computeChangeSet(a, b, ['Service/ns/web']);
  assert.deepEqual(cs.servicesChanged, ['web.ns.svc.cluster.local']);
  assert.equal(cs.endpointsOnly, false);
  const c = buildSnapshot([changed, obj('VirtualService', 'ns', 'vs', { hosts: ['web'] })], b, registryOptions());
  const cs2 = computeChangeSet(b, c, ['VirtualService/ns/vs']);
  assert.deepEqual([cs2.servicesChanged, cs2.endpointsChanged, cs2.endpointsOnly], [[], [], false]);
  assert.equal(computeChangeSet(undefined, a, []).full, true);
});
