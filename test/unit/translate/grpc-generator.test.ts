import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChangeSet } from '../../../src/model/change-set.js';
import { BASE_MESH, gen, generator, grpcProxy, snapshotFrom, T } from './grpc-fixtures.js';

test('generator contract: name, type URLs, nothing for other types', () => {
  const g = generator();
  assert.equal(g.name, 'grpc');
  assert.deepEqual([...g.typeUrls].sort(), [T.Cluster, T.ClusterLoadAssignment, T.Listener, T.RouteConfiguration].sort());
  assert.deepEqual(g.generate(snapshotFrom(BASE_MESH), grpcProxy(), T.Secret, ['default']).resources, []);
});

test('scope keys: namespace for all; IPs for server listeners only; labels for RDS', () => {
  const g = generator();
  const a = grpcProxy({ ip: '10.0.0.5', labels: { app: 'x' } });
  const b = grpcProxy({ ip: '10.0.0.6', labels: { app: 'y' } });
  const c = grpcProxy({ namespace: 'other' });
  const cluster = 'outbound|7070||echo.app.svc.cluster.local';
  assert.equal(g.scopeKey(a, T.Cluster, cluster), g.scopeKey(b, T.Cluster, cluster));
  assert.equal(g.scopeKey(a, T.Cluster, undefined), g.scopeKey(b, T.Cluster, undefined));
  assert.equal(g.scopeKey(a, T.ClusterLoadAssignment, cluster), g.scopeKey(b, T.ClusterLoadAssignment, cluster));
  assert.notEqual(g.scopeKey(a, T.Cluster, cluster), g.scopeKey(c, T.Cluster, cluster));
  assert.equal(g.scopeKey(a, T.Listener, 'echo.app.svc.cluster.local:7070'), g.scopeKey(b, T.Listener, 'echo.app.svc.cluster.local:7070'), 'client listeners are shared across pods');
  assert.equal(g.scopeKey(a, T.Listener, undefined), g.scopeKey(b, T.Listener, undefined));
  const server = 'grpc/server?xds.resource.listening_address=0.0.0.0:7070';
  assert.notEqual(g.scopeKey(a, T.Listener, server), g.scopeKey(b, T.Listener, server), 'server listeners depend on the pod IPs');
  assert.notEqual(g.scopeKey(a, T.RouteConfiguration, cluster), g.scopeKey(b, T.RouteConfiguration, cluster));
});

test('affectedByEndpoints: EDS of changed hosts, server listeners; nothing else', () => {
  const g = generator();
  const changes = { endpointsChanged: ['echo.app.svc.cluster.local'] } as unknown as ChangeSet;
  assert.equal(g.affectedByEndpoints(changes, T.ClusterLoadAssignment, 'outbound|7070|v1|echo.app.svc.cluster.local'), true);
  assert.equal(g.affectedByEndpoints(changes, T.ClusterLoadAssignment, 'outbound|9090||other.other.svc.cluster.local'), false);
  assert.equal(g.affectedByEndpoints(changes, T.Cluster, 'outbound|7070||echo.app.svc.cluster.local'), false);
  assert.equal(g.affectedByEndpoints(changes, T.Listener, 'echo:7070'), false);
  assert.equal(g.affectedByEndpoints(changes, T.Listener, 'grpc/server?xds.resource.listening_address=10.0.0.1:17070'), true);
});

test('deterministic: the same inputs give the same resources, sorted by name', () => {
  const snap = snapshotFrom(BASE_MESH);
  const once = gen(snap, grpcProxy(), T.Cluster, undefined);
  const twice = gen(snapshotFrom(BASE_MESH), grpcProxy(), T.Cluster, undefined);
  assert.deepEqual(once, twice);
  const names = once.resources.map((r) => r.name);
  assert.deepEqual(names, [...names].sort());
});
