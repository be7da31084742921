import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkCIDR, checkFQDN, checkGatewayBoundDomain, checkHeaderValue, checkIPOrCIDR, checkLabelKey, checkLabelValue, checkMatchHeaderName,
  checkNamespaceScopedHost, checkPartialWildcard, checkRegex, checkWildcardDomain, hostSubsetOf, hostsMatch, isRetryOnPolicy,
  parseDuration, checkDuration, parseProtocol, validateExportTo, validateGatewayRef, validateStringMatch,
} from '../../../src/model/validation/rules/index.js';
import { checkLocalities } from '../../../src/model/validation/semantic/locality-lb.js';

test('durations: Go syntax parsed exactly', () => {
  assert.equal(parseDuration('5s'), 5_000_000_000n);
  assert.equal(parseDuration('1.5s'), 1_500_000_000n);
  assert.equal(parseDuration('100ms'), 100_000_000n);
  assert.equal(parseDuration('1h30m'), 5_400_000_000_000n);
  assert.equal(parseDuration('0'), 0n);
  assert.equal(parseDuration('.5s'), 500_000_000n);
  for (const bad of ['', '5', 's', '1.s.', '5 s', '1d', 'abc']) assert.equal(parseDuration(bad), undefined, bad);
  assert.deepEqual(checkDuration('p', '1ms'), []);
  assert.match(checkDuration('p', '0s')[0]?.detail ?? '', /greater than 1ms/);
  assert.match(checkDuration('p', '1.0001s')[0]?.detail ?? '', /ms precision/);
  assert.match(checkDuration('p', 5)[0]?.detail ?? '', /not a duration/);
});

test('regexes: RE2 syntax only, length-bounded', () => {
  assert.equal(checkRegex('^/api/v[0-9]+(/.*)?$'), undefined);
  assert.equal(checkRegex('(?i)foo|bar'), undefined);
  assert.match(checkRegex('a(?=b)') ?? '', /RE2/);
  assert.match(checkRegex('(a)\\1') ?? '', /RE2/);
  assert.match(checkRegex('x'.repeat(1025)) ?? '', /too large/);
  assert.equal(checkRegex('x'.repeat(1024)), undefined);
});

test('hosts: FQDNs, wildcards, namespace-scoped hosts', () => {
  assert.equal(checkFQDN('reviews.default.svc.cluster.local'), undefined);
  assert.equal(checkFQDN('istio.io.'), undefined);
  assert.match(checkFQDN('foo.123') ?? '', /all-numeric/);
  assert.match(checkFQDN('') ?? '', /empty/);
  assert.match(checkFQDN(`${'a'.repeat(64)}.com`) ?? '', /invalid/);
  assert.equal(checkWildcardDomain('*.example.com'), undefined);
  assert.equal(checkWildcardDomain('*'), undefined);
  assert.equal(checkWildcardDomain('*-foo.example.com'), undefined);
  assert.match(checkWildcardDomain('foo.*.com') ?? '', /invalid/);
  assert.equal(checkGatewayBoundDomain('outbound_.80_._.e2e.foobar.mesh', true), undefined);
  assert.match(checkPartialWildcard('foo*.com') ?? '', /partial wildcard/);
  assert.deepEqual(checkNamespaceScopedHost('./*.example.com', false), []);
  assert.deepEqual(checkNamespaceScopedHost('~/*', false), []);
  assert.deepEqual(checkNamespaceScopedHost('10.0.0.1', true), []);
  assert.ok(checkNamespaceScopedHost('10.0.0.1', false).length > 0);
  assert.ok(checkNamespaceScopedHost('ns/host', true).some((e) => e.includes('short names')));
});

test('host matching follows Istio host.Name semantics', () => {
  assert.ok(hostsMatch('*.foo.com', 'a.foo.com'));
  assert.ok(hostsMatch('*.com', '*.foo.com'));
  assert.ok(!hostsMatch('a.com', 'b.com'));
  assert.ok(hostSubsetOf('a.foo.com', '*.foo.com'));
  assert.ok(hostSubsetOf('*.a.foo.com', '*.foo.com'));
  assert.ok(!hostSubsetOf('*.foo.com', 'a.foo.com'));
});

test('IPs and CIDRs', () => {
  assert.equal(checkIPOrCIDR('10.0.0.1'), undefined);
  assert.equal(checkIPOrCIDR('2001:db8::/32'), undefined);
  assert.equal(checkIPOrCIDR('001:db8::'), undefined);
  assert.match(checkCIDR('1.2.3.4/33') ?? '', /CIDR/);
  assert.match(checkCIDR('1.2.3.4/08') ?? '', /CIDR/);
  assert.match(checkIPOrCIDR('1.2.3') ?? '', /not a valid IP/);
  assert.match(checkIPOrCIDR('1.2.3.4/8/8') ?? '', /not a valid IP/);
});

test('labels, header names and values, protocols, retryOn', () => {
  assert.equal(checkLabelKey('app.kubernetes.io/name'), undefined);
  assert.match(checkLabelKey('-bad') ?? '', /invalid tag key/);
  assert.match(checkLabelKey(`a/${'n'.repeat(64)}`) ?? '', /too long/);
  assert.equal(checkLabelValue(''), undefined);
  assert.match(checkLabelValue('bad value') ?? '', /invalid tag value/);
  assert.equal(checkMatchHeaderName('@request.auth.claims[groups]'), undefined);
  assert.match(checkMatchHeaderName('x:y') ?? '', /not a valid header name/);
  assert.equal(checkHeaderValue('prefix %HOSTNAME% 100%%'), undefined);
  assert.equal(checkHeaderValue('%REQ(x-a)%'), undefined);
  assert.match(checkHeaderValue('%START_TIME%%') ?? '', /unterminated/);
  assert.match(checkHeaderValue('a\nb') ?? '', /invalid/);
  assert.equal(parseProtocol('grpc-web'), 'GRPC-Web');
  assert.equal(parseProtocol('QUIC'), undefined);
  assert.ok(isRetryOnPolicy('503') && isRetryOnPolicy('retriable-4xx') && !isRetryOnPolicy('999') && !isRetryOnPolicy('nope'));
});

test('exportTo, gateway references, string matches, localities', () => {
  assert.deepEqual(validateExportTo('e', ['.', 'ns1'], { namespace: 'default' }), []);
  assert.match(validateExportTo('e', ['*', '.'], { namespace: 'default' })[0]?.detail ?? '', /public/);
  assert.match(validateExportTo('e', ['bad_ns'], { namespace: 'default' })[0]?.detail ?? '', /DNS 1123/);
  assert.deepEqual(validateExportTo('e', ['~'], { namespace: 'default', isServiceEntry: true }), []);
  assert.deepEqual(validateGatewayRef('g', 'mesh'), []);
  assert.deepEqual(validateGatewayRef('g', 'istio-system/gw'), []);
  assert.equal(validateGatewayRef('g', 'gw.istio-system')[0]?.severity, 'warning');
  assert.match(validateStringMatch('m', { exact: 'a', prefix: 'b' })[0]?.detail ?? '', /only one of/);
  assert.deepEqual(validateStringMatch('m', { prefix: '' }, { allowEmptyPrefix: true }), []);
  assert.equal(checkLocalities(['us/*', 'eu/z1']), undefined);
  assert.match(checkLocalities(['us', 'us/z1']) ?? '', /overlap/);
  assert.match(checkLocalities(['us//z']) ?? '', /empty/);
});
