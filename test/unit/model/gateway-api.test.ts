/**
 * The Gateway API conversion's status (pure): accepted, invalid-reference and not-allowed
 * routes, listener conditions and attachedRoutes, class acceptance, other controllers left
 * alone; the status merge (lastTransitionTime kept, no write when equal); semantic validation
 * with field paths; Gateway kind lookup by group; the derived store keeping synthetic objects
 * in step with their sources.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { convertGatewayApi } from '../../../src/model/gateway-api/convert.js';
import { withGatewayApi } from '../../../src/model/gateway-api/derived-store.js';
import { mergeStatus, type ComputedStatus } from '../../../src/model/gateway-api/status.js';
import { lookupKind } from '../../../src/model/kinds.js';
import { createStore } from '../../../src/model/store/index.js';
import { createValidator } from '../../../src/model/validation/validate.js';
import { objectsFrom } from '../translate/grpc-fixtures.js';

const BASE = `
apiVersion: v1
kind: Namespace
metadata: {name: apps, labels: {team: web}}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: apps}
spec: {ports: [{port: 8080}]}
---
apiVersion: v1
kind: Service
metadata: {name: db, namespace: data}
spec: {ports: [{port: 5432}]}
---
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: istio}
spec: {controllerName: istio.io/gateway-controller}
---
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: other}
spec: {controllerName: example.com/other}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: infra, generation: 2}
spec:
  gatewayClassName: istio
  listeners:
  - {name: web, port: 80, protocol: HTTP, hostname: "*.example.com", allowedRoutes: {namespaces: {from: Selector, selector: {matchLabels: {team: web}}}}}
  - {name: https, port: 443, protocol: HTTPS, tls: {certificateRefs: [{name: cert, namespace: secrets}]}}
  - {name: udp, port: 53, protocol: UDP}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: foreign, namespace: infra}
spec: {gatewayClassName: other, listeners: [{name: web, port: 80, protocol: HTTP}]}
`;

const route = (name: string, ns: string, extra: string) => `---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: ${name}, namespace: ${ns}, generation: 5}
spec:
${extra}`;

const ROUTES = [
  route('ok', 'apps', '  parentRefs: [{name: gw, namespace: infra}, {name: foreign, namespace: infra}]\n  hostnames: [shop.example.com]\n  rules: [{backendRefs: [{name: web, port: 8080}]}]'),
  route('refused', 'apps', '  parentRefs: [{name: gw, namespace: infra}]\n  hostnames: [a.example.com]\n  rules: [{backendRefs: [{name: db, namespace: data, port: 5432}]}]'),
  route('missing', 'apps', '  parentRefs: [{name: gw, namespace: infra}]\n  hostnames: [b.example.com]\n  rules: [{backendRefs: [{name: nope, port: 80}, {kind: Pod, name: x, port: 80}]}]'),
  route('outsider', 'elsewhere', '  parentRefs: [{name: gw, namespace: infra}]\n  rules: [{backendRefs: [{name: web, namespace: apps, port: 8080}]}]'),
  route('wrong-host', 'apps', '  parentRefs: [{name: gw, namespace: infra, sectionName: web}]\n  hostnames: [shop.other.org]\n  rules: [{backendRefs: [{name: web, port: 8080}]}]'),
  route('no-gateway', 'apps', '  parentRefs: [{name: ghost, namespace: infra}]\n  rules: [{backendRefs: [{name: web, port: 8080}]}]'),
].join('\n');

function convert(yamlText = BASE + ROUTES) {
  return convertGatewayApi(objectsFrom(yamlText), { domain: 'cluster.local' });
}

type RouteStatus = Extract<ComputedStatus, { kind: 'route' }>;
const parentConds = (s: ComputedStatus | undefined) => (s as RouteStatus).parents.map((p) => Object.fromEntries(p.conditions.map((c) => [c.type, `${c.status}/${c.reason}`])));

test('route status: accepted, refused and missing references, not allowed, no matching hostname or parent', () => {
  const { status } = convert();
  assert.deepEqual(parentConds(status.get('HTTPRoute/apps/ok')), [{ Accepted: 'True/Accepted', ResolvedRefs: 'True/ResolvedRefs' }], 'only our Gateway is reported (foreign belongs to another controller)');
  assert.equal((status.get('HTTPRoute/apps/ok') as RouteStatus).parents[0]!.controllerName, 'istio.io/gateway-controller');
  assert.equal((status.get('HTTPRoute/apps/ok') as RouteStatus).parents[0]!.conditions[0]!.observedGeneration, 5);
  assert.deepEqual(parentConds(status.get('HTTPRoute/apps/refused')), [{ Accepted: 'True/Accepted', ResolvedRefs: 'False/RefNotPermitted' }]);
  assert.deepEqual(parentConds(status.get('HTTPRoute/apps/missing')), [{ Accepted: 'True/Accepted', ResolvedRefs: 'False/BackendNotFound' }]);
  assert.match((status.get('HTTPRoute/apps/missing') as RouteStatus).parents[0]!.conditions[1]!.message, /not found.*unsupported backendRef/);
  assert.deepEqual(parentConds(status.get('HTTPRoute/elsewhere/outsider')), [{ Accepted: 'False/NotAllowedByListeners', ResolvedRefs: 'False/RefNotPermitted' }], 'its backend in apps is not granted either');
  assert.deepEqual(parentConds(status.get('HTTPRoute/apps/wrong-host')), [{ Accepted: 'False/NoMatchingListenerHostname', ResolvedRefs: 'True/ResolvedRefs' }]);
  assert.deepEqual(parentConds(status.get('HTTPRoute/apps/no-gateway')), [{ Accepted: 'False/NoMatchingParent', ResolvedRefs: 'True/ResolvedRefs' }]);
});

test('gateway and class status: listener conditions, supportedKinds, attachedRoutes; other classes untouched', () => {
  const { status, configs } = convert();
  const gw = status.get('KubernetesGateway/infra/gw') as Extract<ComputedStatus, { kind: 'gateway' }>;
  assert.deepEqual(gw.conditions.map((c) => `${c.type}=${c.status}/${c.reason}`), ['Accepted=True/Accepted', 'Programmed=True/Programmed']);
  assert.equal(gw.conditions[0]!.observedGeneration, 2);
  const byName = Object.fromEntries(gw.listeners.map((l) => [l.name, l]));
  assert.equal(byName.web!.attachedRoutes, 3, 'ok, refused, missing (not the outsider or the wrong host)');
  assert.deepEqual(byName.web!.supportedKinds.map((k) => k.kind), ['HTTPRoute', 'GRPCRoute']);
  assert.deepEqual(byName.https!.conditions.map((c) => `${c.type}=${c.status}/${c.reason}`), ['Accepted=True/Accepted', 'Conflicted=False/NoConflicts', 'ResolvedRefs=False/RefNotPermitted', 'Programmed=False/Invalid']);
  assert.deepEqual(byName.udp!.conditions.map((c) => `${c.type}=${c.status}/${c.reason}`), ['Accepted=False/UnsupportedProtocol', 'Conflicted=False/NoConflicts', 'ResolvedRefs=True/ResolvedRefs', 'Programmed=False/Invalid']);
  assert.equal(status.has('KubernetesGateway/infra/foreign'), false);
  assert.deepEqual((status.get('GatewayClass/istio') as unknown as { conditions: { reason: string }[] }).conditions.map((c) => c.reason), ['Accepted']);
  assert.equal(status.has('GatewayClass/other'), false);
  assert.deepEqual(configs.filter((c) => c.kind === 'Gateway').map((c) => c.metadata.name), ['gw~istio-autogenerated-k8s-gateway~web'], 'only programmed listeners become Istio Gateways');
  const refused = configs.find((c) => c.kind === 'VirtualService' && c.metadata.name.endsWith('~a.example.com'))!;
  assert.deepEqual((refused.spec as { http: { directResponse?: unknown }[] }).http[0]!.directResponse, { status: 500 }, 'a refused backend answers 500');
});

test('mergeStatus keeps lastTransitionTime while a condition holds, keeps other controllers, and says when nothing changes', () => {
  const computed = convert().status.get('HTTPRoute/apps/refused')!;
  const other = { parentRef: { name: 'x' }, controllerName: 'example.com/other', conditions: [] };
  const first = mergeStatus(computed, { parents: [other] }, '2024-01-01T00:00:00Z')!;
  assert.equal((first.parents as unknown[]).length, 2);
  assert.deepEqual((first.parents as unknown[])[0], other);
  assert.equal(mergeStatus(computed, first, '2024-02-02T00:00:00Z'), undefined, 'equal: no write');
  const fixed = convert((BASE + ROUTES).replace('kind: Namespace\nmetadata: {name: apps', `kind: Namespace\nmetadata: {name: apps`) + `
---
apiVersion: gateway.networking.k8s.io/v1beta1
kind: ReferenceGrant
metadata: {name: allow, namespace: data}
spec: {from: [{group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: apps}], to: [{group: "", kind: Service}]}`).status.get('HTTPRoute/apps/refused')!;
  const next = mergeStatus(fixed, first, '2024-03-03T00:00:00Z')!;
  const conds = (next.parents as { conditions: { type: string; status: string; lastTransitionTime: string }[] }[])[1]!.conditions;
  assert.deepEqual(conds.map((c) => [c.type, c.status, c.lastTransitionTime]), [['Accepted', 'True', '2024-01-01T00:00:00Z'], ['ResolvedRefs', 'True', '2024-03-03T00:00:00Z']]);
});

test('Gateway API objects are validated with field paths; unknown fields are accepted', () => {
  const v = createValidator();
  const bad = v.validate({
    apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'r', namespace: 'a' },
    spec: { futureField: { x: 1 }, hostnames: ['10.0.0.1'], rules: [{ matches: [{ path: { type: 'Prefix', value: 'x' }, headers: [{ name: 'h', type: 'RegularExpression', value: '(a' }] }], backendRefs: [{ name: 'web', weight: -1 }], timeouts: { request: '10 seconds' } }] },
  });
  assert.deepEqual(bad.errors.map((e) => e.path).sort(), ['spec.hostnames[0]', 'spec.rules[0].backendRefs[0].port', 'spec.rules[0].backendRefs[0].weight', 'spec.rules[0].matches[0].headers[0].value', 'spec.rules[0].matches[0].path.type', 'spec.rules[0].matches[0].path.value', 'spec.rules[0].timeouts.request']);
  const gw = v.validate({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'g', namespace: 'a' }, spec: { gatewayClassName: 'istio', listeners: [{ name: 'a', port: 0, protocol: 'HTTP' }, { name: 'a', port: 80, protocol: 'HTTPS' }] } });
  assert.deepEqual(gw.errors.map((e) => `${e.path}: ${e.reason}`).sort(), ['spec.listeners[0].port: Invalid value', 'spec.listeners[1].name: Duplicate value', 'spec.listeners[1].tls: Required value']);
  const ok = v.validate({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'g', namespace: 'a' }, spec: { gatewayClassName: 'istio', infrastructure: { labels: { a: 'b' } }, listeners: [{ name: 'h', port: 80, protocol: 'HTTP' }] }, status: { addresses: [] } });
  assert.deepEqual(ok.errors, []);
  assert.equal(ok.object?.kind, 'KubernetesGateway');
  assert.deepEqual(Object.keys(ok.object!.spec).sort(), ['gatewayClassName', 'infrastructure', 'listeners'], 'spec only: status is not model input');
});

test('kind Gateway resolves by group: Istio networking or the Gateway API', () => {
  const istio = lookupKind('networking.istio.io/v1', 'Gateway');
  const k8s = lookupKind('gateway.networking.k8s.io/v1', 'Gateway');
  assert.ok(istio.ok && k8s.ok);
  assert.equal(istio.info.kind, 'Gateway');
  assert.equal(k8s.info.kind, 'KubernetesGateway');
  assert.equal(lookupKind('gateway.networking.k8s.io/v9', 'Gateway').ok, false);
});

test('the derived store adds, updates and removes synthetic objects with their sources, and ignores unrelated changes', () => {
  const store = withGatewayApi(createStore(), { domain: 'cluster.local' });
  const objects = objectsFrom(BASE + ROUTES);
  for (const o of objects) store.upsert(o);
  const first = [...store.takeChanges()];
  assert.ok(first.includes('Gateway/infra/gw~istio-autogenerated-k8s-gateway~web'));
  assert.ok(first.includes('VirtualService/infra/infra~gw~istio-autogenerated-k8s-gateway~web~shop.example.com'));
  const ok = objects.find((o) => o.kind === 'HTTPRoute' && o.metadata.name === 'ok')!;
  store.remove({ kind: 'HTTPRoute', namespace: 'apps', name: 'ok' });
  assert.deepEqual([...store.takeChanges()].sort(), ['HTTPRoute/apps/ok', 'VirtualService/infra/infra~gw~istio-autogenerated-k8s-gateway~web~shop.example.com']);
  store.upsert(ok);
  assert.equal([...store.takeChanges()].length, 2);
  const [vs] = objectsFrom('apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: x, namespace: apps}\nspec: {hosts: [x], http: [{route: [{destination: {host: x}}]}]}');
  store.upsert(vs!);
  assert.deepEqual([...store.takeChanges()], ['VirtualService/apps/x'], 'an Istio object alone does not recompute');
});
