/**
 * /debug/authorizationz: which AuthorizationPolicies apply to a connected proxy (scope, action,
 * dry-run), and the RBAC filters they become — the same filters the gateway generator puts in
 * its listeners; the RequestAuthentications and their jwt_authn filter (with key-set problems).
 * Unknown or missing proxyID → 404/400.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultMeshConfig } from '../../../src/config/mesh-config.js';
import { authzView } from '../../../src/debug/authz-view.js';
import { Reply } from '../../../src/debug/http-server.js';
import { parseProxy, type Proxy } from '../../../src/model/proxy.js';
import { buildSnapshot } from '../../../src/model/snapshot.js';
import type { AdsServer } from '../../../src/serve/types.js';
import type { JwksLookup } from '../../../src/translate/common/authn/index.js';
import { createGatewayGenerator } from '../../../src/translate/gateway/index.js';
import { TypeUrl } from '../../../src/translate/type-urls.js';
import { objectsFrom } from '../translate/grpc-fixtures.js';

type Json = Record<string, any>;

const CONFIG = `
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: gw, namespace: istio-system}
spec:
  selector: {istio: ingressgateway}
  servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ["*"]}]
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: mesh-deny, namespace: istio-system, creationTimestamp: "2024-01-01T00:00:00Z"}
spec:
  action: DENY
  rules: [{to: [{operation: {methods: [TRACE]}}]}]
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: ns-allow, namespace: default, creationTimestamp: "2024-01-01T00:00:01Z", annotations: {istio.io/dry-run: "true"}}
spec:
  rules: [{from: [{source: {namespaces: [default]}}]}]
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: app-allow, namespace: default, creationTimestamp: "2024-01-01T00:00:02Z"}
spec:
  selector: {matchLabels: {app: echo}}
  rules: [{to: [{operation: {paths: [/ok]}}]}]
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: ingress-allow, namespace: istio-system, creationTimestamp: "2024-01-01T00:00:03Z"}
spec:
  selector: {matchLabels: {istio: ingressgateway}}
  rules: [{from: [{source: {remoteIpBlocks: [203.0.113.0/24]}}]}]
---
apiVersion: security.istio.io/v1
kind: RequestAuthentication
metadata: {name: jwt, namespace: default}
spec:
  selector: {matchLabels: {app: echo}}
  jwtRules:
  - {issuer: https://issuer.example.com, jwksUri: https://issuer.example.com/jwks.json}
  - {issuer: https://down.example.com, jwksUri: https://down.example.com/jwks.json}
`;

function proxy(id: string, namespace: string, labels: Record<string, string>): Proxy {
  const parsed = parseProxy({ id, metadata: { NAMESPACE: namespace, LABELS: labels, INSTANCE_IPS: '10.0.0.9' } });
  assert.ok(parsed.ok);
  return parsed.value;
}

const echo = proxy('sidecar~10.0.0.9~echo-0.default~default.svc.cluster.local', 'default', { app: 'echo' });
const ingress = proxy('router~10.0.0.50~gw-0.istio-system~istio-system.svc.cluster.local', 'istio-system', { istio: 'ingressgateway' });
const connected = [echo, ingress];

function fakeAds(): AdsServer {
  return {
    listen: async () => 0,
    onSnapshot() {},
    connections: () => connected.map((p) => ({ conId: p.id, proxyId: p.id, nodeId: p.nodeId, peer: '', connectedAt: '', protocol: 'sotw' as const, generator: p.type, types: [] })),
    sentResources: () => undefined,
    connectedProxy: (id) => connected.find((p) => p.id === id),
    close: async () => {},
  };
}

const snapshot = buildSnapshot(objectsFrom(CONFIG), undefined);
const JWKS = '{"keys":[{"kty":"EC","crv":"P-256","x":"gM6tG3_3yTYIPqy8uwpu2ntKq284RE4FYspiwquz7Vs","y":"3fL6YmjX13_gRws4skxSd9emTU1N-0uqq-NLotF3-DI"}]}';
const jwks: JwksLookup = { version: '1', get: (uri) => (uri === 'https://issuer.example.com/jwks.json' ? { ok: true, jwks: JWKS } : { ok: false, reason: 'HTTP 503' }) };
const view = authzView({ ads: fakeAds(), snapshot: () => snapshot, mesh: defaultMeshConfig, jwks: () => jwks });
const ask = (q: string) => view(new URLSearchParams(q));

test('lists the policies that apply with action, scope and dry-run, and their RBAC filters', () => {
  const body = ask('proxyID=echo-0.default') as Json;
  assert.deepEqual(body.policies, [
    { namespace: 'istio-system', name: 'mesh-deny', action: 'DENY', scope: 'mesh', dryRun: false },
    { namespace: 'default', name: 'ns-allow', action: 'ALLOW', scope: 'namespace', dryRun: true },
    { namespace: 'default', name: 'app-allow', action: 'ALLOW', scope: 'workload', dryRun: false },
  ]);
  const [deny, allow] = body.filters.http as Json[];
  assert.equal(deny!.typed_config.rules.action, 'DENY');
  assert.deepEqual(Object.keys(allow!.typed_config.rules.policies), ['ns[default]-policy[app-allow]-rule[0]']);
  assert.deepEqual(Object.keys(allow!.typed_config.shadow_rules.policies), ['ns[default]-policy[ns-allow]-rule[0]']);
  // On TCP the method-only DENY rule keeps matching everything (stricter); the paths ALLOW rule drops out.
  assert.equal(body.filters.tcp.length, 2);
  assert.deepEqual(body.skipped.tcp.map((s: Json) => s.policy), ['default/app-allow']);
});

test('a gateway proxy: the view shows the same RBAC filter its listener carries first', () => {
  const body = ask('proxyID=gw-0.istio-system') as Json;
  assert.deepEqual(body.policies.map((p: Json) => `${p.name}:${p.scope}`), ['mesh-deny:mesh', 'ingress-allow:workload']);
  const lds = createGatewayGenerator({ mesh: defaultMeshConfig() }).generate(snapshot, ingress, TypeUrl.Listener, undefined);
  const hcm = (lds.resources[0]!.body as Json).filter_chains[0].filters[0];
  const httpFilters = hcm.typed_config.http_filters as Json[];
  assert.deepEqual(httpFilters.slice(0, 2), body.filters.http);
});

test('RequestAuthentications that apply, their jwt_authn filter with the fetched keys, and unusable key sets', () => {
  const body = ask('proxyID=echo-0.default') as Json;
  assert.deepEqual(body.requestAuthentications, ['default/jwt']);
  const [jwt] = body.filters.authn as Json[];
  assert.equal(jwt!.name, 'envoy.filters.http.jwt_authn');
  const inlined = Object.values(jwt!.typed_config.providers as Json).map((p: Json) => p.local_jwks.inline_string);
  assert.ok(inlined.includes(JWKS), 'the fetched key set is inlined');
  assert.deepEqual(body.authnProblems.map((p: Json) => `${p.policy} ${p.path}`), ['default/jwt spec.jwtRules[1].jwksUri']);
  assert.match(body.authnProblems[0].reason, /HTTP 503/);
  assert.deepEqual((ask('proxyID=gw-0.istio-system') as Json).filters.authn, [], 'the gateway is not selected');
});

test('proxyID is required and must be connected', () => {
  const missing = ask('') as Reply;
  assert.ok(missing instanceof Reply);
  assert.equal(missing.status, 400);
  const unknown = ask('proxyID=nope.default') as Reply;
  assert.equal(unknown.status, 404);
  assert.deepEqual((unknown.body as Json).connected, ['echo-0.default', 'gw-0.istio-system']);
});
