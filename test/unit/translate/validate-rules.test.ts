/**
 * The protoc-gen-validate checker (test/helpers/validate-rules.ts) can fail: for each rule
 * family a real Envoy message that breaks it is reported (with path, rule and value) and the
 * minimally corrected message is not. Rule families Envoy's loaded protos do not use are shown
 * on a small hand-written proto carrying the same annotations.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import protobuf from 'protobufjs';
import { checkMessageRules, checkValidateRules } from '../../helpers/validate-rules.js';
import { checkString } from '../../helpers/validate-rules-scalars.js';

type Json = Record<string, unknown>;
const at = (t: string) => `type.googleapis.com/${t}`;
const CLUSTER = at('envoy.config.cluster.v3.Cluster');
const ROUTES = at('envoy.config.route.v3.RouteConfiguration');
const LISTENER = at('envoy.config.listener.v3.Listener');
const HCM = at('envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager');

const cluster = (extra: Json = {}): Json => ({ '@type': CLUSTER, name: 'outbound|80||a.ns.svc.cluster.local', type: 'EDS', connect_timeout: { seconds: 10, nanos: 0 }, eds_cluster_config: { eds_config: { ads: {}, resource_api_version: 'V3' } }, ...extra });
const vhost = (extra: Json = {}): Json => ({ name: 'a:80', domains: ['a', 'a:80'], routes: [{ match: { prefix: '/' }, route: { cluster: 'c' } }], ...extra });
const routes = (vh: Json = vhost()): Json => ({ '@type': ROUTES, name: '80', virtual_hosts: [vh] });
const hcm = (extra: Json = {}): Json => ({ '@type': HCM, stat_prefix: 'outbound_0.0.0.0_80', rds: { route_config_name: '80', config_source: { ads: {}, resource_api_version: 'V3' } }, http_filters: [{ name: 'envoy.filters.http.router', typed_config: { '@type': at('envoy.extensions.filters.http.router.v3.Router') } }], ...extra });
const endpointAt = (port: number, socket: Json = {}): Json => cluster({ type: 'STATIC', eds_cluster_config: undefined, load_assignment: { cluster_name: 'c', endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: '10.0.0.1', port_value: port, ...socket } } } }] }] } });

interface Case { family: string; bad: Json; good: Json; expect: RegExp }

const CASES: Case[] = [
  { family: 'string.min_len', bad: cluster({ name: '' }), good: cluster(), expect: /^name: string\.min_len = 1 violated by ""$/ },
  { family: 'string.max_bytes', bad: routes(vhost({ request_headers_to_add: [{ header: { key: 'x'.repeat(16385), value: 'v' } }] })), good: routes(vhost({ request_headers_to_add: [{ header: { key: 'x-a', value: 'v' } }] })), expect: /^virtual_hosts\[0\]\.request_headers_to_add\[0\]\.header\.key: string\.max_bytes = 16384/ },
  { family: 'string.well_known_regex HTTP_HEADER_NAME strict', bad: cluster({ upstream_http_protocol_options: { override_auto_sni_header: 'bad name' } }), good: cluster({ upstream_http_protocol_options: { override_auto_sni_header: 'x-sni' } }), expect: /override_auto_sni_header: string\.well_known_regex = "HTTP_HEADER_NAME" violated by "bad name"/ },
  { family: 'string.well_known_regex HTTP_HEADER_NAME loose', bad: routes(vhost({ request_headers_to_add: [{ header: { key: 'x\nb', value: 'v' } }] })), good: routes(vhost({ request_headers_to_add: [{ header: { key: 'x b', value: 'v' } }] })), expect: /header\.key: string\.well_known_regex/ },
  { family: 'string.in', bad: hcm({ scheme_header_transformation: { scheme_to_overwrite: 'ftp' } }), good: hcm({ scheme_header_transformation: { scheme_to_overwrite: 'https' } }), expect: /scheme_to_overwrite: string\.in = \["http","https"\] violated by "ftp"/ },
  { family: 'string.pattern', bad: routes(vhost({ routes: [{ match: { path_separated_prefix: '/api/' }, route: { cluster: 'c' } }] })), good: routes(vhost({ routes: [{ match: { path_separated_prefix: '/api' }, route: { cluster: 'c' } }] })), expect: /routes\[0\]\.match\.path_separated_prefix: string\.pattern/ },
  { family: 'uint32.lte', bad: endpointAt(70000), good: endpointAt(8080), expect: /^load_assignment\.endpoints\[0\]\.lb_endpoints\[0\]\.endpoint\.address\.socket_address\.port_value: uint32\.lte = 65535 violated by 70000$/ },
  { family: 'uint32.gte/lt', bad: routes(vhost({ routes: [{ match: { prefix: '/' }, direct_response: { status: 600 } }] })), good: routes(vhost({ routes: [{ match: { prefix: '/' }, direct_response: { status: 503 } }] })), expect: /direct_response\.status: uint32\.lt = 600 violated by 600/ },
  { family: 'uint64.lte (wrapper)', bad: cluster({ ring_hash_lb_config: { maximum_ring_size: { value: '8388609' } } }), good: cluster({ ring_hash_lb_config: { maximum_ring_size: { value: '1024' } } }), expect: /ring_hash_lb_config\.maximum_ring_size\.value: uint64\.lte = 8388608/ },
  { family: 'double.gte (wrapper)', bad: cluster({ preconnect_policy: { per_upstream_preconnect_ratio: { value: 0.5 } } }), good: cluster({ preconnect_policy: { per_upstream_preconnect_ratio: { value: 1.5 } } }), expect: /per_upstream_preconnect_ratio\.value: double\.gte = 1/ },
  { family: 'enum.defined_only', bad: endpointAt(80, { protocol: 7 }), good: endpointAt(80, { protocol: 'TCP' }), expect: /socket_address\.protocol: enum\.defined_only = true violated by 7/ },
  { family: 'enum.not_in', bad: cluster({ health_checks: [{ timeout: { seconds: 1 }, interval: { seconds: 1 }, unhealthy_threshold: { value: 1 }, healthy_threshold: { value: 1 }, http_health_check: { path: '/h', method: 'CONNECT' } }] }), good: cluster({ health_checks: [{ timeout: { seconds: 1 }, interval: { seconds: 1 }, unhealthy_threshold: { value: 1 }, healthy_threshold: { value: 1 }, http_health_check: { path: '/h', method: 'GET' } }] }), expect: /http_health_check\.method: enum\.not_in = 6 violated by 6/ },
  { family: 'repeated.min_items', bad: routes(vhost({ domains: [] })), good: routes(), expect: /^virtual_hosts\[0\]\.domains: repeated\.min_items = 1 violated by 0$/ },
  { family: 'repeated.items (HTTP_HEADER_VALUE)', bad: routes(vhost({ domains: ['a\r'] })), good: routes(vhost({ domains: ['a b'] })), expect: /^virtual_hosts\[0\]\.domains\[0\]: string\.well_known_regex/ },
  { family: 'repeated.items.string.min_len', bad: routes(vhost({ request_headers_to_remove: [''] })), good: routes(vhost({ request_headers_to_remove: ['x-a'] })), expect: /request_headers_to_remove\[0\]: string\.min_len = 1/ },
  { family: 'repeated.unique', bad: routes(vhost({ routes: [{ match: { prefix: '/' }, route: { cluster: 'c', internal_redirect_policy: { response_headers_to_copy: ['x-a', 'x-a'] } } }] })), good: routes(vhost({ routes: [{ match: { prefix: '/' }, route: { cluster: 'c', internal_redirect_policy: { response_headers_to_copy: ['x-a', 'x-b'] } } }] })), expect: /response_headers_to_copy: repeated\.unique/ },
  { family: 'repeated.max_items', bad: routes(vhost({ request_headers_to_add: Array.from({ length: 1001 }, (_, i) => ({ header: { key: `x-${i}`, value: 'v' } })) })), good: routes(vhost({ request_headers_to_add: [{ header: { key: 'x-a', value: 'v' } }] })), expect: /request_headers_to_add: repeated\.max_items = 1000 violated by 1001/ },
  { family: 'map.keys', bad: cluster({ metadata: { filter_metadata: { '': { a: 1 } } } }), good: cluster({ metadata: { filter_metadata: { istio: { config: '/apis/x' } } } }), expect: /^metadata\.filter_metadata\[""\] \(key\): string\.min_len = 1/ },
  { family: 'message.required', bad: routes(vhost({ request_headers_to_add: [{ append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' }] })), good: routes(vhost({ request_headers_to_add: [{ header: { key: 'x-a', value: 'v' }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' }] })), expect: /request_headers_to_add\[0\]\.header: value is required/ },
  { family: 'duration.gt', bad: cluster({ connect_timeout: { seconds: 0, nanos: 0 } }), good: cluster(), expect: /^connect_timeout: duration\.gt = \{\} violated by/ },
  { family: 'duration.gte (negative)', bad: hcm({ request_headers_timeout: { seconds: -1, nanos: 0 } }), good: hcm({ request_headers_timeout: { seconds: 0, nanos: 0 } }), expect: /^request_headers_timeout: duration\.gte = \{\} violated by \{"seconds":-1,"nanos":0\}$/ },
  { family: 'duration.required', bad: cluster({ http2_protocol_options: { connection_keepalive: { interval: { seconds: 1 } } } }), good: cluster({ http2_protocol_options: { connection_keepalive: { interval: { seconds: 1 }, timeout: { seconds: 1 } } } }), expect: /connection_keepalive\.timeout: value is required/ },
  { family: 'envoy Duration range', bad: routes(vhost({ routes: [{ match: { prefix: '/' }, route: { cluster: 'c', timeout: { seconds: 0, nanos: -5 } } }] })), good: routes(vhost({ routes: [{ match: { prefix: '/' }, route: { cluster: 'c', timeout: { seconds: 0, nanos: 5 } } }] })), expect: /route\.timeout: envoy Duration\.non-negative/ },
  { family: 'any.required', bad: cluster({ typed_dns_resolver_config: { name: 'envoy.network.dns_resolver.cares' } }), good: cluster({ typed_dns_resolver_config: { name: 'x', typed_config: { '@type': at('google.protobuf.Struct') } } }), expect: /typed_dns_resolver_config\.typed_config: value is required/ },
  { family: 'oneof required', bad: routes(vhost({ routes: [{ match: { prefix: '/' } }] })), good: routes(), expect: /^virtual_hosts\[0\]\.routes\[0\]: oneof action is required/ },
  { family: 'bool.const', bad: { '@type': LISTENER, name: 'l', address: { socket_address: { address: '0.0.0.0', port_value: 80 } }, listener_filters: [{ name: 'f', filter_disabled: { any_match: false } }] }, good: { '@type': LISTENER, name: 'l', address: { socket_address: { address: '0.0.0.0', port_value: 80 } }, listener_filters: [{ name: 'f', filter_disabled: { any_match: true } }] }, expect: /filter_disabled\.any_match: bool\.const = true violated by false/ },
  { family: 'bytes.max_len', bad: routes(vhost({ request_headers_to_add: [{ header: { key: 'x-a', raw_value: Buffer.alloc(16385, 97).toString('base64') } }] })), good: routes(vhost({ request_headers_to_add: [{ header: { key: 'x-a', raw_value: Buffer.from('v').toString('base64') } }] })), expect: /header\.raw_value: bytes\.max_len = 16384/ },
];

for (const c of CASES) {
  test(`validate.rules ${c.family}: the violation is reported, the corrected message passes`, () => {
    const problems = checkValidateRules(c.bad);
    assert.ok(problems.some((p) => c.expect.test(p)), `expected ${c.expect} in ${JSON.stringify(problems)}`);
    assert.deepEqual(checkValidateRules(c.good), []);
  });
}

test('validate.rules: problems inside an Any name the full path through typed_config', () => {
  const listener = {
    '@type': LISTENER, name: '0.0.0.0_80', address: { socket_address: { address: '0.0.0.0', port_value: 80 } },
    filter_chains: [{ filters: [{ name: 'envoy.filters.network.http_connection_manager', typed_config: { ...hcm(), rds: undefined, route_config: routes(), stat_prefix: '' } }] }],
  };
  (listener.filter_chains[0]!.filters[0]!.typed_config.route_config as Json).virtual_hosts = [vhost(), vhost({ domains: [] })];
  assert.deepEqual(checkValidateRules(listener).sort(), [
    'filter_chains[0].filters[0].typed_config.route_config.virtual_hosts[1].domains: repeated.min_items = 1 violated by 0',
    'filter_chains[0].filters[0].typed_config.stat_prefix: string.min_len = 1 violated by ""',
  ]);
});

test('validate.rules: an Any of an unknown type and a body without @type are reported, not skipped', () => {
  assert.deepEqual(checkValidateRules({ name: 'x' }), ['(root): no @type']);
  const bad = cluster({ typed_dns_resolver_config: { name: 'x', typed_config: { '@type': at('no.such.Type') } } });
  assert.match(checkValidateRules(bad).join('\n'), /typed_dns_resolver_config\.typed_config: Any of unknown type/);
});

/** Families Envoy's loaded protos do not use, on a hand-written proto with the same options. */
const SYNTHETIC = protobuf.parse(`
syntax = "proto3";
package t;
message Disabled { option (validate.disabled) = true; string s = 1 [(validate.rules).string = {min_len: 1}]; }
message M {
  string p = 1 [(validate.rules).string = {prefix: "ab" suffix: "yz" contains: "m" not_in: "abmyz"}];
  int32 i = 2 [(validate.rules).int32 = {gt: 0 lt: 10 not_in: 5}];
  int64 e = 3 [(validate.rules).int64 = {lt: 0 gt: 100}];
  map<string, string> mp = 4 [(validate.rules).map = {min_pairs: 1 max_pairs: 2 values {string {min_len: 2}}}];
  Disabled d = 5;
  oneof choice { option (validate.required) = true; string a = 6; string b = 7 [(validate.rules).string = {hostname: true}]; }
  uint32 c = 8 [(validate.rules).uint32 = {in: [1, 2]}];
  bool f = 9 [(validate.rules).bool = {const: true}];
}`, { keepCase: true }).root;
const M = SYNTHETIC.lookupType('t.M');

test('validate.rules on a hand-written proto: prefix/suffix/contains/not_in, int ranges, maps, oneof, disabled', () => {
  const good = { p: 'abmxyz', i: 3, e: 101, mp: { k: 'vv' }, d: { s: '' }, b: 'svc.ns.example', c: 2, f: true };
  assert.deepEqual(checkMessageRules(M, good), []);
  const bad = { p: 'abmyz', i: 5, e: 50, mp: { k: 'v', l: 'vv', m: 'vv' }, b: 'not a host', c: 3 };
  assert.deepEqual(checkMessageRules(M, bad).sort(), [
    'b: string.hostname = true violated by "not a host"',
    'c: uint32.in = [1,2] violated by 3',
    'e: int64.gt|lt = ["100","0"] violated by 50',
    'f: bool.const = true violated by false',
    'i: int32.not_in = 5 violated by 5',
    'mp: map.max_pairs = 2 violated by 3',
    'mp["k"]: string.min_len = 2 violated by "v"',
    'p: string.not_in = "abmyz" violated by "abmyz"',
  ]);
  assert.deepEqual(checkMessageRules(M, { ...good, b: undefined, mp: {} }).sort(), [
    '(root): oneof choice is required (one of a, b)',
    'mp: map.min_pairs = 1 violated by 0',
  ]);
  assert.deepEqual(checkMessageRules(M, { ...good, p: 'xbmyz', i: 0 }).sort(), ['i: int32.gt = 0 violated by 0', 'p: string.prefix = "ab" violated by "xbmyz"']);
});

test('validate.rules string helpers: runes vs bytes, ignore_empty, strict header value', () => {
  assert.deepEqual(checkString({ max_len: 2 }, 'éé'), []);
  assert.equal(checkString({ max_bytes: 2 }, 'éé').length, 1);
  assert.deepEqual(checkString({ ignore_empty: true, well_known_regex: 'HTTP_HEADER_NAME' }, ''), []);
  assert.equal(checkString({ well_known_regex: 'HTTP_HEADER_VALUE' }, 'a\tb').length, 0);
  assert.equal(checkString({ well_known_regex: 'HTTP_HEADER_VALUE' }, 'a\u0001b').length, 1);
  assert.equal(checkString({ well_known_regex: 'HTTP_HEADER_NAME' }, ':authority').length, 0);
});

test('validate.rules: annotations Envoy has since removed are not enforced (c-ares resolvers may be empty)', () => {
  const cares = { name: 'envoy.network.dns_resolver.cares', typed_config: { '@type': at('envoy.extensions.network.dns_resolver.cares.v3.CaresDnsResolverConfig'), udp_max_queries: { value: 100 } } };
  assert.deepEqual(checkValidateRules(cluster({ type: 'STRICT_DNS', eds_cluster_config: undefined, typed_dns_resolver_config: cares })), []);
});
