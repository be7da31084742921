import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultMeshConfig } from '../../../src/config/mesh-config.js';
import { createSidecarGenerator } from '../../../src/translate/sidecar/index.js';
import { TypeUrl } from '../../../src/translate/type-urls.js';
import { snapshotFrom } from './grpc-fixtures.js';
import { cluster, ECHO, ECHO_VH, MESH, rds, sidecarProxy } from './sidecar-rds-fixtures.js';

test('route configuration <port>: virtual hosts per HTTP service, Istio domains, default route, allow_any', () => {
  const r = rds(MESH);
  assert.equal(r.config.name, '80');
  assert.deepEqual(r.config.validate_clusters, { value: false });
  assert.equal(r.config.ignore_port_in_host_matching, true);
  assert.deepEqual(r.config.virtual_hosts.map((v: any) => v.name), [ECHO_VH, 'web.other.svc.cluster.local:80', 'allow_any']);
  assert.deepEqual(r.vh(ECHO_VH).domains, [ECHO, 'echo', 'echo.default.svc', 'echo.default', '10.1.0.1']);
  assert.deepEqual(r.vh('web.other.svc.cluster.local:80').domains, ['web.other.svc.cluster.local', 'web.other', 'web.other.svc', '10.1.0.2']);
  const [route] = r.routes(ECHO_VH);
  assert.equal(route!.name, 'default');
  assert.deepEqual(route!.match, { prefix: '/' });
  assert.equal(route!.route.cluster, cluster());
  assert.deepEqual(route!.route.timeout, { seconds: 0, nanos: 0 });
  assert.deepEqual(route!.route.retry_policy, {
    retry_on: 'connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes',
    num_retries: { value: 2 },
    retriable_status_codes: [503],
    host_selection_retry_max_attempts: 5,
    retry_host_predicate: [{ name: 'envoy.retry_host_predicates.previous_hosts', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.retry.host.previous_hosts.v3.PreviousHostsPredicate' } }],
  });
  assert.deepEqual(r.vh('allow_any').routes[0].route.cluster, 'PassthroughCluster');
  // Port 9090 only has echo; other names are not ours.
  assert.deepEqual(rds(MESH, { port: '9090' }).config.virtual_hosts.map((v: any) => v.name), [`${ECHO}:9090`, 'allow_any']);
});

test('REGISTRY_ONLY: block_all answers 502; mesh defaultHttpRetryPolicy replaces Istio default', () => {
  const r = rds(MESH, { mesh: { outboundTrafficPolicy: { mode: 'REGISTRY_ONLY' }, defaultHttpRetryPolicy: { attempts: 4, retryOn: '5xx' } } });
  assert.deepEqual(r.vh('block_all').routes[0].direct_response, { status: 502 });
  const retry = r.routes(ECHO_VH)[0]!.route.retry_policy;
  assert.equal(retry.retry_on, '5xx');
  assert.deepEqual(retry.num_retries, { value: 4 });
  assert.equal(retry.retriable_status_codes, undefined);
});

const VS2 = `
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: newer, namespace: default, creationTimestamp: "2024-02-01T00:00:00Z"}
spec:
  hosts: [echo.default.svc.cluster.local]
  http:
  - route: [{destination: {host: echo, subset: v2}}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: older, namespace: default, creationTimestamp: "2024-01-01T00:00:00Z"}
spec:
  hosts: [echo]
  http:
  - match: [{uri: {regex: "/ok/.*"}}]
    route: [{destination: {host: echo, subset: v1}}]
  - match: [{uri: {prefix: /bad}}]
    route: [{destination: {host: echo, subset: v1}}]
  - route: [{destination: {host: echo}}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: wild, namespace: other}
spec:
  hosts: ["*.other.svc.cluster.local", ext.example.com]
  http:
  - route: [{destination: {host: web.other.svc.cluster.local}}]
`;

test('isolation: the oldest VirtualService wins a host, the other is reported; a bad regex drops only its match', () => {
  const breakRegex = (objects: any[]) => objects.map((o) => {
    if (o.metadata.name !== 'older') return o;
    const copy = structuredClone(o);
    copy.spec.http[1].match[0].uri = { regex: '/bad/(' };
    return copy;
  });
  const r = rds(MESH + VS2, { edit: breakRegex });
  const routes = r.routes(ECHO_VH);
  assert.deepEqual(routes.map((x) => x.match.safe_regex?.regex ?? x.match.prefix), ['/ok/.*', '/']);
  assert.equal(routes[1]!.metadata.filter_metadata.istio.config, '/apis/networking.istio.io/v1/namespaces/default/virtual-service/older');
  assert.ok(r.diagnostics.some((d) => d.source?.includes('newer') && d.path === 'spec.hosts'), 'shadowed VirtualService reported');
  assert.ok(r.diagnostics.some((d) => d.path === 'spec.http[1].match[0].uri' && /regex/.test(d.message)), 'bad regex reported');
  // The wildcard VirtualService routes web (a service it covers); ext.example.com (no service) gets its own virtual host on port 80.
  assert.equal(r.routes('web.other.svc.cluster.local:80')[0]!.metadata.filter_metadata.istio.config, '/apis/networking.istio.io/v1/namespaces/other/virtual-service/wild');
  assert.deepEqual(r.vh('ext.example.com:80').domains, ['ext.example.com']);
});

test('duplicate domains across virtual hosts are dropped and reported', () => {
  const twin = `
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: twin, namespace: default}
spec:
  hosts: [twin.example.com]
  addresses: [10.1.0.1]
  ports: [{number: 80, name: http, protocol: HTTP}]
  resolution: STATIC
  endpoints: [{address: 10.2.0.1}]
`;
  const r = rds(MESH + twin);
  const all = (r.config.virtual_hosts as any[]).flatMap((v) => v.domains);
  assert.equal(new Set(all).size, all.length, 'no duplicate domain');
  assert.deepEqual(r.vh('twin.example.com:80').domains, ['twin.example.com']);
  assert.ok(r.diagnostics.some((d) => /10\.1\.0\.1/.test(d.message)), 'the duplicate VIP is reported');
});

test('sniffed ports: route `<host>:<port>` has only that service, answering every authority; other names are not served', () => {
  const auto = `
---
apiVersion: v1
kind: Service
metadata: {name: auto, namespace: default}
spec:
  clusterIP: 10.1.0.3
  ports: [{name: web, port: 8000}]
`;
  const r = rds(MESH + auto, { port: 'auto.default.svc.cluster.local:8000' });
  assert.deepEqual(r.config.virtual_hosts.map((v: any) => [v.name, v.domains]), [['auto.default.svc.cluster.local:8000', ['*']]]);
  assert.equal(r.routes('auto.default.svc.cluster.local:8000')[0]!.route.cluster, 'outbound|8000||auto.default.svc.cluster.local');
  const out = createSidecarGenerator({ mesh: defaultMeshConfig() }).generate(snapshotFrom(MESH), sidecarProxy(), TypeUrl.RouteConfiguration, ['nonsense', '0', 'x:y']);
  assert.deepEqual(out.resources, []);
});
