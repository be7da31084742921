/**
 * Differential property test: for random AuthorizationPolicies and random requests/connections,
 * the RBAC filters the compiler emits, run through an interpreter of Envoy's RBAC semantics,
 * decide exactly what the independent reference evaluator decides from the policy semantics.
 * Values come from small pools chosen to collide (wildcards, dots, ports in hosts, IPv6, claims)
 * so matches and near misses are both common.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { ConfigObject } from '../../../src/model/config.js';
import type { AuthorizationRule, Condition, Operation, Source } from '../../../src/model/types/security.js';
import { buildRbacFilters, trustDomainBundle, type SelectedPolicies } from '../../../src/translate/common/authz/index.js';
import { decide, type RefPolicy, type RefRequest } from '../../helpers/authz-reference.js';
import { chainAllows, type EnvoyRequest } from '../../helpers/envoy-rbac-interpreter.js';

const NS = ['foo', 'prod-a', 'b-test', 'default'];
const SA = ['bar', 'a.b', 'axb', 'admin'];
const PRINCIPALS = ['cluster.local/ns/foo/sa/bar', 'cluster.local/ns/foo/*', '*/sa/a.b', '*', 'cluster.local/ns/prod-a/sa/axb', '*.b', 'cluster.local/ns/default/sa/admin'];
const NAMESPACES = ['foo', 'prod-*', '*-test', '*', 'default', '*a', 'prod-a'];
const SERVICE_ACCOUNTS = ['a.b', 'foo/bar', 'prod-a/axb', 'admin', 'default/a.b'];
const CIDRS = ['10.0.0.0/8', '10.1.2.3', '192.168.0.0/16', '2001:db8::/32', '0.0.0.0/0'];
const IPS = ['10.1.2.3', '10.9.9.9', '192.168.1.1', '172.16.0.1', '2001:db8::1'];
const HOSTS = ['example.com', 'EXAMPLE.com', '*.example.com', 'api.*', '*', 'example.com:8080', 'example.com:*', 'Example.com:80', '*.example.com:8080', '[::1]', 'exa*'];
const REQ_HOSTS = ['example.com', 'Example.COM', 'api.example.com', 'example.com:8080', 'other.org', 'api.other',
  'example.com:80', 'EXAMPLE.COM:80', 'api.example.com:8080', 'example.com:', 'example.com:x', '[::1]', '[::1]:80', 'api.other:9090'];
const METHODS = ['GET', 'POST', 'DELETE', '*'];
const PATHS = ['/a', '/a/*', '*.html', '*', '/a/b.html'];
const REQ_PATHS = ['/a', '/a/b', '/a/b.html', '/x.html', '/b'];
const PORTS = ['8080', '9090'];
const REQUEST_PRINCIPALS = ['iss1/alice', 'iss1/*', '*/alice', '*'];
const WORDS = ['v1', 'v*', '*1', '*', 'x'];

const sub = <T>(pool: readonly T[]) => fc.subarray([...pool], { minLength: 0, maxLength: Math.min(3, pool.length) });

const SOURCE_POOLS: Record<keyof Source, readonly string[]> = {
  principals: PRINCIPALS, notPrincipals: PRINCIPALS,
  requestPrincipals: REQUEST_PRINCIPALS, notRequestPrincipals: REQUEST_PRINCIPALS,
  namespaces: NAMESPACES, notNamespaces: NAMESPACES,
  serviceAccounts: SERVICE_ACCOUNTS, notServiceAccounts: SERVICE_ACCOUNTS,
  ipBlocks: CIDRS, notIpBlocks: CIDRS, remoteIpBlocks: CIDRS, notRemoteIpBlocks: CIDRS,
};
const OPERATION_POOLS: Record<keyof Operation, readonly string[]> = {
  hosts: HOSTS, notHosts: HOSTS, methods: METHODS, notMethods: METHODS,
  paths: PATHS, notPaths: PATHS, ports: PORTS, notPorts: PORTS,
};

/** One or two fields, each with one to three values: sparse enough that rules often match. */
function fewFields<T>(pools: Record<string, readonly string[]>): fc.Arbitrary<T> {
  const field = fc.constantFrom(...Object.keys(pools)).chain((k) =>
    fc.subarray([...pools[k]!], { minLength: 1, maxLength: Math.min(3, pools[k]!.length) }).map((v) => [k, v] as const));
  return fc.array(field, { minLength: 1, maxLength: 2 }).map((entries) => Object.fromEntries(entries) as T);
}

const sourceArb = fewFields<Source>(SOURCE_POOLS);
const operationArb = fewFields<Operation>(OPERATION_POOLS);

const WHEN_KEYS: Record<string, readonly string[]> = {
  'request.headers[x-k]': WORDS,
  'source.ip': CIDRS, 'remote.ip': CIDRS, 'destination.ip': CIDRS,
  'source.namespace': NAMESPACES, 'source.principal': PRINCIPALS,
  'request.auth.principal': REQUEST_PRINCIPALS,
  'request.auth.claims[groups]': ['admins', 'dev-*', '*'],
  'request.auth.claims[realm][role]': ['boss', 'guest', 'b*'],
  'request.auth.audiences': ['api', 'a*'], 'request.auth.presenter': ['web', '*b'],
  'destination.port': PORTS, 'connection.sni': ['api.example.com', '*.example.com', 'api.*', '*'],
};

const conditionArb: fc.Arbitrary<Condition> = fc.constantFrom(...Object.keys(WHEN_KEYS)).chain((key) =>
  fc.record({ key: fc.constant(key), values: sub(WHEN_KEYS[key]!), notValues: sub(WHEN_KEYS[key]!) }));

const strip = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => !Array.isArray(v) || v.length > 0)) as T;
const nonEmpty = (o: object) => Object.values(o).some((v) => Array.isArray(v) && v.length > 0);

const ruleArb: fc.Arbitrary<AuthorizationRule> = fc.record({
  from: fc.array(sourceArb.map((source) => ({ source })), { maxLength: 2 }),
  to: fc.array(operationArb.map((operation) => ({ operation })), { maxLength: 2 }),
  when: fc.array(conditionArb.map(strip).filter(nonEmpty), { maxLength: 1 }),
}).map((r) => strip(r) as AuthorizationRule);

const policyArb: fc.Arbitrary<RefPolicy> = fc.record({
  namespace: fc.constantFrom('default', 'istio-system'),
  name: fc.constantFrom('p1', 'p2', 'p3', 'p4'),
  action: fc.constantFrom('ALLOW', 'ALLOW', 'DENY', 'AUDIT', 'CUSTOM'),
  rules: fc.option(fc.array(ruleArb, { maxLength: 3 }), { nil: undefined }),
  dryRun: fc.boolean(),
}).map((p) => ({ ...p, dryRun: p.dryRun && (p.action === 'ALLOW' || p.action === 'DENY') }));

const claimsArb = fc.record({
  groups: fc.oneof(fc.constantFrom('admins', 'dev-x', 'ops'), fc.subarray(['admins', 'dev-x', 'ops'])),
  realm: fc.record({ role: fc.constantFrom('boss', 'guest', 'bystander') }),
}, { requiredKeys: [] });

const requestArb: fc.Arbitrary<RefRequest> = fc.record({
  tcp: fc.boolean(),
  principal: fc.option(fc.tuple(fc.constantFrom(...NS), fc.constantFrom(...SA)).map(([ns, sa]) => `cluster.local/ns/${ns}/sa/${sa}`), { nil: undefined }),
  sourceIp: fc.constantFrom(...IPS), remoteIp: fc.constantFrom(...IPS), destinationIp: fc.constantFrom(...IPS),
  destinationPort: fc.constantFrom(8080, 9090),
  sni: fc.option(fc.constantFrom('api.example.com', 'x.example.com', 'api.other'), { nil: undefined }),
  method: fc.constantFrom('GET', 'POST', 'DELETE', 'PUT'),
  host: fc.constantFrom(...REQ_HOSTS),
  path: fc.constantFrom(...REQ_PATHS),
  headers: fc.option(fc.constantFrom('v1', 'vx', 'x1', 'x'), { nil: undefined }).map((v): Record<string, string> => (v === undefined ? {} : { 'x-k': v })),
  auth: fc.option(fc.record({
    issuer: fc.constantFrom('iss1', 'iss2'), subject: fc.constantFrom('alice', 'bob'),
    audiences: fc.constantFrom('api', 'web'), presenter: fc.constantFrom('web', 'mob'), claims: claimsArb,
  }), { nil: undefined }),
}).map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)) as unknown as RefRequest);

function configOf(p: RefPolicy, i: number): ConfigObject {
  return {
    kind: 'AuthorizationPolicy', apiVersion: 'security.istio.io/v1',
    metadata: { name: `${p.name}-${i}`, namespace: p.namespace, ...(p.dryRun ? { annotations: { 'istio.io/dry-run': 'true' } } : {}) },
    spec: { action: p.action, ...(p.action === 'CUSTOM' ? { provider: { name: 'ext' } } : {}), ...(p.rules ? { rules: p.rules } : {}) },
  } as unknown as ConfigObject;
}

function selected(policies: readonly RefPolicy[]): SelectedPolicies {
  const objs = policies.map(configOf);
  const by = (a: string) => objs.filter((o) => (o.spec as { action: string }).action === a);
  return { custom: by('CUSTOM'), deny: by('DENY'), allow: by('ALLOW'), audit: by('AUDIT') };
}

/** What jwt_authn leaves in dynamic metadata for a verified token: the payload as it came. */
function envoyRequest(r: RefRequest): EnvoyRequest {
  const payload = r.auth && !r.tcp ? {
    ...r.auth.claims, iss: r.auth.issuer, sub: r.auth.subject, aud: r.auth.audiences, azp: r.auth.presenter,
  } : undefined;
  return {
    ...(r.principal ? { peerUriSan: `spiffe://${r.principal}` } : {}),
    directRemoteIp: r.sourceIp, remoteIp: r.remoteIp, destinationIp: r.destinationIp, destinationPort: r.destinationPort,
    ...(r.sni ? { sni: r.sni } : {}),
    ...(r.tcp ? {} : { headers: { ':method': r.method, ':authority': r.host, ':path': r.path, ...r.headers } }),
    metadata: payload ? { 'envoy.filters.http.jwt_authn': { payload } } : {},
  };
}

const TD = trustDomainBundle('cluster.local', []);

test('authz: compiled RBAC (interpreted as Envoy would) agrees with the reference evaluator', () => {
  fc.assert(fc.property(fc.array(policyArb, { maxLength: 4 }), fc.array(requestArb, { minLength: 1, maxLength: 8 }), (policies, requests) => {
    const sel = selected(policies);
    const http = buildRbacFilters(sel, false, TD).filters;
    const tcp = buildRbacFilters(sel, true, TD).filters;
    for (const r of requests) {
      const want = decide(policies, r);
      const got = chainAllows(r.tcp ? tcp : http, envoyRequest(r)) ? 'allow' : 'deny';
      assert.equal(got, want, `request ${JSON.stringify(r)}\npolicies ${JSON.stringify(policies)}`);
    }
  }), { numRuns: 600, seed: 20261122 });
});

test('authz: both sides see decisions of each kind (the property is not vacuous)', () => {
  const seen = new Set<string>();
  fc.assert(fc.property(fc.array(policyArb, { minLength: 1, maxLength: 3 }), requestArb, (policies, r) => {
    seen.add(`${r.tcp ? 'tcp' : 'http'}:${decide(policies, r)}`);
  }), { numRuns: 300, seed: 7 });
  assert.deepEqual([...seen].sort(), ['http:allow', 'http:deny', 'tcp:allow', 'tcp:deny']);
});
