/**
 * HTTPRoute rule extras converted as Istio converts them: retry (connection failures plus the
 * listed codes, 2 attempts by default, backoff), timeouts (request; backendRequest as the
 * per-try timeout with retries, else the route timeout), the CORS filter, and a filter type
 * Istio cannot apply making the whole route unusable with status ResolvedRefs=False/InvalidFilter.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { convertGatewayApi } from '../../../src/model/gateway-api/convert.js';
import type { ComputedStatus } from '../../../src/model/gateway-api/status.js';
import { createValidator } from '../../../src/model/validation/validate.js';
import { objectsFrom } from '../translate/grpc-fixtures.js';

const BASE = `
apiVersion: v1
kind: Service
metadata: {name: web, namespace: apps}
spec: {ports: [{port: 8080}]}
---
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: istio}
spec: {controllerName: istio.io/gateway-controller}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: apps}
spec: {gatewayClassName: istio, listeners: [{name: web, port: 80, protocol: HTTP}]}
`;

const route = (name: string, host: string, rule: string) => `---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: ${name}, namespace: apps}
spec:
  parentRefs: [{name: gw}]
  hostnames: [${host}]
  rules: [${rule}]
`;

interface VsRoute { retries?: unknown; timeout?: string; corsPolicy?: unknown; directResponse?: unknown }

function converted(yamlText: string) {
  const out = convertGatewayApi(objectsFrom(BASE + yamlText), { domain: 'cluster.local' });
  const vsFor = (host: string) => out.configs.find((c) => c.kind === 'VirtualService' && (c.spec as { hosts: string[] }).hosts.includes(host));
  const routesFor = (host: string) => ((vsFor(host)?.spec as { http?: VsRoute[] } | undefined)?.http ?? []);
  return { ...out, vsFor, routesFor };
}

const BACKEND = 'backendRefs: [{name: web, port: 8080}]';

test('retry and timeouts become retries and timeout the way Istio converts them', () => {
  const c = converted([
    route('both', 'both.example.com', `{${BACKEND}, retry: {codes: [503, 429], attempts: 3, backoff: 100ms}, timeouts: {request: 10s, backendRequest: 2s}}`),
    route('backend-only', 'backend.example.com', `{${BACKEND}, timeouts: {request: 10s, backendRequest: 2s}}`),
    route('defaults', 'defaults.example.com', `{${BACKEND}, retry: {}, timeouts: {request: 0s}}`),
    route('no-attempts', 'zero.example.com', `{${BACKEND}, retry: {attempts: 0, codes: [503]}}`),
  ].join(''));
  const [both] = c.routesFor('both.example.com');
  assert.deepEqual(both!.retries, { attempts: 3, retryOn: 'connect-failure,refused-stream,unavailable,cancelled,503,429', backoff: '100ms', perTryTimeout: '2s' });
  assert.equal(both!.timeout, '10s', 'request stays the route timeout; backendRequest is per try');
  const [backendOnly] = c.routesFor('backend.example.com');
  assert.equal(backendOnly!.timeout, '2s', 'without retries backendRequest replaces the route timeout');
  assert.equal(backendOnly!.retries, undefined);
  const [defaults] = c.routesFor('defaults.example.com');
  assert.deepEqual(defaults!.retries, { attempts: 2, retryOn: 'connect-failure,refused-stream,unavailable,cancelled' });
  assert.equal(defaults!.timeout, undefined, 'a zero timeout means none');
  assert.deepEqual(c.routesFor('zero.example.com')[0]!.retries, { attempts: 0 }, 'no retry_on without attempts');
});

test('the CORS filter becomes corsPolicy', () => {
  const c = converted(route('cors', 'cors.example.com', `{${BACKEND}, filters: [{type: CORS, cors: {allowOrigins: ["https://a.example.com"], allowCredentials: true, allowMethods: [GET, POST], allowHeaders: [x-a], exposeHeaders: [x-b], maxAge: 60}}]}`));
  assert.deepEqual(c.routesFor('cors.example.com')[0]!.corsPolicy, {
    allowOrigins: [{ exact: 'https://a.example.com' }], allowCredentials: true, allowMethods: ['GET', 'POST'], allowHeaders: ['x-a'], exposeHeaders: ['x-b'], maxAge: '60s',
  });
});

test('a filter Istio cannot apply leaves the whole route out, with ResolvedRefs=False/InvalidFilter', () => {
  const c = converted(route('ext', 'ext.example.com', `{${BACKEND}}, {${BACKEND}, filters: [{type: ExtensionRef, extensionRef: {group: example.com, kind: Plugin, name: p}}]}`));
  assert.equal(c.vsFor('ext.example.com'), undefined, 'no rule of the route is served, not even the valid one');
  const s = c.status.get('HTTPRoute/apps/ext') as Extract<ComputedStatus, { kind: 'route' }>;
  const refs = s.parents[0]!.conditions.find((x) => x.type === 'ResolvedRefs')!;
  assert.equal(`${refs.status}/${refs.reason}`, 'False/InvalidFilter');
  assert.match(refs.message, /spec\.rules\[1\]: unsupported filter type "ExtensionRef"/);
});

test('retry fields are validated with field paths; a filter type from a newer Gateway API is not a validation error', () => {
  const validator = createValidator();
  const result = validator.validate({
    apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'r', namespace: 'apps' },
    spec: { parentRefs: [{ name: 'gw' }], rules: [{ backendRefs: [{ name: 'web', port: 8080 }], retry: { codes: [200, 503], attempts: -1, backoff: 'soon' }, filters: [{ type: 'ExternalAuth', externalAuth: {} }] }] },
  });
  assert.deepEqual(result.errors.map((e) => e.path).sort(), ['spec.rules[0].retry.attempts', 'spec.rules[0].retry.backoff', 'spec.rules[0].retry.codes[0]']);
});
