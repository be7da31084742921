/**
 * Property: for random meshes (Kubernetes Services with Pods or EndpointSlices, ServiceEntries,
 * VirtualServices, DestinationRules, a Sidecar), the sidecar generator never throws, every
 * resource it emits encodes with Envoy's message types and passes their validate.rules, and the
 * whole answer (LDS + CDS wildcard, then the RDS and EDS they reference) is referentially
 * intact. Invalid objects are dropped by validation, as the product does. Fixed seed so a run is
 * reproducible; PROPERTY_SEED=<n> explores others.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { defaultMeshConfig } from '../../../src/config/mesh-config.js';
import type { ConfigObject } from '../../../src/model/config.js';
import { parseProxy } from '../../../src/model/proxy.js';
import { buildSnapshot } from '../../../src/model/snapshot.js';
import { createValidator } from '../../../src/model/validation/validate.js';
import { checkResourceShape } from '../../../src/serve/proto/encode.js';
import { createSidecarGenerator } from '../../../src/translate/sidecar/index.js';
import { TypeUrl } from '../../../src/translate/type-urls.js';
import type { XdsResource } from '../../../src/translate/types.js';
import { edsClusterNames, routeConfigNames } from '../../golden/translate-sidecar/references.js';
import { checkValidateRules } from '../../helpers/validate-rules.js';
import { checkIntegrity } from '../../helpers/xds-integrity.js';

type Json = Record<string, unknown>;
const { constantFrom: oneOf, option, record, boolean, integer, uniqueArray, array, subarray } = fc;
const opt = <T>(a: fc.Arbitrary<T>) => option(a, { nil: undefined });
type ValueOf<A> = A extends fc.Arbitrary<infer T> ? T : never;
/** undefined four times out of five. */
const rarely = <T>(a: fc.Arbitrary<T>) => fc.oneof({ arbitrary: fc.constant(undefined), weight: 4 }, { arbitrary: a, weight: 1 });
const meta = (name: string, namespace: string) => ({ name, namespace });

const NAMESPACES = ['default', 'other'];
const PORTS = [80, 443, 3306, 8080, 9090];
const PORT_NAMES = ['http', 'http', 'http', 'http2', 'grpc', 'tcp', 'https', 'tls', 'mongo', 'redis', 'http-web', undefined];
const SE_HOSTS = ['e0.example.com', 'e1.example.com', '*.wild.example.com', 'a.default.svc.cluster.local'];
/** Hosts a VirtualService or DestinationRule may name: mostly ones that exist, also short, unknown, bad. */
const KNOWN_HOSTS = ['a.default.svc.cluster.local', 'a.default.svc.cluster.local', 'e0.example.com'];
const DEST_HOSTS = [...KNOWN_HOSTS, 'b.other.svc.cluster.local', 'c.default.svc.cluster.local', 'a', 'b', 'c.other', 'x.wild.example.com', 'nope.example', 'UPPER.bad'];
const VS_HOSTS = [...DEST_HOSTS, '*.wild.example.com'];
const host = (all: readonly string[]) => fc.oneof({ arbitrary: oneOf(...KNOWN_HOSTS), weight: 3 }, { arbitrary: oneOf(...all), weight: 1 });
const DURATIONS = ['0.5s', '1s', '5s', '30s'];
const PROXY_IP = '10.0.0.9';

/** a lives in default, b in other, c in either (so some hosts exist in two namespaces). */
const kubeService = record({
  name: oneOf('a', 'a', 'b', 'c'), namespace: oneOf(...NAMESPACES), headless: fc.boolean(), slices: boolean(),
  ports: uniqueArray(record({ port: oneOf(...PORTS), name: oneOf(...PORT_NAMES), targetPort: opt(oneOf(8080, 9000)) }), { minLength: 1, maxLength: 2, selector: (p) => p.port }),
  pods: array(record({ version: oneOf('v1', 'v2', 'v3'), ready: boolean(), istio: boolean() }), { maxLength: 2 }),
});

function kubeObjects(given: ValueOf<typeof kubeService>, i: number): Json[] {
  const s = { ...given, namespace: given.name === 'a' ? 'default' : given.name === 'b' ? 'other' : given.namespace };
  const ports = s.ports.map((p) => ({ ...(p.name ? { name: p.name } : {}), port: p.port, ...(p.targetPort ? { targetPort: p.targetPort } : {}) }));
  const svc = { apiVersion: 'v1', kind: 'Service', metadata: meta(s.name, s.namespace), spec: { clusterIP: s.headless ? 'None' : `10.96.0.${i + 1}`, selector: { app: s.name }, ports } };
  const pods = s.pods.map((p, j) => ({
    apiVersion: 'v1', kind: 'Pod', metadata: { ...meta(`${s.name}-${j}`, s.namespace), labels: { app: s.name, version: p.version, ...(p.istio ? { 'security.istio.io/tlsMode': 'istio' } : {}) } },
    spec: { serviceAccountName: s.name, containers: [{ name: 'c' }] },
    status: { phase: 'Running', podIP: `10.1.${i}.${j + 1}`, conditions: [{ type: 'Ready', status: p.ready ? 'True' : 'False' }] },
  }));
  if (!s.slices) return [svc, ...pods];
  const slice = {
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { ...meta(`${s.name}-slice`, s.namespace), labels: { 'kubernetes.io/service-name': s.name } },
    addressType: 'IPv4', ports: s.ports.map((p) => ({ ...(p.name ? { name: p.name } : {}), port: p.targetPort ?? p.port })),
    endpoints: s.pods.map((p, j) => ({ addresses: [`10.1.${i}.${j + 1}`], conditions: { ready: p.ready }, targetRef: { kind: 'Pod', name: `${s.name}-${j}`, namespace: s.namespace } })),
  };
  return [svc, ...pods, slice];
}

const seEndpoint = record({ address: oneOf('10.2.0.1', '10.2.0.2', 'eu.example.com', 'us.example.com'), locality: opt(oneOf('r1/z1', 'r2/z2')), weight: opt(integer({ min: 1, max: 5 })), version: oneOf('v1', 'v2') });
const serviceEntry = record({
  name: oneOf('se0', 'se1'), namespace: oneOf(...NAMESPACES), hosts: subarray(SE_HOSTS, { minLength: 1, maxLength: 2 }),
  addresses: opt(subarray(['10.200.0.1', '10.201.0.0/24'], { minLength: 1 })), location: oneOf('MESH_INTERNAL', 'MESH_EXTERNAL'), resolution: oneOf('STATIC', 'DNS', 'NONE', 'DNS_ROUND_ROBIN'),
  ports: uniqueArray(record({ number: oneOf(...PORTS), protocol: oneOf('HTTP', 'HTTPS', 'TCP', 'TLS', 'GRPC', 'HTTP2') }), { minLength: 1, maxLength: 2, selector: (p) => p.number }),
  endpoints: array(seEndpoint, { maxLength: 2 }),
});

/** Mostly valid: endpoint addresses and counts follow the resolution (hostnames only for DNS). */
function serviceEntryObject(s: ValueOf<typeof serviceEntry>): Json {
  const dns = s.resolution === 'DNS' || s.resolution === 'DNS_ROUND_ROBIN';
  const usable = s.endpoints.filter((e) => dns || /^\d/.test(e.address)).slice(0, s.resolution === 'DNS_ROUND_ROBIN' ? 1 : 2);
  const addresses = dns ? s.addresses?.filter((a) => !a.includes('/')) : s.addresses;
  const endpoints = usable.map((e) => ({ address: e.address, labels: { version: e.version }, ...(e.locality ? { locality: e.locality } : {}), ...(e.weight ? { weight: e.weight } : {}) }));
  return {
    apiVersion: 'networking.istio.io/v1', kind: 'ServiceEntry', metadata: meta(s.name, s.namespace),
    spec: { hosts: s.hosts, ...(addresses?.length ? { addresses } : {}), location: s.location, resolution: s.resolution, ports: s.ports.map((p) => ({ ...p, name: `${p.protocol.toLowerCase()}-${p.number}` })), ...(endpoints.length ? { endpoints } : {}) },
  };
}

const destination = record({ host: host(DEST_HOSTS), subset: opt(oneOf('v1', 'v2', 'v1', 'v2', 'missing')), port: rarely(oneOf(...PORTS)) })
  .map((d) => ({ host: d.host, ...(d.subset ? { subset: d.subset } : {}), ...(d.port ? { port: { number: d.port } } : {}) }));
/** 1–3 destinations; with more than one, weights that add up to 100 (or none at all). */
const routeList = array(destination, { minLength: 1, maxLength: 3 })
  .map((ds) => ds.map((destination, i) => ({ destination, ...(ds.length > 1 ? { weight: i === 0 ? 100 - 10 * (ds.length - 1) : 10 } : {}) })));
const httpMatch = record({
  uri: opt(fc.oneof(record({ prefix: oneOf('/', '/api', '/v1/') }), record({ exact: oneOf('/x', '/health') }), record({ regex: oneOf('^/u/[0-9]+$', '/(a|b)/.*') }))),
  headers: opt(record({ 'x-user': record({ exact: oneOf('alice', 'bob') }) })), port: opt(oneOf(...PORTS)),
}).map((m) => Object.fromEntries(Object.entries(m).filter(([, v]) => v !== undefined)));
const httpRoute = record({
  match: opt(array(httpMatch, { minLength: 1, maxLength: 2 })), kind: oneOf('route', 'route', 'redirect', 'direct'), route: routeList,
  retries: opt(record({ attempts: integer({ min: 0, max: 5 }), perTryTimeout: oneOf(...DURATIONS), retryOn: oneOf('5xx', 'gateway-error,connect-failure', 'retriable-status-codes,503') })),
  timeout: opt(oneOf(...DURATIONS)), mirror: opt(destination),
}).map((r) => ({
  ...(r.match ? { match: r.match } : {}),
  ...(r.kind === 'route' ? { route: r.route } : r.kind === 'redirect' ? { redirect: { uri: '/moved', authority: 'new.example.com' } } : { directResponse: { status: 503, body: { string: 'down' } } }),
  ...(r.kind === 'route' && r.retries ? { retries: r.retries } : {}), ...(r.kind === 'route' && r.timeout ? { timeout: r.timeout } : {}),
  ...(r.kind === 'route' && r.mirror ? { mirror: r.mirror } : {}),
}));
const virtualService = record({
  name: oneOf('vs0', 'vs1', 'vs2'), namespace: oneOf(...NAMESPACES), hosts: uniqueArray(host(VS_HOSTS), { minLength: 1, maxLength: 2 }),
  http: array(httpRoute, { maxLength: 3 }), tcp: array(record({ port: opt(oneOf(...PORTS)), route: routeList }), { maxLength: 1 }),
  tls: array(record({ port: oneOf(443, 8080), sni: rarely(oneOf(...DEST_HOSTS)), route: routeList }), { maxLength: 1 }),
}).map((v) => ({
  apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: meta(v.name, v.namespace),
  spec: {
    hosts: v.hosts,
    // A VirtualService needs at least one route list; give an empty one a plain route.
    ...(v.http.length || !(v.tcp.length || v.tls.length) ? { http: v.http.length ? v.http : [{ route: [{ destination: { host: v.hosts[0]! } }] }] } : {}),
    ...(v.tcp.length ? { tcp: v.tcp.map((t) => ({ ...(t.port ? { match: [{ port: t.port }] } : {}), route: t.route })) } : {}),
    ...(v.tls.length ? { tls: v.tls.map((t) => ({ match: [{ port: t.port, sniHosts: [t.sni ?? v.hosts[0]!] }], route: t.route })) } : {}),
  },
}));

const trafficPolicy = record({
  loadBalancer: opt(oneOf({ simple: 'ROUND_ROBIN' }, { simple: 'LEAST_REQUEST' }, { simple: 'PASSTHROUGH' }, { consistentHash: { httpHeaderName: 'x-user' } }, { consistentHash: { useSourceIp: true } }, { consistentHash: { httpCookie: { name: 'c', ttl: '10s' } } })),
  tls: opt(oneOf({ mode: 'DISABLE' }, { mode: 'SIMPLE', sni: 'e0.example.com' }, { mode: 'ISTIO_MUTUAL' }, { mode: 'MUTUAL', clientCertificate: '/c.pem', privateKey: '/k.pem' })),
  connectionPool: opt(oneOf({ tcp: { maxConnections: 10, connectTimeout: '2s' } }, { http: { http1MaxPendingRequests: 5, maxRequestsPerConnection: 1, idleTimeout: '30s' } })),
  outlierDetection: opt(record({ consecutive5xxErrors: integer({ min: 0, max: 5 }), interval: oneOf(...DURATIONS), baseEjectionTime: oneOf(...DURATIONS) })),
}).map((p) => Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined)));
const destinationRule = record({
  name: oneOf('dr0', 'dr1', 'dr2'), namespace: oneOf(...NAMESPACES), host: host(DEST_HOSTS), policy: opt(trafficPolicy),
  portPolicy: opt(record({ port: oneOf(...PORTS), policy: trafficPolicy })), subsets: uniqueArray(record({ name: oneOf('v1', 'v2'), policy: opt(trafficPolicy) }), { maxLength: 2, selector: (s) => s.name }),
}).map((d) => ({
  apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: meta(d.name, d.namespace),
  spec: {
    host: d.host,
    ...(d.policy || d.portPolicy ? { trafficPolicy: { ...d.policy, ...(d.portPolicy ? { portLevelSettings: [{ port: { number: d.portPolicy.port }, ...d.portPolicy.policy }] } : {}) } } : {}),
    ...(d.subsets.length ? { subsets: d.subsets.map((s) => ({ name: s.name, labels: { version: s.name }, ...(s.policy ? { trafficPolicy: s.policy } : {}) })) } : {}),
  },
}));

const sidecar = record({
  hosts: subarray(['./*', 'other/*', '*/e0.example.com', '~/*', 'istio-system/*', '*/*'], { minLength: 1, maxLength: 3 }), port: rarely(oneOf(...PORTS)),
  mode: opt(oneOf('ALLOW_ANY', 'REGISTRY_ONLY')), ingress: boolean(),
}).map((s) => ({
  apiVersion: 'networking.istio.io/v1', kind: 'Sidecar', metadata: meta('default', 'default'),
  spec: {
    egress: [{ hosts: s.hosts, ...(s.port ? { port: { number: s.port, protocol: 'HTTP', name: `http-${s.port}` } } : {}) }],
    ...(s.mode ? { outboundTrafficPolicy: { mode: s.mode } } : {}),
    ...(s.ingress ? { ingress: [{ port: { number: 9080, protocol: 'HTTP', name: 'http' }, defaultEndpoint: '127.0.0.1:8080' }] } : {}),
  },
}));

/** The proxy's own pod: if a Service `a` in default is generated it selects this pod (inbound side). */
const PROXY_POD = { apiVersion: 'v1', kind: 'Pod', metadata: { ...meta('a-proxy', 'default'), labels: { app: 'a', version: 'v1', 'security.istio.io/tlsMode': 'istio' } }, spec: { serviceAccountName: 'a', containers: [{ name: 'c' }] }, status: { phase: 'Running', podIP: PROXY_IP, conditions: [{ type: 'Ready', status: 'True' }] } };

const world = record({
  services: array(kubeService, { minLength: 1, maxLength: 4 }), serviceEntries: array(serviceEntry, { maxLength: 2 }),
  virtualServices: array(virtualService, { maxLength: 3 }), destinationRules: array(destinationRule, { maxLength: 3 }), sidecar: fc.oneof({ arbitrary: fc.constant(undefined), weight: 2 }, { arbitrary: sidecar, weight: 1 }),
}).map((w) => [PROXY_POD, ...w.services.flatMap(kubeObjects), ...w.serviceEntries.map(serviceEntryObject), ...w.virtualServices, ...w.destinationRules, ...(w.sidecar ? [w.sidecar] : [])] as Json[]);

const validator = createValidator();

/** Valid objects, first one wins per kind/namespace/name (as a store keyed by object would). */
function validObjects(raw: readonly Json[]): ConfigObject[] {
  const byKey = new Map<string, ConfigObject>();
  raw.forEach((doc, i) => {
    const res = validator.validate(doc, { source: `property#${i}` });
    if (!res.object) return;
    const key = `${res.object.kind}/${res.object.metadata.namespace ?? ''}/${res.object.metadata.name}`;
    if (!byKey.has(key)) byKey.set(key, res.object);
  });
  return [...byKey.values()];
}

const proxy = (() => {
  const parsed = parseProxy({ id: `sidecar~${PROXY_IP}~a-proxy.default~default.svc.cluster.local`, metadata: { NAMESPACE: 'default', LABELS: { app: 'a', version: 'v1' }, INSTANCE_IPS: PROXY_IP }, locality: { region: 'r1', zone: 'z1' } });
  assert.ok(parsed.ok);
  return parsed.value;
})();

/** Every problem with one proxy's full answer for this mesh; throws only if the generator does. */
function answerProblems(raw: readonly Json[]): string[] {
  const gen = createSidecarGenerator({ mesh: defaultMeshConfig() });
  const snapshot = buildSnapshot(validObjects(raw), undefined);
  const ask = (typeUrl: string, names: string[] | undefined) => gen.generate(snapshot, proxy, typeUrl, names).resources;
  const listeners = ask(TypeUrl.Listener, undefined);
  const clusters = ask(TypeUrl.Cluster, undefined);
  const routes = ask(TypeUrl.RouteConfiguration, routeConfigNames(listeners.map((r) => r.body)));
  const endpoints = ask(TypeUrl.ClusterLoadAssignment, edsClusterNames(clusters.map((r) => r.body)));
  const perResource = (r: XdsResource) => [...checkResourceShape(r.body), ...checkValidateRules(r.body)].map((p) => `${r.name}: ${p}`);
  return [...[...listeners, ...clusters, ...routes, ...endpoints].flatMap(perResource), ...checkIntegrity({ listeners, routes, clusters, endpoints })];
}

test('sidecar generator: random meshes give encodable, validate.rules-clean, referentially intact answers', () => {
  const seed = Number(process.env.PROPERTY_SEED ?? 4242);
  const details = fc.check(fc.property(world, (raw) => {
    const problems = answerProblems(raw);
    if (problems.length) throw new Error(problems.join('\n'));
  }), { numRuns: 60, seed });
  if (details.failed) {
    const [raw] = details.counterexample ?? [[]];
    const error = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
    assert.fail(`seed ${details.seed}, after ${details.numRuns} runs; minimal mesh:\n${stringify(raw)}\nproblems:\n${error}`);
  }
});
