/**
 * BackendTLSPolicy: the first caCertificateRefs entry → DestinationRule credentialName
 * `configmap://<ns>/<name>` (SIMPLE, SNI, SANs), or `invalid://` when it is unusable (fail
 * closed, as Istio does); the policy status: ancestors per Gateway routing to the Service,
 * ResolvedRefs InvalidKind / InvalidCACertificateRef (also a missing or invalid ConfigMap, from
 * the status path's lookup), Accepted NoValidCACertificate; mergeStatus.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CaCertificateLookup } from '../../../src/model/gateway-api/backend-tls.js';
import { convertGatewayApi } from '../../../src/model/gateway-api/convert.js';
import { mergeStatus, type ComputedStatus } from '../../../src/model/gateway-api/status.js';
import { objectsFrom } from '../translate/grpc-fixtures.js';

const base = `---
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: istio}
spec: {controllerName: istio.io/gateway-controller}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: infra}
spec:
  gatewayClassName: istio
  listeners: [{name: http, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: All}}}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r, namespace: app}
spec:
  parentRefs: [{name: gw, namespace: infra}]
  rules: [{backendRefs: [{name: secure, port: 443}]}]
---
apiVersion: v1
kind: Service
metadata: {name: secure, namespace: app}
spec: {ports: [{port: 443, name: https}]}
`;

const policy = (caRefs: string) => `---
apiVersion: gateway.networking.k8s.io/v1
kind: BackendTLSPolicy
metadata: {name: tls, namespace: app, generation: 2}
spec:
  targetRefs: [{group: "", kind: Service, name: secure}]
  validation:
    hostname: secure.example.com
    subjectAltNames: [{type: Hostname, hostname: alt.example.com}]
    caCertificateRefs: ${caRefs}
`;

type PolicyStatus = Extract<ComputedStatus, { kind: 'policy' }>;

function convert(caRefs: string, caCertificates?: CaCertificateLookup) {
  const out = convertGatewayApi(objectsFrom(base + policy(caRefs)), { domain: 'cluster.local', ...(caCertificates ? { caCertificates } : {}) });
  const dr = out.configs.find((c) => c.kind === 'DestinationRule');
  return { dr, status: out.status.get('BackendTLSPolicy/app/tls') as PolicyStatus };
}

const conds = (s: PolicyStatus) => s.ancestors.map((a) => a.conditions.map((c) => `${c.type}=${c.status}/${c.reason}`));

test('the first CA ref (only it, as in Istio) becomes credentialName configmap://<policy-ns>/<name> with SNI and SANs', () => {
  const { dr, status } = convert('[{group: "", kind: ConfigMap, name: ca-a}, {group: "", kind: ConfigMap, name: ca-b}]');
  assert.deepEqual((dr!.spec as { trafficPolicy: unknown }).trafficPolicy, {
    tls: { mode: 'SIMPLE', sni: 'secure.example.com', subjectAltNames: ['alt.example.com'], credentialName: 'configmap://app/ca-a' },
  });
  assert.equal((dr!.spec as { host: string }).host, 'secure.app.svc.cluster.local');
  assert.deepEqual(status.ancestors.map((a) => [a.ancestorRef, a.controllerName]), [
    [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', namespace: 'infra', name: 'gw' }, 'istio.io/gateway-controller'],
  ]);
  assert.deepEqual(conds(status), [['Accepted=True/Accepted', 'ResolvedRefs=True/ResolvedRefs']]);
  assert.match(status.ancestors[0]!.conditions[0]!.message, /only the first caCertificateRefs will be used/);
  assert.equal(status.ancestors[0]!.conditions[0]!.observedGeneration, 2);
});

const credentialOf = (dr: { spec: unknown } | undefined) => (dr!.spec as { trafficPolicy: { tls: { credentialName?: string } } }).trafficPolicy.tls.credentialName;

test('a non-ConfigMap kind is InvalidKind; the policy is not accepted and the rule fails closed (invalid://)', () => {
  const { dr, status } = convert('[{group: "", kind: Secret, name: ca}]');
  assert.equal(credentialOf(dr), 'invalid://', 'never the system CA');
  assert.deepEqual(conds(status), [['Accepted=False/NoValidCACertificate', 'ResolvedRefs=False/InvalidKind']]);
  assert.match(status.ancestors[0]!.conditions[1]!.message, /caCertificateRefs\[0\].*Secret.*only ConfigMap/);
});

test('an invalid first ref is not rescued by a valid later one (Istio reads only the first)', () => {
  const { dr, status } = convert('[{group: example.io, kind: Bundle, name: b}, {kind: ConfigMap, name: ca}]');
  assert.equal(credentialOf(dr), 'invalid://');
  assert.deepEqual(conds(status), [['Accepted=False/NoValidCACertificate', 'ResolvedRefs=False/InvalidKind']]);
});

test('wellKnownCACertificates System keeps the system CA; no refs, no credential', () => {
  const out = convertGatewayApi(objectsFrom(base + policy('[]').replace('caCertificateRefs: []', 'wellKnownCACertificates: System')), { domain: 'cluster.local' });
  assert.equal(credentialOf(out.configs.find((c) => c.kind === 'DestinationRule')), undefined);
  assert.deepEqual(conds(out.status.get('BackendTLSPolicy/app/tls') as PolicyStatus), [['Accepted=True/Accepted', 'ResolvedRefs=True/ResolvedRefs']]);
});

const lookup = (states: Record<string, ReturnType<CaCertificateLookup['check']>>): CaCertificateLookup => ({
  version: 1,
  check: (namespace, name) => states[`${namespace}/${name}`] ?? { ok: false, missing: true, message: `ConfigMap ${namespace}/${name} not found` },
});

test('status path: a missing ConfigMap is InvalidCACertificateRef (not found); the rule itself does not read ConfigMaps', () => {
  const { dr, status } = convert('[{kind: ConfigMap, name: ca}]', lookup({}));
  assert.deepEqual(conds(status), [['Accepted=False/NoValidCACertificate', 'ResolvedRefs=False/InvalidCACertificateRef']]);
  assert.equal(status.ancestors[0]!.conditions[1]!.message, 'Certificate reference not found: ConfigMap app/ca not found');
  // The configs never read the lookup: configmap://, which SDS does not serve while the ConfigMap is missing (fail closed).
  assert.equal(credentialOf(dr), 'configmap://app/ca');
});

test('status path: a ConfigMap with a malformed CA is InvalidCACertificateRef (invalid); a good one resolves', () => {
  const bad = convert('[{kind: ConfigMap, name: ca}]', lookup({ 'app/ca': { ok: false, missing: false, message: 'ConfigMap app/ca: key "ca.crt" holds no PEM certificate' } }));
  assert.deepEqual(conds(bad.status), [['Accepted=False/NoValidCACertificate', 'ResolvedRefs=False/InvalidCACertificateRef']]);
  assert.match(bad.status.ancestors[0]!.conditions[1]!.message, /^Certificate invalid: .*holds no PEM/);
  const good = convert('[{kind: ConfigMap, name: ca}]', lookup({ 'app/ca': { ok: true } }));
  assert.deepEqual(conds(good.status), [['Accepted=True/Accepted', 'ResolvedRefs=True/ResolvedRefs']]);
});

test('a ref without a name is InvalidCACertificateRef', () => {
  const { status } = convert('[{group: "", kind: ConfigMap}]');
  assert.deepEqual(conds(status), [['Accepted=False/NoValidCACertificate', 'ResolvedRefs=False/InvalidCACertificateRef']]);
});

test('no Gateway routes to the Service: no ancestors; mergeStatus keeps other controllers ancestors', () => {
  const out = convertGatewayApi(objectsFrom(base.replace('name: secure, port: 443', 'name: other, port: 80') + policy('[{kind: ConfigMap, name: ca}]')), { domain: 'cluster.local' });
  assert.deepEqual((out.status.get('BackendTLSPolicy/app/tls') as PolicyStatus).ancestors, []);
  const { status } = convert('[{kind: ConfigMap, name: ca}]');
  const foreign = { ancestorRef: { name: 'x' }, controllerName: 'example.io/other', conditions: [] };
  const next = mergeStatus(status, { ancestors: [foreign] }, '2026-01-01T00:00:00Z') as { ancestors: { controllerName: string; conditions: { lastTransitionTime: string }[] }[] };
  assert.deepEqual(next.ancestors.map((a) => a.controllerName), ['example.io/other', 'istio.io/gateway-controller']);
  assert.equal(next.ancestors[1]!.conditions[0]!.lastTransitionTime, '2026-01-01T00:00:00Z');
  assert.equal(mergeStatus(status, next, '2026-02-02T00:00:00Z'), undefined);
});
