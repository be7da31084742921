import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KindName } from '../../../src/model/kinds.js';
import { renderIssue, type ValidationIssue } from '../../../src/lib/issue.js';
import { run, errorIssues as errors, warningIssues as warnings, expectError } from '../../helpers/semantic.js';


const route = (host = 'reviews', extra: Record<string, unknown> = {}): Record<string, unknown> => ({ destination: { host, ...extra } });
const vs = (http: unknown[], extra: Record<string, unknown> = {}): Record<string, unknown> => ({ hosts: ['reviews'], http, ...extra });

test('a realistic VirtualService has no issues', () => {
  const spec = {
    hosts: ['reviews', 'reviews.example.com'],
    gateways: ['mesh', 'istio-system/ingress', 'my-gw'],
    http: [
      {
        name: 'canary',
        match: [{ headers: { 'end-user': { exact: 'jason' } }, uri: { prefix: '' } }, { uri: { regex: '^/api/v[0-9]+/.*' } }],
        route: [{ destination: { host: 'reviews', subset: 'v2', port: { number: 9080 } }, weight: 25 }, { destination: { host: 'reviews', subset: 'v1' }, weight: 75 }],
        timeout: '1.5s',
        retries: { attempts: 3, perTryTimeout: '100ms', retryOn: 'gateway-error,connect-failure,503' },
        headers: { request: { set: { 'x-a': 'b', ':authority': 'foo' } }, response: { remove: ['x-y'] } },
        corsPolicy: { allowOrigins: [{ exact: 'https://example.com' }], allowMethods: ['GET'], allowHeaders: ['*'], maxAge: '24h' },
        fault: { delay: { fixedDelay: '5s', percentage: { value: 0.1 } } },
        mirror: { host: 'mirror' },
        mirrorPercentage: { value: 50 },
      },
      { route: [route()] },
    ],
    tcp: [{ match: [{ port: 27017, destinationSubnets: ['10.0.0.0/8'] }], route: [route('mongo')] }],
    tls: [{ match: [{ sniHosts: ['reviews.example.com'] }], route: [route('reviews')] }],
    exportTo: ['.', 'other'],
  };
  assert.deepEqual(run('VirtualService', spec).map(renderIssue), []);
});

test('weights are relative: uneven sums are fine, all-zero with several destinations is not', () => {
  assert.equal(errors(run('VirtualService', vs([{ route: [{ ...route(), weight: 3 }, { ...route('b'), weight: 4 }] }]))).length, 0);
  assert.equal(errors(run('VirtualService', vs([{ route: [route()] }]))).length, 0);
  expectError(run('VirtualService', vs([{ route: [route(), route('b')] }])), 'spec.http[0].route', 'total destination weight = 0');
  expectError(run('VirtualService', vs([{ route: [{ ...route(), weight: -1 }, { ...route('b'), weight: 5 }] }])), 'spec.http[0].route[0].weight', 'must not be negative');
});

const cases: [string, Record<string, unknown>, string, string][] = [
  ['no routes at all', { hosts: ['a'] }, 'spec', 'http, tcp or tls must be provided'],
  ['bad host label', vs([{ route: [route()] }], { hosts: ['foo_bar.com'] }), 'spec.hosts[0]', 'invalid'],
  ['wildcard inside a host', vs([{ route: [route()] }], { hosts: ['foo.*.com'] }), 'spec.hosts[0]', 'invalid'],
  ['* host for the mesh', vs([{ route: [route()] }], { hosts: ['*'] }), 'spec.hosts[0]', 'wildcard host * is not allowed'],
  ['duplicate hosts by wildcard', vs([{ route: [route()] }], { hosts: ['*.foo.com', 'a.foo.com'] }), 'spec.hosts[1]', 'duplicate hosts'],
  ['bad gateway namespace', vs([{ route: [route()] }], { gateways: ['Bad_NS/gw'] }), 'spec.gateways[0]', 'invalid value for namespace'],
  ['empty gateway name', vs([{ route: [route()] }], { gateways: ['ns/'] }), 'spec.gateways[0]', 'cannot be empty'],
  ['delegate VS with gateways', { gateways: ['gw'], http: [{ route: [route()] }] }, 'spec.gateways', 'delegate virtual service'],
  ['delegate VS with tcp', { http: [{ route: [route()] }], tcp: [{ route: [route()] }] }, 'spec.tcp', 'no tcp route'],
  ['route with nothing to do', vs([{ match: [{ uri: { exact: '/' } }] }]), 'spec.http[0].route', 'HTTP route, redirect or directResponse is required'],
  ['route and redirect', vs([{ redirect: { uri: '/x' }, route: [route()] }]), 'spec.http[0].route', 'both route and redirect'],
  ['rewrite with redirect', vs([{ redirect: { uri: '/x' }, rewrite: { uri: '/y' } }]), 'spec.http[0].rewrite', 'rewrite and redirect'],
  ['directResponse and route', vs([{ directResponse: { status: 200 }, route: [route()] }]), 'spec.http[0].route', 'route and directResponse'],
  ['fault with directResponse', vs([{ directResponse: { status: 200 }, fault: { abort: { httpStatus: 500 } } }]), 'spec.http[0].fault', 'fault and directResponse'],
  ['mirror with mirrors', vs([{ route: [route()], mirror: { host: 'm' }, mirrors: [{ destination: { host: 'n' } }] }]), 'spec.http[0].mirrors', 'both mirror and mirrors'],
  ['root route with route', vs([{ delegate: { name: 'd' }, route: [route()] }]), 'spec.http[0].route', 'must not specify route'],
  ['delegate inside delegate VS', { http: [{ delegate: { name: 'd' }, route: [route()] }] }, 'spec.http[0].delegate', 'cannot contain delegate'],
  ['bad regex', vs([{ match: [{ uri: { regex: '(unclosed' } }], route: [route()] }]), 'spec.http[0].match[0].uri.regex', 'missing closing )'],
  ['perl lookahead is not RE2', vs([{ match: [{ headers: { foo: { regex: 'a(?=b)' } } }], route: [route()] }]), 'spec.http[0].match[0].headers.foo.regex', 'RE2'],
  ['regex too long', vs([{ match: [{ authority: { regex: 'a'.repeat(1025) } }], route: [route()] }]), 'spec.http[0].match[0].authority.regex', 'regex is too large'],
  ['empty regex', vs([{ match: [{ queryParams: { q: { regex: '' } } }], route: [route()] }]), 'spec.http[0].match[0].queryParams.q.regex', 'should not be empty'],
  ['empty prefix on method', vs([{ match: [{ method: { prefix: '' } }], route: [route()] }]), 'spec.http[0].match[0].method.prefix', 'should not be empty'],
  ['bad header name', vs([{ match: [{ headers: { 'x y': { exact: 'a' } } }], route: [route()] }]), 'spec.http[0].match[0].headers', 'not a valid header name'],
  ['bad withoutHeaders regex', vs([{ match: [{ withoutHeaders: { x: { regex: '[' } } }], route: [route()] }]), 'spec.http[0].match[0].withoutHeaders.x.regex', 'RE2'],
  ['jwt claim routing on mesh', vs([{ match: [{ headers: { '@request.auth.claims.group': { exact: 'a' } } }], route: [route()] }]), 'spec.http[0].match[0].headers', 'only supported for gateways'],
  ['match port out of range', vs([{ match: [{ port: 70000 }], route: [route()] }]), 'spec.http[0].match[0].port', '1..65535'],
  ['bad source label', vs([{ match: [{ sourceLabels: { 'bad key!': 'v' } }], route: [route()] }]), 'spec.http[0].match[0].sourceLabels', 'invalid tag key'],
  ['bad sourceNamespace', vs([{ match: [{ sourceNamespace: 'Not_A_NS' }], route: [route()] }]), 'spec.http[0].match[0].sourceNamespace', 'not a valid namespace'],
  ['destination host *', vs([{ route: [route('*')] }]), 'spec.http[0].route[0].destination.host', 'invalid destination host'],
  ['bad subset name', vs([{ route: [route('r', { subset: 'v1.0' })] }]), 'spec.http[0].route[0].destination.subset', 'subset name is invalid'],
  ['bad destination port', vs([{ route: [route('r', { port: { number: 0 } })] }]), 'spec.http[0].route[0].destination.port.number', '1..65535'],
  ['negative retry attempts', vs([{ route: [route()], retries: { attempts: -1 } }]), 'spec.http[0].retries.attempts', 'cannot be negative'],
  ['retry policy with zero attempts', vs([{ route: [route()], retries: { retryOn: '5xx' } }]), 'spec.http[0].retries.attempts', 'attempts are set to 0'],
  ['bad retryOn', vs([{ route: [route()], retries: { attempts: 2, retryOn: '5xx,bogus' } }]), 'spec.http[0].retries.retryOn', '"bogus"'],
  ['perTryTimeout below 1ms', vs([{ route: [route()], retries: { attempts: 2, perTryTimeout: '500us' } }]), 'spec.http[0].retries.perTryTimeout', 'greater than 1ms'],
  ['timeout not a duration', vs([{ route: [route()], timeout: '5 seconds' }]), 'spec.http[0].timeout', 'not a duration'],
  ['timeout sub-ms precision', vs([{ route: [route()], timeout: '1.0005s' }]), 'spec.http[0].timeout', 'ms precision'],
  ['fault without abort or delay', vs([{ route: [route()], fault: {} }]), 'spec.http[0].fault', 'abort and/or a delay'],
  ['abort http status out of range', vs([{ route: [route()], fault: { abort: { httpStatus: 700 } } }]), 'spec.http[0].fault.abort.httpStatus', 'not in range 200-599'],
  ['abort grpc status unknown', vs([{ route: [route()], fault: { abort: { grpcStatus: 'NOPE' } } }]), 'spec.http[0].fault.abort.grpcStatus', 'not supported'],
  ['abort http2Error', vs([{ route: [route()], fault: { abort: { http2Error: 'x' } } }]), 'spec.http[0].fault.abort.http2Error', 'not supported yet'],
  ['delay percentage above 100', vs([{ route: [route()], fault: { delay: { fixedDelay: '1s', percentage: { value: 101 } } } }]), 'spec.http[0].fault.delay.percentage.value', 'neither 0.0, nor in range'],
  ['mirrorPercentage above 100', vs([{ route: [route()], mirror: { host: 'm' }, mirrorPercentage: { value: 120 } }]), 'spec.http[0].mirrorPercentage.value', 'max value of 100'],
  ['mirrors without destination', vs([{ route: [route()], mirrors: [{}] }]), 'spec.http[0].mirrors[0].destination', 'destination is required'],
  ['redirect with nothing', vs([{ redirect: {} }]), 'spec.http[0].redirect', 'must specify URI, authority, scheme, or port'],
  ['redirect code not 3xx', vs([{ redirect: { uri: '/a', redirectCode: 200 } }]), 'spec.http[0].redirect.redirectCode', 'must be 3xx'],
  ['redirect scheme', vs([{ redirect: { scheme: 'ftp' } }]), 'spec.http[0].redirect.scheme', 'must be "http" or "https"'],
  ['redirect port and derivePort', vs([{ redirect: { port: 8080, derivePort: 'FROM_REQUEST_PORT' } }]), 'spec.http[0].redirect.derivePort', 'only one of port or derivePort'],
  ['directResponse status', vs([{ directResponse: { status: 150 } }]), 'spec.http[0].directResponse.status', 'not in range 200-599'],
  ['directResponse body > 1MB', vs([{ directResponse: { status: 200, body: { string: 'x'.repeat(1024 * 1024 + 1) } } }]), 'spec.http[0].directResponse.body', 'less than 1MB'],
  ['rewrite uri with uriRegexRewrite', vs([{ route: [route()], rewrite: { uri: '/a', uriRegexRewrite: { match: 'a', rewrite: 'b' } } }]), 'spec.http[0].rewrite.uriRegexRewrite', 'only contain one of uri or uriRegexRewrite'],
  ['empty rewrite', vs([{ route: [route()], rewrite: {} }]), 'spec.http[0].rewrite', 'at least one of uri'],
  ['uriRegexRewrite bad regex', vs([{ route: [route()], rewrite: { uriRegexRewrite: { match: '(', rewrite: '/' } } }]), 'spec.http[0].rewrite.uriRegexRewrite.match', 'RE2'],
  ['authority rewritten twice', vs([{ route: [route()], rewrite: { authority: 'a' }, headers: { request: { set: { host: 'b' } } } }]), 'spec.http[0].headers.request.set.host', 'authority header cannot be set multiple times'],
  ['set a pseudo header', vs([{ route: [route()], headers: { request: { set: { ':path': '/x' } } } }]), 'spec.http[0].headers.request.set', 'cannot have ":" prefix'],
  ['remove Host on response', vs([{ route: [route()], headers: { response: { remove: ['Host'] } } }]), 'spec.http[0].headers.response.remove[0]', 'cannot set Host header'],
  ['bad header value', vs([{ route: [route()], headers: { request: { add: { x: 'abc%123' } } } }]), 'spec.http[0].headers.request.add.x', 'unterminated'],
  ['destination header op', vs([{ route: [{ ...route(), headers: { response: { set: { ':status': '1' } } } }] }]), 'spec.http[0].route[0].headers.response.set', 'cannot have ":" prefix'],
  ['cors origin empty', vs([{ route: [route()], corsPolicy: { allowOrigins: [{ exact: '' }] } }]), 'spec.http[0].corsPolicy.allowOrigins[0]', 'not a valid match type'],
  ['cors method', vs([{ route: [route()], corsPolicy: { allowMethods: ['FETCH'] } }]), 'spec.http[0].corsPolicy.allowMethods[0]', 'not a supported HTTP method'],
  ['cors maxAge sub-second', vs([{ route: [route()], corsPolicy: { maxAge: '1500ms' } }]), 'spec.http[0].corsPolicy.maxAge', 'seconds precision'],
  ['tls route without match', vs([], { http: undefined, tls: [{ route: [route()] }] }), 'spec.tls[0].match', 'at least one match condition'],
  ['tls match without sni', vs([], { http: undefined, tls: [{ match: [{}], route: [route()] }] }), 'spec.tls[0].match[0].sniHosts', 'at least one SNI host'],
  ['sni not among hosts', vs([], { http: undefined, tls: [{ match: [{ sniHosts: ['other.com'] }], route: [route()] }] }), 'spec.tls[0].match[0].sniHosts[0]', 'not a compatible subset'],
  ['tls route without route', vs([], { http: undefined, tls: [{ match: [{ sniHosts: ['reviews'] }] }] }), 'spec.tls[0].route', 'TLS route is required'],
  ['tcp route without route', vs([], { http: undefined, tcp: [{ match: [{ port: 1 }] }] }), 'spec.tcp[0].route', 'TCP route is required'],
  ['tcp bad subnet', vs([], { http: undefined, tcp: [{ match: [{ destinationSubnets: ['10.0.0.0/33'] }], route: [route()] }] }), 'spec.tcp[0].match[0].destinationSubnets[0]', 'not a valid CIDR'],
  ['tcp destination missing', vs([], { http: undefined, tcp: [{ route: [{ weight: 1 }] }] }), 'spec.tcp[0].route[0].destination', 'destination is required'],
  ['exportTo * with others', vs([{ route: [route()] }], { exportTo: ['*', 'ns'] }), 'spec.exportTo', 'cannot have both public (*)'],
  ['exportTo . and own namespace', vs([{ route: [route()] }], { exportTo: ['.', 'default'] }), 'spec.exportTo[1]', 'duplicate entries'],
  ['exportTo ~ not for VS', vs([{ route: [route()] }], { exportTo: ['~'] }), 'spec.exportTo[0]', 'not allowed'],
];

for (const [name, spec, path, fragment] of cases) {
  test(`VirtualService: ${name}`, () => expectError(run('VirtualService', spec), path, fragment));
}

test('gateway-bound VirtualService may use * and SNI outbound_ names; IP hosts are accepted', () => {
  const spec = { hosts: ['*'], gateways: ['istio-system/gw'], http: [{ route: [route()] }] };
  assert.deepEqual(errors(run('VirtualService', spec)).map(renderIssue), []);
  const ip = { hosts: ['10.0.0.1', 'foo.com'], http: [{ route: [route()] }] };
  assert.deepEqual(errors(run('VirtualService', ip)).map(renderIssue), []);
  const sni = { hosts: ['*.mesh'], gateways: ['gw'], tls: [{ match: [{ sniHosts: ['outbound_.80_._.e2e.foobar.mesh'] }], route: [route()] }] };
  assert.deepEqual(errors(run('VirtualService', sni)).map(renderIssue), []);
});

test('warnings: unreachable rules, deprecated mirrorPercent, legacy gateway names', () => {
  const spec = vs([
    { route: [route()] },
    { route: [route()], mirror: { host: 'm' }, mirrorPercent: 10 },
    { match: [{ uri: { exact: '/a' } }], route: [route()] },
    { match: [{ uri: { exact: '/a' }, name: 'other' }], route: [route()] },
  ], { gateways: ['gw.istio-system'] });
  const issues = run('VirtualService', spec);
  assert.deepEqual(errors(issues).map(renderIssue), []);
  const w = warnings(issues).map(renderIssue).join('\n');
  assert.match(w, /spec\.http\[1\].*only the last rule can have no matches/);
  assert.match(w, /spec\.http\[1\]\.mirrorPercent.*mirrorPercentage/);
  assert.match(w, /spec\.http\[3\]\.match\[0\].*duplicate\/overlapping/);
  assert.match(w, /spec\.gateways\[0\].*istio-system\/gw/);
});
