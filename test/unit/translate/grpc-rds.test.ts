import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultMeshConfig } from '../../../src/config/mesh-config.js';
import { BASE_MESH, byName, gen, grpcProxy, snapshotFrom, T } from './grpc-fixtures.js';

const ROUTE = 'outbound|7070||echo.app.svc.cluster.local';

const VS = `
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: echo, namespace: app}
spec:
  hosts: [echo]
  http:
  - name: only-for-canary-clients
    match: [{sourceLabels: {track: canary}}]
    route: [{destination: {host: echo, port: {number: 7071}}}]
  - name: other-port
    match: [{port: 7071}]
    route: [{destination: {host: echo}}]
  - name: main
    timeout: 3s
    route: [{destination: {host: echo}}]
`;

function routes(yaml: string, labels?: Record<string, string>, name = ROUTE) {
  const out = gen(snapshotFrom(yaml), grpcProxy({ labels }), T.RouteConfiguration, [name]);
  return byName(out, name).virtual_hosts[0].routes as Record<string, any>[];
}

test('default route without a VirtualService: prefix "/", the default cluster, Istio default retries', () => {
  const [route] = routes(BASE_MESH);
  assert.deepEqual(route, {
    name: 'default',
    match: { prefix: '/' },
    route: {
      cluster: ROUTE,
      timeout: { seconds: 0, nanos: 0 },
      max_stream_duration: { max_stream_duration: { seconds: 0, nanos: 0 } },
      retry_policy: { retry_on: 'unavailable,cancelled', num_retries: { value: 2 } },
    },
  });
});

test('VirtualService routes: port and source-label matches, timeout as max_stream_duration', () => {
  const plain = routes(BASE_MESH + VS);
  assert.deepEqual(plain.map((r) => r.name), ['main']);
  assert.deepEqual(plain[0]!.route.max_stream_duration, { max_stream_duration: { seconds: 3, nanos: 0 } });
  assert.equal(plain[0]!.route.cluster, ROUTE, 'a destination without a port uses the route configuration port');
  const canary = routes(BASE_MESH + VS, { track: 'canary' });
  // A match on source labels only is a catch-all for the clients it selects (as in Istio): nothing after it.
  assert.deepEqual(canary.map((r) => r.name), ['only-for-canary-clients']);
  assert.equal(canary[0]!.route.cluster, 'outbound|7071||echo.app.svc.cluster.local');
  const port7071 = routes(BASE_MESH + VS, undefined, 'outbound|7071||echo.app.svc.cluster.local');
  assert.deepEqual(port7071.map((r) => r.name), ['other-port']);
});

test('virtual host domains: short forms for the own namespace, name.ns forms from others, VIP', () => {
  const snap = snapshotFrom(BASE_MESH);
  const domains = (ns: string) => byName(gen(snap, grpcProxy({ namespace: ns }), T.RouteConfiguration, [ROUTE]), ROUTE).virtual_hosts[0].domains as string[];
  assert.ok(domains('app').includes('echo:7070'));
  assert.ok(!domains('other').includes('echo:7070'));
  assert.ok(domains('other').includes('echo.app:7070') && domains('other').includes('10.96.0.10:7070'));
});

test('route names of the host:port form resolve like listener names; unknown ones are absent', () => {
  const out = gen(snapshotFrom(BASE_MESH), grpcProxy(), T.RouteConfiguration, ['echo:7070', 'echo:1', 'outbound|7070|v1|echo.app.svc.cluster.local', 'nope']);
  assert.deepEqual(out.resources.map((r) => r.name), ['echo:7070']);
  assert.equal(byName(out, 'echo:7070').virtual_hosts[0].name, 'echo.app.svc.cluster.local:7070');
});

test('mesh defaultHttpRetryPolicy replaces Istio default; attempts 0 disables retries', () => {
  const snap = snapshotFrom(BASE_MESH);
  const withMesh = (retry: object) => byName(gen(snap, grpcProxy(), T.RouteConfiguration, [ROUTE], { ...defaultMeshConfig(), defaultHttpRetryPolicy: retry }), ROUTE).virtual_hosts[0].routes[0].route;
  assert.deepEqual(withMesh({ attempts: 5, retryOn: 'internal' }).retry_policy, { retry_on: 'internal', num_retries: { value: 5 } });
  assert.equal(withMesh({ attempts: 0 }).retry_policy, undefined);
});

test('every route carries a path specifier and VirtualService provenance', () => {
  for (const r of routes(BASE_MESH + VS, { track: 'canary' })) {
    assert.ok('prefix' in r.match || 'path' in r.match || 'safe_regex' in r.match);
    assert.equal(r.metadata.filter_metadata.istio.config, '/apis/networking.istio.io/v1/namespaces/app/virtual-service/echo');
  }
});
