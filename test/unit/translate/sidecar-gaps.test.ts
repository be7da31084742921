/**
 * Smaller sidecar behaviors matched to current Istio: fault kinds Istio does not support,
 * meshMTLS on the inbound side only, PROXY protocol merge, stat-name patterns, which endpoints
 * EDS sends, and ExternalName clusters. (Egress proxy, DNS locality and the rest have goldens.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultMeshConfig } from '../../../src/config/mesh-config.js';
import type { MeshEndpoint, MeshService } from '../../../src/model/registry/types.js';
import type { Subset, TrafficPolicy } from '../../../src/model/types/destination-rule.js';
import { proxyProtocolFor } from '../../../src/translate/sidecar/cds/proxy-protocol.js';
import { buildStatPrefix } from '../../../src/translate/sidecar/cds/stat-name.js';
import { sendableEndpoint } from '../../../src/translate/sidecar/eds/endpoints.js';
import { inboundMtlsContext } from '../../../src/translate/sidecar/lds/downstream-tls.js';
import { cds } from './sidecar-cds-fixtures.js';
import { ECHO_VH, MESH, rds } from './sidecar-rds-fixtures.js';

const FAULTY = `
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: faulty, namespace: default}
spec:
  hosts: [echo]
  http:
  - match: [{uri: {prefix: /a}}]
    fault:
      delay: {fixedDelay: 2s, percentage: {value: 10}}
      abort: {httpStatus: 503}
    route: [{destination: {host: echo}}]
  - fault:
      delay: {fixedDelay: 1s}
      abort: {httpStatus: 500, percentage: {value: 50}}
    route: [{destination: {host: echo}}]
`;

test('fault: http2Error abort and exponentialDelay are left out with a warning, the other half stays (as in Istio)', () => {
  const unsupported = (objects: any[]) => objects.map((o) => {
    if (o.metadata.name !== 'faulty') return o;
    const copy = structuredClone(o);
    copy.spec.http[0].fault.abort = { http2Error: 'REFUSED_STREAM' };
    copy.spec.http[1].fault.delay = { exponentialDelay: '1s' };
    return copy;
  });
  const r = rds(MESH + FAULTY, { edit: unsupported });
  const [first, second] = r.routes(ECHO_VH).map((x) => x.typed_per_filter_config['envoy.filters.http.fault']);
  assert.deepEqual(Object.keys(first).sort(), ['@type', 'delay']);
  assert.deepEqual(Object.keys(second).sort(), ['@type', 'abort']);
  assert.equal(second.abort.http_status, 500);
  assert.ok(r.diagnostics.some((d) => d.path === 'spec.http[0].fault.abort' && /http2Error/.test(d.message)), 'http2Error reported');
  assert.ok(r.diagnostics.some((d) => d.path === 'spec.http[1].fault.delay' && /exponentialDelay/.test(d.message)), 'exponentialDelay reported');
});

test('meshMTLS: minProtocolVersion and cipherSuites shape the inbound mTLS context; defaults otherwise', () => {
  const base = defaultMeshConfig();
  const params = (mesh: typeof base) => (inboundMtlsContext(mesh).common_tls_context as any).tls_params;
  assert.equal(params(base).tls_minimum_protocol_version, 'TLSv1_2');
  assert.equal(params(base).cipher_suites.length, 6, "Istio's default server cipher list");
  const tuned = params({ ...base, meshMTLS: { minProtocolVersion: 'TLSV1_3', cipherSuites: ['ECDHE-RSA-AES256-GCM-SHA384'] } });
  assert.deepEqual(tuned, { tls_minimum_protocol_version: 'TLSv1_3', tls_maximum_protocol_version: 'TLSv1_3', cipher_suites: ['ECDHE-RSA-AES256-GCM-SHA384'] });
  assert.equal(params({ ...base, meshMTLS: { minProtocolVersion: 'TLS_AUTO' } }).tls_minimum_protocol_version, 'TLSv1_2');
});

test('meshMTLS and tlsDefaults leave the client side of ISTIO_MUTUAL alone', () => {
  const c = cds(`
apiVersion: v1
kind: Service
metadata: {name: echo, namespace: default}
spec: {clusterIP: 10.1.0.1, selector: {app: echo}, ports: [{name: http, port: 80}]}
`, { mesh: { meshMTLS: { minProtocolVersion: 'TLSV1_3', cipherSuites: ['X'] }, tlsDefaults: { ecdhCurves: ['P-256'], cipherSuites: ['Y'] } } });
  const socket = c.get('outbound|80||echo.default.svc.cluster.local').transport_socket_matches[0].transport_socket;
  assert.deepEqual(socket.typed_config.common_tls_context.tls_params, { tls_minimum_protocol_version: 'TLSv1_2', tls_maximum_protocol_version: 'TLSv1_3' });
});

test('proxyProtocol merge: port-level settings drop it, a subset overrides it unless its own port-level entry applies', () => {
  const policy: TrafficPolicy = { proxyProtocol: { version: 'V2' }, portLevelSettings: [{ port: { number: 443 }, tls: { mode: 'SIMPLE' } }] };
  const v1: Subset = { name: 'v1', labels: {}, trafficPolicy: { proxyProtocol: { version: 'V1' } } };
  const v1PortLevel: Subset = { name: 'v1', labels: {}, trafficPolicy: { proxyProtocol: { version: 'V1' }, portLevelSettings: [{ port: { number: 80 } }] } };
  assert.deepEqual(proxyProtocolFor(policy, undefined, 80), { version: 'V2' });
  assert.equal(proxyProtocolFor(policy, undefined, 443), undefined);
  assert.deepEqual(proxyProtocolFor(policy, v1, 80), { version: 'V1' });
  assert.deepEqual(proxyProtocolFor(policy, v1, 443), { version: 'V1' }, 'the subset sets it even where the rule had a port-level entry');
  assert.deepEqual(proxyProtocolFor(policy, v1PortLevel, 80), { version: 'V2' }, "the subset's port-level entry has none: the rule's stays");
  assert.equal(proxyProtocolFor(undefined, undefined, 80), undefined);
});

const kube = { hostname: 'reviews.bookinfo.svc.cluster.local', name: 'reviews', namespace: 'bookinfo', source: 'Kubernetes' } as MeshService;
const entry = { hostname: 'api.example.com', name: 'api', namespace: 'bookinfo', source: 'ServiceEntry' } as MeshService;

test('stat names: every Istio placeholder, short host only for Kubernetes services', () => {
  const all = '%SERVICE%/%SERVICE_NAME%/%SERVICE_FQDN%/%SERVICE_PORT%/%SERVICE_PORT_NAME%/%SUBSET_NAME%/%TARGET_PORT%';
  const port = { name: 'http', port: 9080, protocol: 'HTTP' as const };
  assert.equal(buildStatPrefix(all, { service: kube, port, subset: 'v1', targetPort: 8080 }), 'reviews.bookinfo/reviews/reviews.bookinfo.svc.cluster.local/9080/http/v1/8080');
  assert.equal(buildStatPrefix(all, { service: entry, port, subset: '', targetPort: 0 }), 'api.example.com/api.example.com/api.example.com/9080/http//0');
  assert.equal(buildStatPrefix('%SERVICE%%SERVICE%', { service: kube, port, subset: '', targetPort: 0 }), 'reviews.bookinforeviews.bookinfo', 'every occurrence');
});

const ep = (over: Partial<MeshEndpoint>) => ({ address: '10.0.0.1', port: 80, servicePortName: 'http', labels: {}, health: 'HEALTHY', ...over }) as MeshEndpoint;
const svc = (labels: Record<string, string> = {}) => ({ ...kube, labels }) as MeshService;

test('EDS sends ready endpoints only; draining ones only for persistent-session services (Istio defaults)', () => {
  assert.equal(sendableEndpoint(svc(), ep({})), true);
  assert.equal(sendableEndpoint(svc(), ep({ health: 'UNHEALTHY' })), false, 'PILOT_SEND_UNHEALTHY_ENDPOINTS is false by default');
  assert.equal(sendableEndpoint(svc(), ep({ health: 'TERMINATING' })), false);
  assert.equal(sendableEndpoint(svc(), ep({ health: 'DRAINING' })), false);
  assert.equal(sendableEndpoint(svc({ 'istio.io/persistent-session': 'sid' }), ep({ health: 'DRAINING' })), true);
  assert.equal(sendableEndpoint(svc(), ep({ labels: { 'istio.io/draining': 'true' } })), false);
  assert.equal(sendableEndpoint(svc({ 'istio.io/persistent-session-header': 'x-session' }), ep({ labels: { 'istio.io/draining': 'true' } })), true);
});

test('ExternalName Services are aliases (current Istio): no cluster of their own; a route to one uses the target cluster', () => {
  const yaml = `
apiVersion: v1
kind: Service
metadata: {name: api, namespace: default}
spec: {type: ExternalName, externalName: api.example.com, ports: [{name: http, port: 8080}]}
---
apiVersion: v1
kind: Service
metadata: {name: echo-alias, namespace: default}
spec: {type: ExternalName, externalName: echo.default.svc.cluster.local, ports: [{name: http, port: 80}]}
---
apiVersion: v1
kind: Service
metadata: {name: echo, namespace: default}
spec: {clusterIP: 10.96.0.20, selector: {app: echo}, ports: [{name: http, port: 80}]}
`;
  const c = cds(yaml);
  assert.ok(!c.names.some((n) => n.includes('api.default') || n.includes('echo-alias')), `no alias clusters: ${c.names}`);
  assert.ok(c.has('outbound|80||echo.default.svc.cluster.local'));
  const withVs = `${yaml}---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: to-alias, namespace: default}
spec:
  hosts: [echo]
  http: [{route: [{destination: {host: echo-alias}}]}]
`;
  const r = rds(withVs, { port: '80', namespace: 'default' });
  const vh = r.vh('echo.default.svc.cluster.local:80');
  assert.ok(vh.domains.includes('echo-alias.default.svc.cluster.local') && vh.domains.includes('echo-alias'), `alias names answer too: ${vh.domains}`);
  assert.equal(vh.routes[0].route.cluster, 'outbound|80||echo.default.svc.cluster.local');
  const names = (r.config.virtual_hosts as Record<string, any>[]).map((v) => String(v.name));
  assert.ok(!names.some((n) => n.startsWith('echo-alias') || n.startsWith('api.')), `no alias virtual hosts: ${names}`);
});

test('stat names: inboundClusterStatName names the inbound cluster after the service port it serves', () => {
  const yaml = `
apiVersion: v1
kind: Service
metadata: {name: self, namespace: app}
spec:
  clusterIP: 10.96.0.5
  selector: {app: client}
  ports: [{name: http-web, port: 80, targetPort: 8080}]
---
apiVersion: v1
kind: Pod
metadata: {name: client-0, namespace: app, labels: {app: client}}
spec: {serviceAccountName: client, containers: [{name: c}]}
status: {phase: Running, podIP: 10.0.0.99, conditions: [{type: Ready, status: "True"}]}
`;
  const plain = cds(yaml);
  assert.equal(plain.get('inbound|8080||').alt_stat_name, 'inbound|8080||;');
  const named = cds(yaml, { mesh: { inboundClusterStatName: 'in_%SERVICE%_%SERVICE_PORT_NAME%_%TARGET_PORT%' } });
  assert.equal(named.get('inbound|8080||').alt_stat_name, 'in_self.app_http-web_8080;');
});
