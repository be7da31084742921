import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE_MESH, byName, gen, grpcProxy, snapshotFrom, T } from './grpc-fixtures.js';

const DR = `
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: echo, namespace: app}
spec:
  host: echo
  trafficPolicy:
    loadBalancer: {consistentHash: {httpHeaderName: x-user, minimumRingSize: 64}}
  subsets:
  - {name: v1, labels: {version: v1}}
  - name: v2
    labels: {version: v2}
    trafficPolicy: {connectionPool: {http: {http2MaxRequests: 9}}}
`;
const V1 = 'outbound|7070|v1|echo.app.svc.cluster.local';
const V2 = 'outbound|7070|v2|echo.app.svc.cluster.local';
const DEFAULT = 'outbound|7070||echo.app.svc.cluster.local';

test('clusters: EDS over ADS named by service_name; subset policy on top of the rule policy', () => {
  const out = gen(snapshotFrom(BASE_MESH + DR), grpcProxy(), T.Cluster, [DEFAULT, V2, 'outbound|7070|v9|echo.app.svc.cluster.local', 'outbound|1||echo.app.svc.cluster.local']);
  assert.deepEqual(out.resources.map((r) => r.name), [V2, DEFAULT], 'sorted by name (code units)');
  const def = byName(out, DEFAULT);
  assert.equal(def.type, 'EDS');
  assert.equal(def.eds_cluster_config.service_name, DEFAULT);
  assert.equal(def.lb_policy, 'RING_HASH');
  assert.deepEqual(def.ring_hash_lb_config, { minimum_ring_size: { value: 64 } });
  const v2 = byName(out, V2);
  assert.equal(v2.lb_policy, 'RING_HASH', 'the subset inherits the load balancer it does not override');
  assert.deepEqual(v2.circuit_breakers, { thresholds: [{ max_requests: { value: 9 } }] });
  assert.equal(v2.metadata.filter_metadata.istio.config, '/apis/networking.istio.io/v1/namespaces/app/destination-rule/echo');
});

test('a DestinationRule exported only to its namespace does not apply to other namespaces', () => {
  const privateDr = DR.replace('  host: echo\n', '  host: echo\n  exportTo: ["."]\n');
  const out = gen(snapshotFrom(BASE_MESH + privateDr), grpcProxy({ namespace: 'other' }), T.Cluster, [DEFAULT, V1]);
  assert.deepEqual(out.resources.map((r) => r.name), [DEFAULT]);
  assert.equal(byName(out, DEFAULT).lb_policy, 'ROUND_ROBIN');
});

test('endpoints: filtered by port and subset labels, grouped by locality with weights', () => {
  const out = gen(snapshotFrom(BASE_MESH + DR), grpcProxy(), T.ClusterLoadAssignment, [DEFAULT, V1, 'outbound|7071||echo.app.svc.cluster.local']);
  const all = byName(out, DEFAULT).endpoints as Record<string, any>[];
  assert.deepEqual(all.map((g) => [g.locality.zone, g.load_balancing_weight.value, g.lb_endpoints.length]), [['z1', 1, 1], ['z2', 1, 1]]);
  assert.deepEqual(all[0]!.lb_endpoints[0].endpoint.address.socket_address, { address: '10.0.0.1', port_value: 17070 });
  const v1 = byName(out, V1).endpoints as Record<string, any>[];
  assert.deepEqual(v1.flatMap((g) => g.lb_endpoints.map((e: any) => e.endpoint.address.socket_address.address)), ['10.0.0.1']);
  const alt = byName(out, 'outbound|7071||echo.app.svc.cluster.local').endpoints as Record<string, any>[];
  assert.deepEqual(alt.flatMap((g) => g.lb_endpoints.map((e: any) => e.endpoint.address.socket_address.port_value)), [17071, 17071]);
});

test('a service without endpoints still gets an assignment, with no endpoints', () => {
  const out = gen(snapshotFrom(BASE_MESH), grpcProxy(), T.ClusterLoadAssignment, ['outbound|9090||other.other.svc.cluster.local']);
  assert.deepEqual(byName(out, 'outbound|9090||other.other.svc.cluster.local').endpoints, []);
});

test('wildcard CDS: default and subset clusters of every visible service port', () => {
  const out = gen(snapshotFrom(BASE_MESH + DR), grpcProxy(), T.Cluster, undefined);
  assert.equal(out.resources.length, 3 * 2 + 1);
});
