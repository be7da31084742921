import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cluster, ECHO, ECHO_VH, MESH, rds } from './sidecar-rds-fixtures.js';

const vs = (http: string, extra = '') => `${MESH}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: echo, namespace: default}
spec:
  hosts: [echo]${extra}
  http:
${http}`;

test('matches: one route per match block, order kept, port/sourceLabels/sourceNamespace filtering, provenance', () => {
  const r = rds(vs(`
  - name: api
    match:
    - name: exact
      uri: {exact: /api}
      ignoreUriCase: true
      method: {exact: GET}
      headers: {x-b: {prefix: v}, x-a: {}}
      withoutHeaders: {x-c: {regex: "c.*"}, x-d: {}}
      queryParams: {q: {exact: "1"}}
    - uri: {regex: "/r/[0-9]+"}
      scheme: {exact: https}
      authority: {prefix: echo}
    - port: 9090
      uri: {prefix: /other-port}
    - sourceLabels: {app: y}
      uri: {prefix: /other-client}
    - sourceNamespace: elsewhere
      uri: {prefix: /other-ns}
    - sourceLabels: {app: x}
      sourceNamespace: default
      uri: {prefix: /mine}
    route: [{destination: {host: echo, subset: v1}}]
  - route: [{destination: {host: echo}}]
  - name: never
    route: [{destination: {host: echo}}]
`));
  const routes = r.routes(ECHO_VH);
  assert.deepEqual(routes.map((x) => x.name), ['api.exact', 'api', 'api', undefined]);
  assert.deepEqual(routes[0]!.match, {
    path: '/api',
    case_sensitive: { value: false },
    headers: [
      { name: 'x-a', present_match: true },
      { name: 'x-b', string_match: { prefix: 'v' } },
      { name: 'x-c', string_match: { safe_regex: { regex: 'c.*' } }, invert_match: true, treat_missing_header_as_empty: true },
      { name: 'x-d', present_match: true, invert_match: true },
      { name: ':method', string_match: { exact: 'GET' } },
    ],
    query_parameters: [{ name: 'q', string_match: { exact: '1' } }],
  });
  assert.deepEqual(routes[1]!.match.safe_regex, { regex: '/r/[0-9]+' });
  assert.deepEqual(routes[1]!.match.headers.map((h: any) => h.name), [':authority', ':scheme']);
  assert.deepEqual(routes[2]!.match.prefix, '/mine');
  assert.equal(routes[0]!.route.cluster, cluster('v1'));
  assert.deepEqual(routes[0]!.metadata, { filter_metadata: { istio: { config: '/apis/networking.istio.io/v1/namespaces/default/virtual-service/echo' } } });
  assert.deepEqual(r.vh(ECHO_VH).metadata, routes[0]!.metadata);
  assert.equal(routes[0]!.decorator.operation, `${ECHO}:80/api`);
  // On port 9090 the port-bound match applies.
  assert.equal(rds(vs('  - match: [{port: 9090}]\n    route: [{destination: {host: echo}}]'), { port: '9090' }).routes(`${ECHO}:9090`)[0]!.route.cluster, cluster('', ECHO, 9090));
});

test('weights, unknown destinations repaired to 503 or dropped from weights, with the field path', () => {
  const r = rds(vs(`
  - match: [{uri: {prefix: /w}}]
    route:
    - {destination: {host: echo, subset: v1}, weight: 70, headers: {request: {set: {x-v: "1"}}}}
    - {destination: {host: echo, subset: v3}, weight: 20}
    - {destination: {host: echo, subset: v2}, weight: 10}
  - match: [{uri: {prefix: /gone}}]
    route: [{destination: {host: nowhere.example.com}}]
  - route: [{destination: {host: echo, port: {number: 81}}}]
`));
  const [w, gone, last] = r.routes(ECHO_VH);
  assert.deepEqual(w!.route.weighted_clusters.clusters, [
    { name: cluster('v1'), weight: { value: 70 }, request_headers_to_add: [{ header: { key: 'x-v', value: '1' }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' }] },
    { name: cluster('v2'), weight: { value: 10 } },
  ]);
  assert.deepEqual(gone!.direct_response, { status: 503 });
  assert.equal(gone!.route, undefined);
  assert.deepEqual(last!.direct_response, { status: 503 });
  const paths = r.diagnostics.map((d) => d.path);
  assert.ok(paths.includes('spec.http[0].route[1].destination.subset'), paths.join());
  assert.ok(paths.includes('spec.http[1].route[0].destination.host'), paths.join());
  assert.ok(paths.includes('spec.http[2].route[0].destination.port'), paths.join());
});

test('redirect, directResponse, rewrite, timeout and header operations', () => {
  const r = rds(vs(`
  - match: [{uri: {prefix: /r1}}]
    redirect: {uri: /new, authority: a.example.com, derivePort: FROM_REQUEST_PORT, redirectCode: 302}
  - match: [{uri: {prefix: /r2}}]
    redirect: {scheme: https, port: 8443}
  - match: [{uri: {prefix: /d}}]
    directResponse: {status: 418, body: {string: teapot}}
  - match: [{uri: {prefix: /rw}}]
    rewrite: {uri: /v2/, authority: new.host}
    timeout: 2.5s
    headers:
      request: {set: {x-s: a}, add: {x-a: b}, remove: [x-r]}
      response: {add: {x-resp: c}, remove: [server]}
    route: [{destination: {host: echo}}]
  - match: [{uri: {prefix: /rx}}]
    rewrite: {uriRegexRewrite: {match: "^/rx/(.*)", rewrite: "/\\\\1"}}
    headers: {request: {set: {host: h.example}}}
    route: [{destination: {host: echo}}]
`));
  const [r1, r2, d, rw, rx] = r.routes(ECHO_VH);
  assert.deepEqual(r1!.redirect, { host_redirect: 'a.example.com', path_redirect: '/new', response_code: 'FOUND' });
  assert.deepEqual(r2!.redirect, { scheme_redirect: 'https', port_redirect: 8443, response_code: 'MOVED_PERMANENTLY' });
  assert.deepEqual(d!.direct_response, { status: 418, body: { inline_string: 'teapot' } });
  assert.equal(rw!.route.prefix_rewrite, '/v2/');
  assert.equal(rw!.route.host_rewrite_literal, 'new.host');
  assert.deepEqual(rw!.route.timeout, { seconds: 2, nanos: 500_000_000 });
  assert.deepEqual(rw!.route.max_grpc_timeout, { seconds: 2, nanos: 500_000_000 });
  assert.deepEqual(rw!.request_headers_to_add, [
    { header: { key: 'x-s', value: 'a' }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' },
    { header: { key: 'x-a', value: 'b' }, append_action: 'APPEND_IF_EXISTS_OR_ADD' },
  ]);
  assert.deepEqual(rw!.request_headers_to_remove, ['x-r']);
  assert.deepEqual(rw!.response_headers_to_add, [{ header: { key: 'x-resp', value: 'c' }, append_action: 'APPEND_IF_EXISTS_OR_ADD' }]);
  assert.deepEqual(rw!.response_headers_to_remove, ['server']);
  assert.deepEqual(rx!.route.regex_rewrite, { pattern: { regex: '^/rx/(.*)' }, substitution: '/\\1' });
  assert.equal(rx!.route.host_rewrite_literal, 'h.example');
  assert.equal(rx!.request_headers_to_add, undefined, 'host is never written as a header');
});

test('hash policy from the destination rule: header, cookie, source IP, query parameter (subset first)', () => {
  const dr = `
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: web, namespace: other}
spec:
  host: web.other.svc.cluster.local
  trafficPolicy:
    loadBalancer: {consistentHash: {httpCookie: {name: c, ttl: 10s, path: /p}}}
  subsets:
  - name: a
    labels: {v: a}
    trafficPolicy: {loadBalancer: {consistentHash: {useSourceIp: true}}}
  - name: b
    labels: {v: b}
    trafficPolicy: {loadBalancer: {consistentHash: {httpQueryParameterName: q}}}
`;
  const routeVs = `
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: web, namespace: other}
spec:
  hosts: [web]
  http:
  - match: [{uri: {prefix: /a}}]
    route: [{destination: {host: web, subset: a}}]
  - route: [{destination: {host: web, subset: b}, weight: 50}, {destination: {host: web}, weight: 50}]
`;
  const plain = rds(MESH + dr);
  const def = plain.routes('web.other.svc.cluster.local:80')[0]!;
  assert.deepEqual(def.route.hash_policy, [{ cookie: { name: 'c', ttl: { seconds: 10, nanos: 0 }, path: '/p' } }]);
  const r = rds(MESH + dr + routeVs);
  const [a, rest] = r.routes('web.other.svc.cluster.local:80');
  assert.deepEqual(a!.route.hash_policy, [{ connection_properties: { source_ip: true } }]);
  assert.equal(a!.route.retry_policy.retry_host_predicate, undefined, 'hashing routes stay on the same host');
  assert.deepEqual(rest!.route.hash_policy, [{ query_parameter: { name: 'q' } }, { cookie: { name: 'c', ttl: { seconds: 10, nanos: 0 }, path: '/p' } }]);
  const header = rds(MESH + dr.replace('httpCookie: {name: c, ttl: 10s, path: /p}', 'httpHeaderName: x-user'));
  assert.deepEqual(header.routes('web.other.svc.cluster.local:80')[0]!.route.hash_policy, [{ header: { header_name: 'x-user' } }]);
});
