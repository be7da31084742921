import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultMeshConfig } from '../../../src/config/mesh-config.js';
import type { MeshConfig } from '../../../src/config/mesh-types.js';
import { parseProxy, type Proxy } from '../../../src/model/proxy.js';
import { buildSnapshot, type MeshEndpoint, type Snapshot } from '../../../src/model/snapshot.js';
import { checkResourceShape } from '../../../src/serve/proto/encode.js';
import { createSidecarGenerator } from '../../../src/translate/sidecar/index.js';
import { TypeUrl } from '../../../src/translate/type-urls.js';
import type { Generated } from '../../../src/translate/types.js';
import { checkValidateRules } from '../../helpers/validate-rules.js';
import { objectsFrom } from './grpc-fixtures.js';

const DB = 'outbound|5432||db.example.com';
const WEB = 'outbound|80||web.app.svc.cluster.local';

const MESH = `
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: db, namespace: app}
spec:
  hosts: [db.example.com]
  location: MESH_INTERNAL
  resolution: STATIC
  ports: [{name: tcp, number: 5432, protocol: TCP}]
  endpoints:
  - {address: 10.1.0.1, locality: r1/z1/s1, labels: {version: v1, security.istio.io/tlsMode: istio, app: db}, weight: 3}
  - {address: 10.1.0.2, locality: r1/z1/s2, labels: {version: v2}}
  - {address: 10.1.0.3, locality: r1/z2/s1, labels: {version: v1}}
  - {address: 10.1.0.4, locality: r2/z1/s1, labels: {version: v1}}
  - {address: 10.1.0.5, locality: r3/z1/s1, labels: {version: v1}}
  - {address: 10.1.0.6, locality: r1/z1/s1, labels: {version: v2}}
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: dns, namespace: app}
spec:
  hosts: [dns.example.com]
  resolution: DNS
  ports: [{name: tcp, number: 5432, protocol: TCP}]
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: app}
spec:
  clusterIP: 10.96.0.80
  ports: [{name: http, port: 80, targetPort: 8080}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: web-1, namespace: app, labels: {kubernetes.io/service-name: web}}
addressType: IPv4
ports: [{name: http, port: 8080}]
endpoints:
- {addresses: [10.2.0.1], conditions: {ready: true}}
- {addresses: [10.2.0.2], conditions: {ready: false}}
- {addresses: [10.2.0.3], conditions: {ready: false, serving: true, terminating: true}}
- {addresses: [10.2.0.4], conditions: {ready: false, serving: false, terminating: true}}
`;

const dr = (trafficPolicy: string) => `
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: db, namespace: app}
spec:
  host: db.example.com
${trafficPolicy ? `  trafficPolicy: ${trafficPolicy}\n` : ''}  subsets:
  - {name: v1, labels: {version: v1}}
`;

const OUTLIER = '{outlierDetection: {consecutive5xxErrors: 3}}';

function proxy(labels: Record<string, string> = { app: 'client' }): Proxy {
  const parsed = parseProxy({
    id: 'sidecar~10.0.0.99~client-0.app~app.svc.cluster.local',
    metadata: { NAMESPACE: 'app', LABELS: labels },
    locality: { region: 'r1', zone: 'z1', sub_zone: 's1' },
  });
  assert.ok(parsed.ok);
  return parsed.value;
}

function eds(snapshot: Snapshot | string, names: string[], p = proxy(), mesh: MeshConfig = defaultMeshConfig()): Generated {
  const snap = typeof snapshot === 'string' ? buildSnapshot(objectsFrom(snapshot), undefined) : snapshot;
  const out = createSidecarGenerator({ mesh }).generate(snap, p, TypeUrl.ClusterLoadAssignment, names);
  for (const r of out.resources) {
    assert.deepEqual(checkResourceShape(r.body), [], `shape of ${r.name}`);
    assert.deepEqual(checkValidateRules(r.body), [], `validate rules of ${r.name}`);
  }
  return out;
}

type Group = Record<string, any>;
const groupsOf = (out: Generated, name: string): Group[] => {
  const found = out.resources.find((r) => r.name === name);
  assert.ok(found, `no ${name}`);
  return found.body.endpoints as Group[];
};
const addrs = (g: Group) => g.lb_endpoints.map((e: any) => e.endpoint.address.socket_address.address.slice(-1)).join('');
/** Per group: `region/zone/subzone p<priority> w<weight> <last digit of each address>`. */
const summary = (groups: Group[]) =>
  groups.map((g) => `${g.locality.region}/${g.locality.zone}/${g.locality.sub_zone} p${g.priority ?? 0} w${g.load_balancing_weight.value} ${addrs(g)}`);

test('grouped by locality, sorted; weights, locality weight = sum; tlsMode and istio metadata', () => {
  const out = eds(MESH, [DB]);
  assert.deepEqual(summary(groupsOf(out, DB)), ['r1/z1/s1 p0 w4 16', 'r1/z1/s2 p0 w1 2', 'r1/z2/s1 p0 w1 3', 'r2/z1/s1 p0 w1 4', 'r3/z1/s1 p0 w1 5']);
  const [first, second] = groupsOf(out, DB)[0]!.lb_endpoints;
  assert.deepEqual(first.endpoint.address.socket_address, { address: '10.1.0.1', port_value: 5432 });
  assert.equal(first.health_status, 'HEALTHY');
  assert.deepEqual(first.load_balancing_weight, { value: 3 });
  assert.deepEqual(first.metadata.filter_metadata['envoy.transport_socket_match'], { tlsMode: 'istio' });
  assert.equal(first.metadata.filter_metadata.istio.workload, ';app;db;v1;Kubernetes');
  assert.equal(second.metadata.filter_metadata['envoy.transport_socket_match'], undefined, 'no istio tlsMode, no match metadata');
});

test('subsets filter by labels; unknown subsets, DNS services and unknown ports get nothing', () => {
  const out = eds(MESH + dr(''), [DB.replace('||', '|v1|'), DB.replace('||', '|v9|'), 'outbound|5432||dns.example.com', 'outbound|9||db.example.com', 'inbound|5432||']);
  assert.deepEqual(out.resources.map((r) => r.name), ['outbound|5432|v1|db.example.com']);
  assert.deepEqual(groupsOf(out, 'outbound|5432|v1|db.example.com').map(addrs), ['1', '3', '4', '5']);
});

test('health: not-ready and terminating endpoints are not sent; serving-terminating ones only for persistent-session services (Istio defaults)', () => {
  const sent = (yaml: string) => (groupsOf(eds(yaml, [WEB]), WEB)[0]!.lb_endpoints as any[])
    .map((e) => [e.endpoint.address.socket_address.address, e.endpoint.address.socket_address.port_value, e.health_status]);
  assert.deepEqual(sent(MESH), [['10.2.0.1', 8080, 'HEALTHY']]);
  const sessions = MESH.replace('metadata: {name: web, namespace: app}', 'metadata: {name: web, namespace: app, labels: {istio.io/persistent-session: sid}}');
  assert.notEqual(sessions, MESH);
  assert.deepEqual(sent(sessions), [['10.2.0.1', 8080, 'HEALTHY'], ['10.2.0.3', 8080, 'DRAINING']]);
});

test('failover priorities need outlierDetection; same subzone 0, zone 1, region 2, others 3', () => {
  assert.deepEqual(summary(groupsOf(eds(MESH + dr(''), [DB]), DB)).map((s) => s.split(' ')[1]), ['p0', 'p0', 'p0', 'p0', 'p0'], 'no outlierDetection: no failover');
  const out = eds(MESH + dr(OUTLIER), [DB]);
  assert.deepEqual(summary(groupsOf(out, DB)).map((s) => s.split(' ').slice(0, 2).join(' ')), ['r1/z1/s1 p0', 'r1/z1/s2 p1', 'r1/z2/s1 p2', 'r2/z1/s1 p3', 'r3/z1/s1 p3']);
  const failover = dr(`{outlierDetection: {consecutive5xxErrors: 3}, loadBalancer: {localityLbSetting: {failover: [{from: r1, to: r3}]}}}`);
  assert.deepEqual(summary(groupsOf(eds(MESH + failover, [DB]), DB)).map((s) => s.split(' ')[1]), ['p0', 'p1', 'p2', 'p4', 'p3'], 'r3 is the failover region, r2 comes last');
  const disabled = dr(`{outlierDetection: {consecutive5xxErrors: 3}, loadBalancer: {localityLbSetting: {enabled: false}}}`);
  assert.ok(summary(groupsOf(eds(MESH + disabled, [DB]), DB)).every((s) => s.includes(' p0 ')));
});

test('mesh-wide localityLbSetting applies when the DestinationRule has none', () => {
  const mesh: MeshConfig = { ...defaultMeshConfig(), localityLbSetting: { failover: [{ from: 'r1', to: 'r2' }] } };
  assert.deepEqual(summary(groupsOf(eds(MESH + dr(OUTLIER), [DB], proxy(), mesh), DB)).map((s) => s.split(' ')[1]), ['p0', 'p1', 'p2', 'p3', 'p4']);
});

test('failoverPriority: endpoints split by how many leading labels they share with the proxy', () => {
  const setting = dr(`{outlierDetection: {consecutive5xxErrors: 3}, loadBalancer: {localityLbSetting: {failoverPriority: [version, topology.kubernetes.io/region]}}}`);
  const groups = groupsOf(eds(MESH + setting, [DB], proxy({ version: 'v1' })), DB);
  assert.deepEqual(summary(groups), [
    'r1/z1/s1 p0 w3 1', 'r1/z1/s1 p2 w1 6', 'r1/z1/s2 p2 w1 2', 'r1/z2/s1 p0 w1 3', 'r2/z1/s1 p1 w1 4', 'r3/z1/s1 p1 w1 5',
  ]);
});

test('distribute: matching localities share the percentages, others lose their endpoints', () => {
  const setting = dr(`{loadBalancer: {localityLbSetting: {distribute: [{from: "r1/z1/*", to: {"r1/z1/*": 80, "r2/*": 20}}]}}}`);
  assert.deepEqual(summary(groupsOf(eds(MESH + setting, [DB]), DB)), [
    'r1/z1/s1 p0 w64 16', 'r1/z1/s2 p0 w16 2', 'r1/z2/s1 p0 w1 ', 'r2/z1/s1 p0 w20 4', 'r3/z1/s1 p0 w1 ',
  ]);
});

test('an endpoint without a usable address is left out with a diagnostic', () => {
  const snap = buildSnapshot(objectsFrom(MESH), undefined);
  const bad: MeshEndpoint = { ...snap.endpointsOf('app/db.example.com')[0]!, address: 'not-an-ip', workloadName: 'we-1', workloadKind: 'WorkloadEntry' };
  const patched: Snapshot = { ...snap, endpointsOf: (s) => [...snap.endpointsOf(s), ...(typeof s !== 'string' && s.name === 'db' ? [bad] : [])] };
  const out = eds(patched, [DB]);
  assert.equal(groupsOf(out, DB).flatMap((g) => g.lb_endpoints).length, 6);
  assert.deepEqual(out.diagnostics.map((d) => [d.source, d.resource]), [['ServiceEntry/app/db', DB]]);
  assert.match(out.diagnostics[0]!.message, /WorkloadEntry app\/we-1 has no usable address/);
});
