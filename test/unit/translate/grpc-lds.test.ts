import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseListenerName, splitHostPort } from '../../../src/translate/grpc/listener-names.js';
import { BASE_MESH, byName, gen, grpcProxy, snapshotFrom, T } from './grpc-fixtures.js';

const snap = snapshotFrom(BASE_MESH);

test('listener names: servers by both prefixes, clients by host:port, IPv6 in brackets', () => {
  assert.deepEqual(parseListenerName('grpc/server?xds.resource.listening_address=[::]:50051'), { kind: 'server', name: 'grpc/server?xds.resource.listening_address=[::]:50051', ip: '::', port: 50051 });
  assert.equal(parseListenerName('xds.istio.io/grpc/lds/inbound/10.0.0.1:80').kind, 'server');
  assert.equal(parseListenerName('xds.istio.io/grpc/lds/inbound/host:80').kind, 'invalid');
  assert.deepEqual(parseListenerName('echo:7070'), { kind: 'client', name: 'echo:7070', host: 'echo', port: 7070 });
  assert.equal(parseListenerName('echo:99999').kind, 'invalid');
  assert.deepEqual(splitHostPort('echo'), { host: 'echo' });
});

test('client listener: api_listener with RDS over ADS named outbound|port||fqdn, fault then router', () => {
  const out = gen(snap, grpcProxy(), T.Listener, ['echo.app:7071']);
  const hcm = byName(out, 'echo.app:7071').api_listener.api_listener;
  assert.equal(hcm.rds.route_config_name, 'outbound|7071||echo.app.svc.cluster.local');
  assert.deepEqual(hcm.rds.config_source.ads, {});
  assert.deepEqual(hcm.http_filters.map((f: { name: string }) => f.name), ['envoy.filters.http.fault', 'envoy.filters.http.router']);
});

test('short names resolve from the proxy namespace only; unknown names and ports are absent', () => {
  const names = ['echo:7070', 'echo.app.svc:7070', 'echo:1', 'other:9090', 'other.other:9090', 'nope:80'];
  const fromApp = gen(snap, grpcProxy({ namespace: 'app' }), T.Listener, names).resources.map((r) => r.name);
  assert.deepEqual(fromApp, ['echo.app.svc:7070', 'echo:7070', 'other.other:9090']);
  const fromOther = gen(snap, grpcProxy({ namespace: 'other' }), T.Listener, names).resources.map((r) => r.name);
  assert.deepEqual(fromOther, ['echo.app.svc:7070', 'other.other:9090', 'other:9090']);
});

test('wildcard LDS: one listener per visible service port, named by FQDN, no server listeners', () => {
  const out = gen(snap, grpcProxy(), T.Listener, undefined);
  assert.deepEqual(out.resources.map((r) => r.name), ['echo.app.svc.cluster.local:7070', 'echo.app.svc.cluster.local:7071', 'other.other.svc.cluster.local:9090']);
});

test('server listener: present only for an endpoint address, with an inline non-forwarding route and the router', () => {
  const proxy = grpcProxy({ ip: '10.0.0.2' });
  const names = ['grpc/server?xds.resource.listening_address=0.0.0.0:17071', 'grpc/server?xds.resource.listening_address=10.0.0.1:17070', 'grpc/server?xds.resource.listening_address=10.0.0.3:17070'];
  const out = gen(snap, proxy, T.Listener, names);
  assert.deepEqual(out.resources.map((r) => r.name), names.slice(0, 2));
  const listener = byName(out, names[0]!);
  assert.deepEqual(listener.address, { socket_address: { address: '0.0.0.0', port_value: 17071 } });
  const hcm = listener.filter_chains[0].filters[0].typed_config;
  assert.deepEqual(hcm.route_config.virtual_hosts[0].routes, [{ match: { prefix: '/' }, non_forwarding_action: {} }]);
  assert.deepEqual(hcm.http_filters.map((f: { name: string }) => f.name), ['envoy.filters.http.router']);
  // 0.0.0.0 is matched at the proxy's own IP: another proxy gets nothing.
  assert.equal(gen(snap, grpcProxy({ ip: '10.9.9.9' }), T.Listener, [names[0]!]).resources.length, 0);
});
