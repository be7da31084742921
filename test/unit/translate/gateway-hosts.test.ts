/** Istio's gateway host and gateway-name rules (translate/gateway/hosts.ts, bindings.ts). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { anyMatchingHost, hostsForNamespace, hostsOverlap, hostSubsetOf, intersectHosts, sanitizeServerHosts } from '../../../src/translate/gateway/hosts.js';
import { l4MatchesServer, matchesGateway, resolveGatewayName } from '../../../src/translate/gateway/bindings.js';

test('server hosts: ./ becomes the gateway namespace, */ is dropped, */* collapses the list to *', () => {
  assert.deepEqual(sanitizeServerHosts(['./a.com', '*/b.com', 'ns/C.com', 'd.com'], 'gw-ns'), ['gw-ns/a.com', 'b.com', 'ns/c.com', 'd.com']);
  assert.deepEqual(sanitizeServerHosts(['ns/a.com', '*/*', 'b.com'], 'gw-ns'), ['*']);
});

test('a VirtualService sees un-namespaced hosts and those of its own namespace', () => {
  assert.deepEqual(hostsForNamespace(['a.com', 'team/b.com', 'other/c.com'], 'team'), ['a.com', 'b.com']);
});

test('host subset and overlap follow Istio host.Name rules', () => {
  assert.ok(hostSubsetOf('a.foo.com', '*.foo.com'));
  assert.ok(hostSubsetOf('*.bar.foo.com', '*.foo.com'));
  assert.ok(hostSubsetOf('anything', '*'));
  assert.ok(!hostSubsetOf('*.foo.com', 'a.foo.com'));
  assert.ok(!hostSubsetOf('foo.com', '*.foo.com'));
  assert.ok(hostsOverlap('*.foo.com', 'a.foo.com') && hostsOverlap('a.foo.com', '*.foo.com'));
  assert.ok(hostsOverlap('*.foo.com', '*.bar.foo.com'));
  assert.ok(!hostsOverlap('a.foo.com', 'b.foo.com'));
});

test('intersection keeps the more specific host of each pair, once', () => {
  assert.deepEqual(intersectHosts(['*.foo.com'], ['a.foo.com', 'b.foo.com', 'x.org']), ['a.foo.com', 'b.foo.com']);
  assert.deepEqual(intersectHosts(['a.foo.com', 'b.foo.com'], ['*.foo.com']), ['a.foo.com', 'b.foo.com']);
  assert.deepEqual(intersectHosts(['*'], ['*', 'A.com']), ['*', 'a.com']);
  assert.deepEqual(intersectHosts(['a.com'], ['b.com']), []);
});

test('TCP/TLS servers: a VirtualService matches through namespaced server hosts only in that namespace', () => {
  assert.ok(anyMatchingHost(['team/*.foo.com'], 'team', ['db.foo.com']));
  assert.ok(!anyMatchingHost(['team/*.foo.com'], 'other', ['db.foo.com']));
  assert.ok(anyMatchingHost(['*'], 'other', ['x.org']));
});

test('gateway names in VirtualServices resolve relative to the VirtualService namespace', () => {
  assert.equal(resolveGatewayName('gw', 'app'), 'app/gw');
  assert.equal(resolveGatewayName('istio-system/gw', 'app'), 'istio-system/gw');
  assert.equal(resolveGatewayName('gw.istio-system.svc.cluster.local', 'app'), 'istio-system/gw');
  assert.equal(resolveGatewayName('mesh', 'app'), 'mesh');
  assert.ok(matchesGateway(undefined, 'istio-system/gw', 'app'));
  assert.ok(matchesGateway(['mesh', 'istio-system/gw'], 'istio-system/gw', 'app'));
  assert.ok(!matchesGateway(['mesh', 'gw'], 'istio-system/gw', 'app'));
  assert.ok(l4MatchesServer({ port: 443 }, 443, 'istio-system/gw', 'app'));
  assert.ok(!l4MatchesServer({ port: 8443 }, 443, 'istio-system/gw', 'app'));
  assert.ok(!l4MatchesServer({ gateways: ['other'] }, 443, 'istio-system/gw', 'app'));
});
