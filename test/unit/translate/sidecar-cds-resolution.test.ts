import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cds, httpOptions, MESH, type Json } from './sidecar-cds-fixtures.js';

const ENTRIES = `
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: ext, namespace: app}
spec:
  hosts: [api.example.com]
  resolution: DNS
  ports: [{name: https, number: 443, protocol: TLS}]
  endpoints:
  - {address: a.example.com, locality: r1/z1, labels: {version: v1}}
  - {address: b.example.com, locality: r1/z2, labels: {version: v2}}
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: rr, namespace: app}
spec:
  hosts: [rr.example.com]
  resolution: DNS_ROUND_ROBIN
  ports: [{name: http, number: 80, protocol: HTTP}]
---
apiVersion: v1
kind: Service
metadata: {name: db, namespace: app}
spec:
  clusterIP: None
  selector: {app: db}
  ports: [{name: tcp, port: 5432}]
---
apiVersion: v1
kind: Pod
metadata: {name: db-0, namespace: app, labels: {app: db, security.istio.io/tlsMode: istio}}
spec: {serviceAccountName: db, containers: [{name: c}]}
status: {phase: Running, podIP: 10.0.0.7, conditions: [{type: Ready, status: "True"}]}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: ext, namespace: app}
spec:
  host: api.example.com
  subsets:
  - {name: v1, labels: {version: v1}}
  - {name: none, labels: {version: v9}}
`;

test('DNS ServiceEntries: inline endpoints by subset, DNS settings, no auto mTLS for mesh-external; headless = ORIGINAL_DST with mTLS', () => {
  const out = cds(`${ENTRIES}---\n${MESH}`);
  const ext = out.get('outbound|443||api.example.com');
  assert.equal(ext.type, 'STRICT_DNS');
  assert.equal(ext.dns_lookup_family, 'V4_ONLY');
  assert.equal(ext.respect_dns_ttl, true);
  assert.deepEqual(ext.dns_refresh_rate, { seconds: 60, nanos: 0 });
  const addresses = (c: Json) => (c.load_assignment.endpoints as Json[]).flatMap((g) => g.lb_endpoints.map((e: Json) => e.endpoint.address.socket_address.address));
  assert.deepEqual(addresses(ext), ['a.example.com', 'b.example.com']);
  assert.deepEqual(addresses(out.get('outbound|443|v1|api.example.com')), ['a.example.com']);
  assert.ok(!out.has('outbound|443|none|api.example.com'), 'a DNS subset without endpoints is left out, as in Istio');
  assert.ok(out.diagnostics.some((d) => d.source === 'DestinationRule/app/ext' && d.resource === 'outbound|443|none|api.example.com'));
  assert.equal(ext.transport_socket_matches, undefined, 'no auto mTLS to mesh-external hosts');
  assert.equal(ext.metadata.filter_metadata.istio.external, true);
  assert.equal(ext.metadata.filter_metadata.istio.config, '/apis/networking.istio.io/v1/namespaces/app/destination-rule/ext');

  const rr = out.get('outbound|80||rr.example.com');
  assert.equal(rr.type, 'LOGICAL_DNS');
  assert.equal(addresses(rr).length, 1);
  assert.equal(rr.metadata.filter_metadata.istio.config, undefined, 'no provenance without a DestinationRule');

  const db = out.get('outbound|5432||db.app.svc.cluster.local');
  assert.equal(db.type, 'ORIGINAL_DST');
  assert.equal(db.lb_policy, 'CLUSTER_PROVIDED');
  assert.equal(db.eds_cluster_config, undefined);
  assert.equal(db.transport_socket.typed_config.sni, 'outbound_.5432_._.db.app.svc.cluster.local', 'every endpoint has a sidecar: mTLS directly');
});

test('inbound: one ORIGINAL_DST cluster per workload port bound to 127.0.0.6; LOCALHOST policy = STATIC; NONE interception = none', () => {
  const out = cds(MESH);
  const inbound = out.get('inbound|8081||');
  assert.equal(inbound.type, 'ORIGINAL_DST');
  assert.equal(inbound.lb_policy, 'CLUSTER_PROVIDED');
  assert.deepEqual(inbound.upstream_bind_config, { source_address: { address: '127.0.0.6', port_value: 0 } });
  assert.deepEqual(inbound.metadata.filter_metadata.istio.services, [{ host: 'client.app.svc.cluster.local', name: 'client', namespace: 'app' }]);
  assert.equal(out.names.filter((n) => n.startsWith('inbound|')).length, 1, 'two service ports on one workload port: one cluster');
  assert.equal(inbound.transport_socket_matches, undefined, 'no client TLS inbound');

  const local = cds(MESH, { mesh: { inboundTrafficPolicy: { mode: 'LOCALHOST' } } }).get('inbound|8081||');
  assert.equal(local.type, 'STATIC');
  assert.deepEqual(local.load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address, { address: '127.0.0.1', port_value: 8081 });
  assert.equal(local.upstream_bind_config, undefined);
  assert.ok(!cds(MESH, { interceptionMode: 'NONE' }).names.some((n) => n.startsWith('inbound|')));
});

test('Sidecar ingress: defaultEndpoint 127.0.0.1:<port> gives a STATIC cluster; ingress and inbound connection pools apply', () => {
  const yaml = `${MESH}---
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: client, namespace: app}
spec:
  workloadSelector: {labels: {app: client}}
  inboundConnectionPool: {tcp: {maxConnections: 11}}
  ingress:
  - port: {number: 8081, protocol: GRPC, name: grpc}
    defaultEndpoint: 127.0.0.1:9091
    connectionPool: {http: {http2MaxRequests: 12}}
  - port: {number: 7000, protocol: TCP, name: tcp}
    defaultEndpoint: 0.0.0.0:7001
`;
  const out = cds(yaml);
  assert.deepEqual(out.names.filter((n) => n.startsWith('inbound|')), ['inbound|7000||', 'inbound|8081||']);
  const grpc = out.get('inbound|8081||');
  assert.equal(grpc.type, 'STATIC');
  assert.deepEqual(grpc.load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address, { address: '127.0.0.1', port_value: 9091 });
  assert.equal(grpc.upstream_bind_config, undefined);
  assert.deepEqual(grpc.circuit_breakers.thresholds[0].max_requests, { value: 12 });
  assert.ok(httpOptions(grpc)?.explicit_http_config?.http2_protocol_options, 'GRPC ingress port speaks h2 to the app');
  const tcp = out.get('inbound|7000||');
  assert.deepEqual(tcp.load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address, { address: '10.0.0.99', port_value: 7001 });
  assert.deepEqual(tcp.upstream_bind_config.source_address.address, '127.0.0.6');
  assert.deepEqual(tcp.circuit_breakers.thresholds[0].max_connections, { value: 11 }, 'inboundConnectionPool for ports without their own');
});
