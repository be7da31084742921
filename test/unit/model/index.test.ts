import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildDestinationRuleIndex, buildVirtualServiceIndex, hostMatches, mostSpecificHost, resolveShortName } from '../../../src/model/index/index.js';
import { obj } from './fixtures.js';

test('host helpers', () => {
  assert.equal(resolveShortName('reviews', 'bookinfo', 'cluster.local'), 'reviews.bookinfo.svc.cluster.local');
  assert.equal(resolveShortName('a.b', 'ns', 'cluster.local'), 'a.b');
  assert.equal(resolveShortName('*', 'ns', 'cluster.local'), '*');
  assert.ok(hostMatches('*.example.com', 'a.b.example.com'));
  assert.ok(!hostMatches('*.example.com', 'example.com'));
  assert.equal(mostSpecificHost('a.b.c', ['*', '*.c', '*.b.c']), '*.b.c');
  assert.equal(mostSpecificHost('a.b.c', ['*.b.c', 'a.b.c']), 'a.b.c');
});

test('VirtualService visibility uses exportTo with the configured default', () => {
  const vss = [
    obj('VirtualService', 'a', 'pub', { hosts: ['x'] }),
    obj('VirtualService', 'a', 'priv', { hosts: ['y'], exportTo: ['.'] }),
    obj('VirtualService', 'c', 'tob', { hosts: ['z.example.com'], exportTo: ['b'] }),
  ];
  const idx = buildVirtualServiceIndex(vss, { domain: 'cluster.local', defaultExportTo: ['*'] });
  assert.deepEqual(idx.visibleTo('a').map((v) => v.config.metadata.name), ['pub', 'priv']);
  assert.deepEqual(idx.visibleTo('b').map((v) => v.config.metadata.name), ['pub', 'tob']);
  assert.deepEqual(idx.forHost('b', 'x.a.svc.cluster.local').map((v) => v.config.metadata.name), ['pub']);
  const privateByDefault = buildVirtualServiceIndex(vss, { domain: 'cluster.local', defaultExportTo: ['.'] });
  assert.deepEqual(privateByDefault.visibleTo('b').map((v) => v.config.metadata.name), ['tob']);
});

test('DestinationRule lookup order: proxy namespace, service namespace, root namespace', () => {
  const drs = [
    obj('DestinationRule', 'istio-system', 'root', { host: '*.local', trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } }),
    obj('DestinationRule', 'svc', 'svc-rule', { host: 'web', subsets: [{ name: 'v1' }] }),
    obj('DestinationRule', 'client', 'client-rule', { host: 'web.svc.svc.cluster.local', exportTo: ['.'], subsets: [{ name: 'c' }] }),
    obj('DestinationRule', 'svc', 'selected', { host: 'web', workloadSelector: { matchLabels: { a: 'b' } } }),
  ];
  const idx = buildDestinationRuleIndex(drs, { domain: 'cluster.local', rootNamespace: 'istio-system', defaultExportTo: ['*'] });
  const host = 'web.svc.svc.cluster.local';
  assert.equal(idx.destinationRuleFor('client', host, 'svc')?.from[0]?.name, 'client-rule');
  assert.equal(idx.destinationRuleFor('other', host, 'svc')?.from[0]?.name, 'svc-rule');
  assert.equal(idx.destinationRuleFor('other', 'x.y.svc.cluster.local', 'y')?.from[0]?.name, 'root');
  assert.equal(idx.destinationRuleFor('istio-system', host, 'svc')?.from[0]?.name, 'svc-rule');
  assert.equal(idx.destinationRuleFor('other', 'api.example.com'), undefined);
  assert.deepEqual(idx.withWorkloadSelector.map((c) => c.metadata.name), ['selected']);
});

test('DestinationRules for one host merge: subsets appended, first trafficPolicy wins', () => {
  const drs = [
    obj('DestinationRule', 'ns', 'first', { host: 'web', subsets: [{ name: 'v1' }] }),
    obj('DestinationRule', 'ns', 'second', { host: 'web', trafficPolicy: { tls: { mode: 'DISABLE' } }, subsets: [{ name: 'v1', labels: { x: 'y' } }, { name: 'v2' }] }),
    obj('DestinationRule', 'ns', 'third', { host: 'web', trafficPolicy: { tls: { mode: 'SIMPLE' } } }),
  ];
  const idx = buildDestinationRuleIndex(drs, { domain: 'cluster.local', rootNamespace: 'istio-system', defaultExportTo: ['*'] });
  const merged = idx.destinationRuleFor('ns', 'web.ns.svc.cluster.local');
  assert.deepEqual(merged?.spec.subsets, [{ name: 'v1' }, { name: 'v2' }]);
  assert.deepEqual(merged?.spec.trafficPolicy, { tls: { mode: 'DISABLE' } });
  assert.deepEqual(idx.diagnostics.map((d) => `${d.ref.name} ${d.path}`), ['second spec.subsets[0]', 'third spec.trafficPolicy']);
});
