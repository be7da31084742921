/**
 * Sidecar listener semantics: egress listeners with port/bind/captureMode and the route
 * configurations they name, ingress bind/captureMode/tls, INTERCEPTION_MODE NONE and TPROXY,
 * DestinationRule tunnel on tcp_proxy, and the Mongo filter.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultMeshConfig } from '../../../src/config/mesh-config.js';
import { parseProxy, type Proxy } from '../../../src/model/proxy.js';
import { checkResourceShape } from '../../../src/serve/proto/encode.js';
import type { SidecarFeatures } from '../../../src/translate/sidecar/features.js';
import { createSidecarGenerator } from '../../../src/translate/sidecar/index.js';
import { TypeUrl } from '../../../src/translate/type-urls.js';
import type { Generated } from '../../../src/translate/types.js';
import { checkValidateRules } from '../../helpers/validate-rules.js';
import { snapshotFrom } from './grpc-fixtures.js';

type Json = Record<string, any>;

const SERVICES = `
apiVersion: v1
kind: Service
metadata: {name: reviews, namespace: default}
spec: {clusterIP: 10.96.1.1, ports: [{name: http, port: 9080}]}
---
apiVersion: v1
kind: Service
metadata: {name: ratings, namespace: other}
spec: {clusterIP: 10.96.1.2, ports: [{name: http, port: 9080}]}
---
apiVersion: v1
kind: Service
metadata: {name: db, namespace: default}
spec: {clusterIP: 10.96.1.3, ports: [{name: mongo, port: 27017}]}
---
apiVersion: v1
kind: Service
metadata: {name: app, namespace: default}
spec: {clusterIP: 10.96.9.9, selector: {app: app}, ports: [{name: http, port: 8080}]}
---
apiVersion: v1
kind: Pod
metadata: {name: app-1, namespace: default, labels: {app: app}}
spec: {containers: [{name: c}]}
status: {phase: Running, podIP: 10.0.0.9, conditions: [{type: Ready, status: "True"}]}
`;

function proxy(metadata: Record<string, unknown> = {}, ip = '10.0.0.9'): Proxy {
  const parsed = parseProxy({
    id: `sidecar~${ip}~app-1.default~default.svc.cluster.local`,
    metadata: { NAMESPACE: 'default', LABELS: { app: 'app' }, INSTANCE_IPS: ip, ...metadata },
  });
  assert.ok(parsed.ok, 'test proxy must parse');
  return parsed.value;
}

function generate(yaml: string, typeUrl: string, p: Proxy = proxy(), names?: string[], features?: Partial<SidecarFeatures>): Generated {
  const gen = createSidecarGenerator({ mesh: defaultMeshConfig(), features });
  const out = gen.generate(snapshotFrom(yaml), p, typeUrl, names);
  for (const r of out.resources) {
    assert.deepEqual(checkResourceShape(r.body), [], `shape problems in ${r.name}`);
    assert.deepEqual(checkValidateRules(r.body), [], `validate.rules problems in ${r.name}`);
  }
  return out;
}

const byName = (out: Generated, name: string): Json | undefined => out.resources.find((r) => r.name === name)?.body as Json | undefined;
const names = (out: Generated) => out.resources.map((r) => r.name);
const vhostNames = (rc: Json | undefined) => (rc?.virtual_hosts ?? []).map((v: Json) => v.name);

const SIDECAR = (spec: string) => `${SERVICES}
---
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: default, namespace: default}
spec:
${spec}`;

test('egress listener with a port and captureMode NONE: a bound 127.0.0.1 listener whose RDS sees only its hosts', () => {
  const yaml = SIDECAR(`  egress:
  - port: {number: 9080, protocol: HTTP, name: http}
    captureMode: NONE
    hosts: [./reviews.default.svc.cluster.local]
  - hosts: ["*/*"]`);
  const lds = generate(yaml, TypeUrl.Listener);
  const bound = byName(lds, '127.0.0.1_9080');
  assert.ok(bound, `listeners: ${names(lds)}`);
  assert.equal(bound.bind_to_port, undefined, 'bind_to_port defaults to true');
  assert.equal(bound.filter_chains.length, 1);
  assert.equal(bound.filter_chains[0].filter_chain_match, undefined, 'one HCM chain takes every connection');
  assert.equal(bound.filter_chains[0].filters[0].typed_config.rds.route_config_name, '9080');
  // The catch-all listener may not add ratings on 127.0.0.1_9080, but does get 0.0.0.0_9080 (another bind).
  const wildcard = byName(lds, '0.0.0.0_9080');
  assert.deepEqual(wildcard?.bind_to_port, { value: false });
  const rds = generate(yaml, TypeUrl.RouteConfiguration, proxy(), ['9080']);
  assert.deepEqual(vhostNames(byName(rds, '9080')), ['reviews.default.svc.cluster.local:9080', 'allow_any']);
});

test('egress listener bind + TCP port: <bind>_<port> with the listener protocol, not the service VIP', () => {
  const lds = generate(SIDECAR(`  egress:
  - port: {number: 27017, protocol: TCP, name: tcp}
    bind: 127.0.0.5
    hosts: [./db.default.svc.cluster.local]`), TypeUrl.Listener);
  const l = byName(lds, '127.0.0.5_27017');
  assert.ok(l, `listeners: ${names(lds)}`);
  assert.deepEqual(l.bind_to_port, { value: false }, 'captureMode DEFAULT keeps it virtual');
  const filters = l.filter_chains[0].filters.map((f: Json) => f.name);
  assert.deepEqual(filters, ['envoy.filters.network.tcp_proxy'], 'declared TCP: no Mongo filter');
  assert.equal(byName(lds, '10.96.1.3_27017'), undefined);
});

test('unknown route names and unix sockets resolve through the egress listener that names them', () => {
  const yaml = SIDECAR(`  egress:
  - port: {protocol: HTTP, name: uds}
    bind: unix:///run/a.sock
    hosts: [./reviews.default.svc.cluster.local]`);
  const rds = generate(yaml, TypeUrl.RouteConfiguration, proxy(), ['unix:///run/a.sock', 'unix:///run/other.sock', 'nonsense', '9080']);
  assert.deepEqual(names(rds), ['unix:///run/a.sock'], 'no catch-all listener: other names are not served');
  const domains = byName(rds, 'unix:///run/a.sock')!.virtual_hosts[0].domains;
  assert.ok(domains.includes('reviews:9080') && !domains.includes('reviews'), `port-qualified only: ${domains}`);
});

test('INTERCEPTION_MODE NONE: outbound listeners bind 127.0.0.1 for real; only Sidecar ingress gives inbound listeners', () => {
  const none = proxy({ INTERCEPTION_MODE: 'NONE' });
  const plain = generate(SERVICES, TypeUrl.Listener, none);
  assert.ok(plain.resources.every((r) => r.name.startsWith('127.0.0.1_')), `listeners: ${names(plain)}`);
  assert.ok(plain.diagnostics.some((d) => d.message.includes('INTERCEPTION_MODE NONE')), 'the missing inbound side is reported');
  const withIngress = generate(SIDECAR(`  ingress:
  - port: {number: 8080, protocol: HTTP, name: http}
    defaultEndpoint: 127.0.0.1:18080`), TypeUrl.Listener, none);
  const inbound = byName(withIngress, '10.0.0.9_8080');
  assert.ok(inbound, `listeners: ${names(withIngress)}`);
  assert.equal(inbound.traffic_direction, 'INBOUND');
  assert.equal(inbound.bind_to_port, undefined);
  assert.ok(!(inbound.listener_filters ?? []).some((f: Json) => f.name.includes('original_dst')));
  assert.equal(byName(withIngress, 'virtualInbound'), undefined);
});

test('ingress bind defaults to the first global unicast IP; captureMode NONE takes the port out of virtualInbound', () => {
  const lds = generate(SIDECAR(`  ingress:
  - port: {number: 8080, protocol: HTTP, name: http}
    defaultEndpoint: 127.0.0.1:18080
  - port: {number: 9090, protocol: TCP, name: tcp}
    captureMode: NONE
    bind: 127.0.0.1
    defaultEndpoint: 127.0.0.1:19090`), TypeUrl.Listener, proxy({ INSTANCE_IPS: '127.0.0.6,fe80::1,10.0.0.9' }));
  const vi = byName(lds, 'virtualInbound')!;
  const chainNames = vi.filter_chains.map((c: Json) => c.name);
  assert.ok(chainNames.includes('10.0.0.9_8080'), `chains: ${chainNames}`);
  assert.ok(!chainNames.some((n: string) => n.includes('9090')));
  assert.ok(byName(lds, '127.0.0.1_9090'));
});

test('ingress tls: ignored unless ENABLE_TLS_ON_SIDECAR_INGRESS; then MUTUAL with files under PeerAuthentication DISABLE, ignored with a diagnostic on an mTLS port', () => {
  const yaml = `${SIDECAR(`  ingress:
  - port: {number: 8080, protocol: HTTPS, name: https}
    defaultEndpoint: 127.0.0.1:18080
    tls: {mode: MUTUAL, serverCertificate: /c.pem, privateKey: /k.pem, caCertificates: /ca.pem}
  - port: {number: 8443, protocol: HTTPS, name: https2}
    defaultEndpoint: 127.0.0.1:18443
    tls: {mode: SIMPLE, serverCertificate: /c.pem, privateKey: /k.pem}`)}
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: off, namespace: default}
spec: {selector: {matchLabels: {app: app}}, mtls: {mode: DISABLE}, portLevelMtls: {"8443": {mode: STRICT}}}`;
  const off = generate(yaml, TypeUrl.Listener);
  const plain = (byName(off, 'virtualInbound')!.filter_chains as Json[]).filter((c) => c.name === '10.0.0.9_8080');
  assert.ok(plain.length > 0 && plain.every((c) => c.transport_socket === undefined), 'ENABLE_TLS_ON_SIDECAR_INGRESS off (Istio default): no termination');
  assert.ok(off.diagnostics.some((d) => d.path === 'spec.ingress[0].tls' && d.message.includes('ENABLE_TLS_ON_SIDECAR_INGRESS')));
  const lds = generate(yaml, TypeUrl.Listener, proxy(), undefined, { tlsOnSidecarIngress: true });
  const chains = byName(lds, 'virtualInbound')!.filter_chains as Json[];
  const tls = chains.filter((c) => c.name === '10.0.0.9_8080');
  assert.equal(tls.length, 1);
  assert.equal(tls[0]!.filter_chain_match.transport_protocol, 'tls');
  const ctx = tls[0]!.transport_socket.typed_config;
  assert.deepEqual(ctx.require_client_certificate, { value: true });
  assert.equal(ctx.common_tls_context.tls_certificate_sds_secret_configs[0].name, 'file-cert:/c.pem~/k.pem');
  assert.equal(ctx.common_tls_context.combined_validation_context.validation_context_sds_secret_config.name, 'file-root:/ca.pem');
  assert.equal(tls[0]!.filters[0].name, 'envoy.filters.network.http_connection_manager', 'HTTPS terminated is HTTP');
  const strict = chains.filter((c) => c.name?.startsWith('10.0.0.9_8443'));
  assert.ok(strict.length > 0);
  assert.ok(strict.every((c) => c.transport_socket?.typed_config.common_tls_context.tls_certificate_sds_secret_configs[0].name === 'default'), 'mesh mTLS, not the file certificate');
  assert.ok(lds.diagnostics.some((d) => d.path === 'spec.ingress[1].tls' && d.message.includes('STRICT')));
});

test('TPROXY adds original_src (mark 1337) to virtualInbound only', () => {
  const lds = generate(SERVICES, TypeUrl.Listener, proxy({ INTERCEPTION_MODE: 'TPROXY' }));
  const filters = byName(lds, 'virtualInbound')!.listener_filters.map((f: Json) => f.name);
  assert.deepEqual(filters.slice(0, 2), ['envoy.filters.listener.original_dst', 'envoy.filters.listener.original_src']);
  assert.equal(byName(lds, 'virtualInbound')!.listener_filters[1].typed_config.mark, 1337);
  const redirect = generate(SERVICES, TypeUrl.Listener, proxy());
  assert.ok(!byName(redirect, 'virtualInbound')!.listener_filters.some((f: Json) => f.name.includes('original_src')));
});

test('tunnel: weighted tcp routes use the top-level tunnel; Mongo filter leads with the VS stat prefix', () => {
  const yaml = `${SERVICES}
---
apiVersion: v1
kind: Service
metadata: {name: db2, namespace: default}
spec: {clusterIP: 10.96.1.4, ports: [{name: mongo, port: 27017}]}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: db, namespace: default}
spec:
  host: db
  trafficPolicy: {tunnel: {protocol: POST, targetHost: proxy.local, targetPort: 3128}}
  subsets: [{name: a, labels: {v: a}, trafficPolicy: {tunnel: {targetHost: sub.local, targetPort: 1}}}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: split, namespace: default}
spec:
  hosts: [db]
  tcp: [{route: [{destination: {host: db, subset: a}, weight: 50}, {destination: {host: db2}, weight: 50}]}]`;
  const lds = generate(yaml, TypeUrl.Listener);
  const filters = byName(lds, '10.96.1.3_27017')!.filter_chains[0].filters as Json[];
  assert.deepEqual(filters.map((f) => f.name), ['envoy.filters.network.mongo_proxy', 'envoy.filters.network.tcp_proxy']);
  assert.equal(filters[0]!.typed_config.stat_prefix, 'split.default');
  assert.deepEqual(filters[1]!.typed_config.tunneling_config, { hostname: 'proxy.local:3128', use_post: true });
});
