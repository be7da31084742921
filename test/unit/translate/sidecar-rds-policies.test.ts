import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cluster, ECHO_VH, MESH, rds } from './sidecar-rds-fixtures.js';

const vs = (http: string) => `${MESH}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: echo, namespace: default}
spec:
  hosts: [echo]
  http:
${http}`;

test('retries: attempts, retryOn split into codes, perTryTimeout, remote localities, attempts 0 disables', () => {
  const r = rds(vs(`
  - match: [{uri: {prefix: /a}}]
    retries: {attempts: 3, perTryTimeout: 1s, retryOn: "gateway-error,503,504", retryRemoteLocalities: true}
    route: [{destination: {host: echo}}]
  - match: [{uri: {prefix: /b}}]
    retries: {attempts: 0}
    route: [{destination: {host: echo}}]
  - route: [{destination: {host: echo}}]
`));
  const [a, b, c] = r.routes(ECHO_VH);
  const retry = a!.route.retry_policy;
  assert.equal(retry.retry_on, 'gateway-error,retriable-status-codes');
  assert.deepEqual(retry.retriable_status_codes, [503, 504]);
  assert.deepEqual(retry.num_retries, { value: 3 });
  assert.deepEqual(retry.per_try_timeout, { seconds: 1, nanos: 0 });
  assert.equal(retry.retry_priority.name, 'envoy.retry_priorities.previous_priorities');
  assert.equal(retry.host_selection_retry_max_attempts, 5);
  assert.equal(b!.route.retry_policy, undefined);
  assert.deepEqual(c!.route.retry_policy.num_retries, { value: 2 });
});

test('fault, CORS, mirrors: per-route typed config and mirror policies', () => {
  const r = rds(vs(`
  - match: [{uri: {prefix: /f}}]
    fault:
      delay: {fixedDelay: 5s, percentage: {value: 10}}
      abort: {httpStatus: 500, percentage: {value: 0.5}}
    corsPolicy:
      allowOrigins: [{exact: "https://a.example"}, {regex: "https://.*\\\\.b\\\\.example"}]
      allowMethods: [GET, POST]
      allowHeaders: [x-h]
      exposeHeaders: [x-e]
      maxAge: 24h
      allowCredentials: true
    mirrors:
    - destination: {host: echo, subset: v2}
      percentage: {value: 25}
    - destination: {host: web.other.svc.cluster.local}
    - destination: {host: missing}
      percentage: {value: 5}
    route: [{destination: {host: echo, subset: v1}}]
  - mirror: {host: echo}
    mirrorPercentage: {value: 0}
    route: [{destination: {host: echo}}]
`));
  const route = r.routes(ECHO_VH)[0]!;
  assert.equal(r.routes(ECHO_VH)[1]!.route.request_mirror_policies, undefined, 'an explicit 0% mirrors nothing');
  const typed = route.typed_per_filter_config;
  assert.deepEqual(typed['envoy.filters.http.fault'], {
    '@type': 'type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault',
    delay: { fixed_delay: { seconds: 5, nanos: 0 }, percentage: { numerator: 100000, denominator: 'MILLION' } },
    abort: { http_status: 500, percentage: { numerator: 5000, denominator: 'MILLION' } },
  });
  assert.deepEqual(typed['envoy.filters.http.cors'], {
    '@type': 'type.googleapis.com/envoy.extensions.filters.http.cors.v3.CorsPolicy',
    allow_origin_string_match: [{ exact: 'https://a.example' }, { safe_regex: { regex: 'https://.*\\.b\\.example' } }],
    filter_enabled: { default_value: { numerator: 100, denominator: 'HUNDRED' } },
    forward_not_matching_preflights: { value: true },
    allow_methods: 'GET,POST',
    allow_headers: 'x-h',
    expose_headers: 'x-e',
    max_age: '86400',
    allow_credentials: { value: true },
  });
  assert.deepEqual(route.route.request_mirror_policies, [
    { cluster: cluster('v2'), runtime_fraction: { default_value: { numerator: 250000, denominator: 'MILLION' } }, trace_sampled: { value: false } },
    { cluster: cluster('', 'web.other.svc.cluster.local'), runtime_fraction: { default_value: { numerator: 100, denominator: 'HUNDRED' } }, trace_sampled: { value: false } },
  ]);
  assert.ok(r.diagnostics.some((d) => d.path === 'spec.http[0].mirrors[2].destination'), 'the unknown mirror is reported');
});

test('delegate: routes merged under the root match, missing delegate reported', () => {
  const r = rds(vs(`
  - name: root
    match: [{uri: {prefix: /api}, headers: {x-t: {exact: "1"}}}]
    timeout: 3s
    delegate: {name: echo-api}
  - match: [{uri: {prefix: /lost}}]
    delegate: {name: nope, namespace: default}
  - route: [{destination: {host: echo}}]
`) + `
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: echo-api, namespace: default}
spec:
  http:
  - name: v1
    match: [{uri: {prefix: /api/v1}}]
    route: [{destination: {host: echo, subset: v1}}]
  - name: conflict
    match: [{uri: {prefix: /other}}]
    route: [{destination: {host: echo}}]
  - route: [{destination: {host: echo, subset: v2}}]
`);
  const routes = r.routes(ECHO_VH);
  assert.deepEqual(routes.map((x) => x.name), ['root-v1', 'root', undefined]);
  assert.equal(routes[0]!.match.prefix, '/api/v1');
  assert.deepEqual(routes[0]!.match.headers, [{ name: 'x-t', string_match: { exact: '1' } }]);
  assert.deepEqual(routes[0]!.route.timeout, { seconds: 3, nanos: 0 });
  assert.equal(routes[1]!.match.prefix, '/api');
  assert.equal(routes[1]!.route.cluster, cluster('v2'));
  assert.ok(r.diagnostics.some((d) => d.source?.includes('echo-api') && d.path === 'spec.http[1].match'), 'conflicting delegate route reported');
  assert.ok(r.diagnostics.some((d) => d.path === 'spec.http[1].delegate' && /not found/.test(d.message)), 'missing delegate reported');
});
