/** Sidecar LDS: virtualOutbound, per-port outbound listeners (HTTP, TCP, sniffed, TLS/SNI, CIDR, conflicts), virtualInbound with PeerAuthentication. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultMeshConfig } from '../../../src/config/mesh-config.js';
import type { MeshConfig } from '../../../src/config/mesh-types.js';
import { parseProxy, type Proxy } from '../../../src/model/proxy.js';
import { checkResourceShape, encodeResourceBody } from '../../../src/serve/proto/encode.js';
import { createSidecarGenerator } from '../../../src/translate/sidecar/index.js';
import { TypeUrl } from '../../../src/translate/type-urls.js';
import type { Generated } from '../../../src/translate/types.js';
import { checkValidateRules } from '../../helpers/validate-rules.js';
import { snapshotFrom } from './grpc-fixtures.js';

type Json = Record<string, any>;

const MESH = `
apiVersion: v1
kind: Pod
metadata: {name: app-1, namespace: default, labels: {app: app}}
spec:
  containers: [{name: c, ports: [{containerPort: 9080}, {containerPort: 9000}, {containerPort: 7000}]}]
status: {phase: Running, podIP: 10.0.0.9, conditions: [{type: Ready, status: "True"}]}
---
apiVersion: v1
kind: Service
metadata: {name: app, namespace: default}
spec:
  clusterIP: 10.96.0.2
  selector: {app: app}
  ports: [{name: http, port: 8080, targetPort: 9080}, {name: tcp, port: 9000}, {name: other, port: 7000}]
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: default}
spec: {clusterIP: 10.96.0.5, ports: [{name: http, port: 80}]}
---
apiVersion: v1
kind: Service
metadata: {name: db, namespace: default}
spec: {clusterIP: 10.96.0.6, ports: [{name: tcp, port: 5432}]}
---
apiVersion: v1
kind: Service
metadata: {name: db2, namespace: default}
spec: {clusterIP: 10.96.0.8, ports: [{name: tcp, port: 5432}]}
---
apiVersion: v1
kind: Service
metadata: {name: legacy, namespace: default}
spec: {clusterIP: 10.96.0.7, ports: [{name: foo, port: 7777}]}
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: ext-tls, namespace: default}
spec:
  hosts: [api.example.com]
  ports: [{number: 443, name: tls, protocol: TLS}]
  resolution: DNS
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: cidr, namespace: default}
spec:
  hosts: [db.internal]
  addresses: [192.168.0.0/16]
  ports: [{number: 6379, name: tcp, protocol: TCP}]
  resolution: NONE
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: first, namespace: default, creationTimestamp: "2024-01-01T00:00:00Z"}
spec:
  hosts: [first.example.com]
  ports: [{number: 9999, name: tcp, protocol: TCP}]
  resolution: DNS
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: second, namespace: default, creationTimestamp: "2024-02-01T00:00:00Z"}
spec:
  hosts: [second.example.com]
  ports: [{number: 9999, name: tcp, protocol: TCP}]
  resolution: DNS
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: db-split, namespace: default}
spec:
  hosts: [db]
  tcp: [{route: [{destination: {host: db}, weight: 80}, {destination: {host: db2}, weight: 20}]}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: db2-bad, namespace: default}
spec:
  hosts: [db2]
  tcp: [{route: [{destination: {host: nosuch}}]}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: api, namespace: default}
spec:
  hosts: [api.example.com]
  tls: [{match: [{sniHosts: [api.example.com]}], route: [{destination: {host: api.example.com, port: {number: 443}}}]}]
`;

const STRICT_PA = `
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: app, namespace: default}
spec:
  selector: {matchLabels: {app: app}}
  mtls: {mode: STRICT}
  portLevelMtls: {"9000": {mode: DISABLE}, "12345": {mode: DISABLE}}
`;

function sidecarProxy(): Proxy {
  const parsed = parseProxy({
    id: 'sidecar~10.0.0.9~app-1.default~default.svc.cluster.local',
    metadata: { NAMESPACE: 'default', LABELS: { app: 'app' }, INSTANCE_IPS: '10.0.0.9' },
  });
  assert.ok(parsed.ok, 'test proxy must parse');
  return parsed.value;
}

function lds(yaml: string, mesh: Partial<MeshConfig> = {}): Generated {
  const gen = createSidecarGenerator({ mesh: { ...defaultMeshConfig(), ...mesh } });
  const out = gen.generate(snapshotFrom(yaml), sidecarProxy(), TypeUrl.Listener, undefined);
  for (const r of out.resources) {
    assert.deepEqual(checkResourceShape(r.body), [], `shape problems in ${r.name}`);
    assert.deepEqual(checkValidateRules(r.body), [], `validate.rules problems in ${r.name}`);
    assert.ok(encodeResourceBody(r.body).bytes.length > 0);
    assert.equal(r.body.name, r.name);
  }
  return out;
}

function listener(out: Generated, name: string): Json {
  const found = out.resources.find((r) => r.name === name);
  assert.ok(found, `no listener ${name}; got ${out.resources.map((r) => r.name).join(', ')}`);
  return found.body as Json;
}

const tcpProxyOf = (chain: Json): Json => chain.filters.at(-1).typed_config;

test('virtualOutbound: original-dst handoff, blackhole on 15001, catch-all by outbound traffic policy', () => {
  const allow = listener(lds(MESH), 'virtualOutbound');
  assert.deepEqual(allow.address, { socket_address: { address: '0.0.0.0', port_value: 15001 } });
  assert.deepEqual(allow.use_original_dst, { value: true });
  assert.equal(allow.traffic_direction, 'OUTBOUND');
  assert.deepEqual(allow.filter_chains.map((c: Json) => c.name), ['virtualOutbound-blackhole', 'virtualOutbound-catchall-tcp']);
  assert.deepEqual(allow.filter_chains[0].filter_chain_match, { destination_port: { value: 15001 } });
  assert.equal(tcpProxyOf(allow.filter_chains[1]).cluster, 'PassthroughCluster');
  assert.equal(tcpProxyOf(allow.filter_chains[1]).stat_prefix, 'PassthroughCluster');
  const only = listener(lds(MESH, { outboundTrafficPolicy: { mode: 'REGISTRY_ONLY' } }), 'virtualOutbound');
  assert.equal(tcpProxyOf(only.filter_chains[1]).cluster, 'BlackHoleCluster');
});

test('outbound HTTP: shared 0.0.0.0_<port> with RDS <port>, ALPN match and PassthroughFilterChain', () => {
  const l = listener(lds(MESH), '0.0.0.0_80');
  assert.deepEqual(l.bind_to_port, { value: false });
  assert.deepEqual(l.listener_filters.map((f: Json) => f.name), ['envoy.filters.listener.tls_inspector', 'envoy.filters.listener.http_inspector']);
  assert.equal(l.filter_chains.length, 1);
  assert.deepEqual(l.filter_chains[0].filter_chain_match, { transport_protocol: 'raw_buffer', application_protocols: ['http/1.1', 'h2c'] });
  const hcm = l.filter_chains[0].filters[0].typed_config;
  assert.equal(hcm.stat_prefix, 'outbound_0.0.0.0_80');
  assert.equal(hcm.rds.route_config_name, '80');
  assert.deepEqual(hcm.rds.config_source.ads, {});
  assert.deepEqual(hcm.http_filters.map((f: Json) => f.name).at(-1), 'envoy.filters.http.router');
  assert.deepEqual(hcm.upgrade_configs, [{ upgrade_type: 'websocket' }]);
  assert.equal(l.default_filter_chain.name, 'PassthroughFilterChain');
  assert.equal(tcpProxyOf(l.default_filter_chain).cluster, 'PassthroughCluster');
});

test('outbound TCP: VIP listeners, weighted tcp route, broken route skipped with a diagnostic, sniffed port', () => {
  const out = lds(MESH);
  const db = listener(out, '10.96.0.6_5432');
  assert.equal(db.filter_chains.length, 1);
  const split = tcpProxyOf(db.filter_chains[0]);
  assert.equal(split.stat_prefix, 'db-split.default');
  assert.deepEqual(split.weighted_clusters.clusters, [
    { name: 'outbound|5432||db.default.svc.cluster.local', weight: 80 },
    { name: 'outbound|5432||db2.default.svc.cluster.local', weight: 20 },
  ]);
  assert.equal(db.filter_chains[0].metadata.filter_metadata.istio.config, '/apis/networking.istio.io/v1/namespaces/default/virtual-service/db-split');
  const db2 = listener(out, '10.96.0.8_5432');
  assert.equal(tcpProxyOf(db2.filter_chains[0]).cluster, 'outbound|5432||db2.default.svc.cluster.local');
  assert.ok(out.diagnostics.some((d) => d.source === 'VirtualService/default/db2-bad' && d.path === 'spec.tcp[0].route[0].destination.host'));
  const sniffed = listener(out, '10.96.0.7_7777');
  assert.deepEqual(sniffed.listener_filters.map((f: Json) => f.name), ['envoy.filters.listener.tls_inspector', 'envoy.filters.listener.http_inspector']);
  const http = sniffed.filter_chains.find((c: Json) => c.filter_chain_match?.application_protocols);
  assert.equal(http.filters[0].typed_config.rds.route_config_name, 'legacy.default.svc.cluster.local:7777');
  assert.equal(tcpProxyOf(sniffed.default_filter_chain ?? sniffed.filter_chains[0]).cluster, 'outbound|7777||legacy.default.svc.cluster.local');
});

test('outbound TLS by SNI, CIDR addresses as prefix_ranges, contended TCP port goes to the older service', () => {
  const out = lds(MESH);
  const tls = listener(out, '0.0.0.0_443');
  assert.deepEqual(tls.filter_chains[0].filter_chain_match, { server_names: ['api.example.com'] });
  assert.equal(tcpProxyOf(tls.filter_chains[0]).cluster, 'outbound|443||api.example.com');
  assert.deepEqual(tls.listener_filters.map((f: Json) => f.name), ['envoy.filters.listener.tls_inspector']);
  const cidr = listener(out, '0.0.0.0_6379');
  assert.deepEqual(cidr.filter_chains[0].filter_chain_match, { prefix_ranges: [{ address_prefix: '192.168.0.0', prefix_len: { value: 16 } }] });
  assert.equal(cidr.default_filter_chain.name, 'PassthroughFilterChain');
  const contended = listener(out, '0.0.0.0_9999');
  assert.equal(contended.filter_chains.length, 1);
  assert.equal(tcpProxyOf(contended.filter_chains[0]).cluster, 'outbound|9999||first.example.com');
  assert.ok(out.diagnostics.some((d) => d.source === 'ServiceEntry/default/second' && d.path === 'spec.ports[0]'));
});

test('virtualInbound PERMISSIVE (default): TLS and plaintext chains per port, passthrough chains, inspectors', () => {
  const l = listener(lds(MESH), 'virtualInbound');
  assert.deepEqual(l.address, { socket_address: { address: '0.0.0.0', port_value: 15006 } });
  assert.equal(l.traffic_direction, 'INBOUND');
  assert.equal(l.listener_filters[0].name, 'envoy.filters.listener.original_dst');
  const names = l.filter_chains.map((c: Json) => c.name);
  assert.equal(new Set(names).size, names.length, 'filter chain names are unique');
  assert.equal(names[0], 'virtualInbound-blackhole');
  const http = l.filter_chains.filter((c: Json) => c.filter_chain_match.destination_port?.value === 9080);
  assert.deepEqual(http.map((c: Json) => c.filter_chain_match.transport_protocol), ['tls', 'raw_buffer']);
  assert.ok(http[0].transport_socket, 'mTLS chain terminates TLS');
  assert.equal(http[1].transport_socket, undefined);
  const hcm = http[1].filters[0].typed_config;
  assert.equal(hcm.route_config.name, 'inbound|9080||');
  assert.equal(hcm.route_config.virtual_hosts[0].name, 'inbound|http|8080');
  assert.equal(hcm.route_config.virtual_hosts[0].routes[0].route.cluster, 'inbound|9080||');
  const tcp = l.filter_chains.filter((c: Json) => c.filter_chain_match.destination_port?.value === 9000);
  assert.equal(tcp.length, 3);
  assert.equal(tcpProxyOf(tcp[1]).cluster, 'inbound|9000||');
  const passthrough = l.filter_chains.filter((c: Json) => c.filter_chain_match.destination_port === undefined);
  assert.equal(passthrough.length, 5);
  assert.ok(passthrough.every((c: Json) => JSON.stringify(c.filters).includes('InboundPassthroughCluster')));
});

test('virtualInbound STRICT with portLevelMtls: TLS only, DISABLE ports plaintext, SDS certificates from sds-grpc', () => {
  const l = listener(lds(MESH + STRICT_PA), 'virtualInbound');
  const at = (port: number | undefined) => l.filter_chains.filter((c: Json) => c.filter_chain_match.destination_port?.value === port);
  assert.deepEqual(at(9080).map((c: Json) => c.filter_chain_match.transport_protocol), ['tls']);
  assert.deepEqual(at(9000).map((c: Json) => c.filter_chain_match.transport_protocol), ['raw_buffer']);
  assert.deepEqual(at(12345).map((c: Json) => c.filter_chain_match.transport_protocol), ['raw_buffer', 'raw_buffer']);
  assert.deepEqual(at(undefined).map((c: Json) => c.filter_chain_match.transport_protocol), ['tls', 'tls']);
  const tls = at(9080)[0].transport_socket.typed_config;
  assert.deepEqual(tls.require_client_certificate, { value: true });
  const common = tls.common_tls_context;
  assert.equal(common.tls_certificate_sds_secret_configs[0].name, 'default');
  assert.equal(common.combined_validation_context.validation_context_sds_secret_config.name, 'ROOTCA');
  assert.equal(common.tls_certificate_sds_secret_configs[0].sds_config.api_config_source.grpc_services[0].envoy_grpc.cluster_name, 'sds-grpc');
  const tlsInspector = l.listener_filters.find((f: Json) => f.name === 'envoy.filters.listener.tls_inspector');
  assert.ok(tlsInspector.filter_disabled, 'TLS inspector is off on plaintext-only ports');
});
