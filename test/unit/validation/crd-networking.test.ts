/**
 * The networking.istio.io CRDs in crds/: (a) each file is a well-formed, structural,
 * kubectl-applyable CustomResourceDefinition matching the KINDS table; (b) the validator built
 * from them accepts realistic objects and rejects broken ones at the exact field path.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { parse as parseCel } from '@marcbachmann/cel-js';
import { KINDS, type KindInfo } from '../../../src/model/kinds.js';
import { createValidator } from '../../../src/model/validation/validate.js';
import { renderIssue } from '../../../src/lib/issue.js';

const CRD_DIR = fileURLToPath(new URL('../../../../crds/', import.meta.url));
const NETWORKING = KINDS.filter((k) => k.group === 'networking.istio.io');
const SHORT_NAMES: Record<string, string[] | undefined> = {
  VirtualService: ['vs'], DestinationRule: ['dr'], Gateway: ['gw'], ServiceEntry: ['se'], WorkloadEntry: ['we'], WorkloadGroup: ['wg'],
};
const SPEC_REQUIRED = new Set(['ServiceEntry', 'WorkloadEntry', 'WorkloadGroup']);

type Node = Record<string, unknown>;

function loadCrd(info: KindInfo): Node {
  const text = readFileSync(`${CRD_DIR}${info.plural}.${info.group}.yaml`, 'utf8');
  return parseYaml(text, { maxAliasCount: 1000 }) as Node;
}

function asNode(v: unknown): Node {
  assert.ok(typeof v === 'object' && v !== null && !Array.isArray(v), `expected a mapping, got ${JSON.stringify(v)}`);
  return v as Node;
}

/** Structural-schema rules the API server enforces, plus this project's conventions. Returns problems found. */
function structuralProblems(s: Node, path: string, out: string[] = []): string[] {
  const intOrString = s['x-kubernetes-int-or-string'] === true;
  if (typeof s.type !== 'string' && !intOrString) out.push(`${path}: no type`);
  if (s.enum !== undefined && s.type !== 'string') out.push(`${path}: enum on a non-string`);
  if (s.type === 'object' && !s.properties && !s.additionalProperties && s['x-kubernetes-preserve-unknown-fields'] !== true) {
    out.push(`${path}: object without properties, additionalProperties or x-kubernetes-preserve-unknown-fields`);
  }
  if (s.type === 'integer' && (typeof s.minimum !== 'number' || (typeof s.maximum !== 'number' && s.minimum !== 0))) {
    out.push(`${path}: integer without bounds`);
  }
  for (const v of (s['x-kubernetes-validations'] as Node[] | undefined) ?? []) {
    if (typeof v.message !== 'string' || v.message === '') out.push(`${path}: CEL rule without message`);
    try {
      parseCel(String(v.rule));
    } catch (err) {
      out.push(`${path}: CEL rule does not parse: ${String(v.rule)}: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  if (s['x-kubernetes-list-type'] === 'map') {
    const keys = (s['x-kubernetes-list-map-keys'] as string[] | undefined) ?? [];
    const itemRequired = (asNode(s.items).required as string[] | undefined) ?? [];
    if (keys.length === 0 || !keys.every((k) => itemRequired.includes(k))) out.push(`${path}: list-map keys must be required in items`);
  }
  for (const [k, v] of Object.entries((s.properties as Node | undefined) ?? {})) structuralProblems(asNode(v), `${path}.${k}`, out);
  if (s.items) structuralProblems(asNode(s.items), `${path}[*]`, out);
  if (typeof s.additionalProperties === 'object') structuralProblems(asNode(s.additionalProperties), `${path}{*}`, out);
  return out;
}

for (const info of NETWORKING) {
  test(`${info.kind} CRD: names, scope and versions match the KINDS table`, () => {
    const crd = loadCrd(info);
    assert.equal(crd.apiVersion, 'apiextensions.k8s.io/v1');
    assert.equal(crd.kind, 'CustomResourceDefinition');
    assert.equal(asNode(crd.metadata).name, `${info.plural}.${info.group}`);
    const spec = asNode(crd.spec);
    assert.equal(spec.group, info.group);
    assert.equal(spec.scope, 'Namespaced');
    const names = asNode(spec.names);
    assert.equal(names.kind, info.kind);
    assert.equal(names.listKind, `${info.kind}List`);
    assert.equal(names.plural, info.plural);
    assert.equal(names.singular, info.kind.toLowerCase());
    assert.deepEqual(names.categories, ['istio-io', 'networking-istio-io']);
    assert.deepEqual(names.shortNames, SHORT_NAMES[info.kind]);
    const versions = (spec.versions as Node[]).map(asNode);
    assert.deepEqual(versions.map((v) => v.name), [...info.versions]);
    assert.deepEqual(versions.map((v) => v.storage), versions.map((_, i) => i === 0), 'exactly one storage version, the first');
    for (const v of versions) {
      assert.equal(v.served, true);
      assert.deepEqual(v.subresources, { status: {} });
      assert.ok(Array.isArray(v.additionalPrinterColumns) && v.additionalPrinterColumns.length > 0, 'printer columns');
      assert.deepEqual(asNode(v.schema).openAPIV3Schema, asNode(versions[0]?.schema).openAPIV3Schema, 'all versions share one schema');
    }
  });

  test(`${info.kind} CRD: schema is structural, with spec and status at the root`, () => {
    const crd = loadCrd(info);
    const first = asNode((asNode(crd.spec).versions as Node[])[0]);
    const root = asNode(asNode(first.schema).openAPIV3Schema);
    assert.equal(root.type, 'object');
    const props = asNode(root.properties);
    assert.deepEqual(Object.keys(props).sort(), ['spec', 'status']);
    assert.deepEqual(props.status, { type: 'object', 'x-kubernetes-preserve-unknown-fields': true });
    assert.equal(SPEC_REQUIRED.has(info.kind), JSON.stringify(root.required) === '["spec"]', 'required: [spec] where Istio requires it');
    const spec = asNode(props.spec);
    assert.ok(Object.keys(asNode(spec.properties)).length > 0, 'spec describes its fields');
    assert.deepEqual(structuralProblems(root, info.kind), []);
  });
}

test('the structural check itself notices a bad schema', () => {
  const bad = { type: 'object', properties: { a: { enum: ['X'] }, b: { type: 'integer' }, c: { type: 'string', 'x-kubernetes-validations': [{ rule: 'self ==', message: 'm' }] } } };
  assert.equal(structuralProblems(bad, 'x').length, 4);
});

// ---------------------------------------------------------------------------------------------
// Fixtures. Written as YAML because that is how operators write them; parsed once at load time.

function doc(kind: string, apiVersion: string, spec: string): Node {
  return { apiVersion: `networking.istio.io/${apiVersion}`, kind, metadata: { name: 'x', namespace: 'bookinfo' }, spec: parseYaml(spec) as unknown };
}

const GOOD_DOCUMENTS: Record<string, Node> = {
  'VirtualService (bookinfo reviews)': doc('VirtualService', 'v1', `
hosts: [reviews]
gateways: [mesh, bookinfo-gateway]
http:
- name: jason
  match:
  - headers: {end-user: {exact: jason}}
    uri: {prefix: /reviews}
    ignoreUriCase: true
    queryParams: {debug: {regex: "^(1|true)$"}}
  route:
  - destination: {host: reviews, subset: v2, port: {number: 9080}}
  retries: {attempts: 3, perTryTimeout: 2s, retryOn: "5xx,connect-failure", retryRemoteLocalities: true}
  timeout: 10s
- name: canary
  route:
  - destination: {host: reviews, subset: v1}
    weight: 90
    headers: {response: {set: {x-canary: "false"}}}
  - destination: {host: reviews, subset: v3}
    weight: 10
  fault:
    delay: {fixedDelay: 5s, percentage: {value: 10}}
    abort: {httpStatus: 503, percentage: {value: 1.5}}
  mirror: {host: reviews, subset: v2}
  mirrorPercentage: {value: 50}
  corsPolicy:
    allowOrigins: [{exact: "https://example.com"}, {regex: "https://.*[.]example[.]com"}]
    allowMethods: [GET, POST]
    allowHeaders: [x-custom]
    maxAge: 24h
    allowCredentials: true
  headers:
    request: {set: {x-request: "1"}, add: {x-trace: "on"}, remove: [x-legacy]}
  rewrite: {uri: /v1/reviews}
`),
  'VirtualService (tls + tcp + redirect)': doc('VirtualService', 'v1beta1', `
hosts: [api.example.com]
http:
- match: [{uri: {exact: /old}}]
  redirect: {uri: /new, redirectCode: 301, derivePort: FROM_REQUEST_PORT}
- match: [{uri: {exact: /gone}}]
  directResponse: {status: 410, body: {string: gone}}
- route: [{destination: {host: api.example.com}}]
tls:
- match: [{sniHosts: [api.example.com], port: 443}]
  route: [{destination: {host: api.example.com, port: {number: 443}}}]
tcp:
- match: [{port: 27017, destinationSubnets: [10.0.0.0/8]}]
  route: [{destination: {host: mongo.backend.svc.cluster.local, port: {number: 27017}}, weight: 100}]
`),
  'DestinationRule (reviews)': doc('DestinationRule', 'v1', `
host: reviews.bookinfo.svc.cluster.local
trafficPolicy:
  connectionPool:
    tcp: {maxConnections: 100, connectTimeout: 30ms, tcpKeepalive: {time: 7200s, interval: 75s, probes: 9}}
    http: {http2MaxRequests: 1000, maxRequestsPerConnection: 10, h2UpgradePolicy: UPGRADE, idleTimeout: 1h}
  outlierDetection: {consecutive5xxErrors: 7, interval: 5m, baseEjectionTime: 15m, maxEjectionPercent: 50}
  loadBalancer:
    consistentHash:
      httpCookie: {name: user, ttl: 0s}
      ringHash: {minimumRingSize: 1024}
  tls: {mode: ISTIO_MUTUAL}
  portLevelSettings:
  - port: {number: 9080}
    loadBalancer: {simple: LEAST_REQUEST}
subsets:
- name: v1
  labels: {version: v1}
- name: v2
  labels: {version: v2}
  trafficPolicy:
    loadBalancer: {simple: ROUND_ROBIN, localityLbSetting: {enabled: true}, warmup: {duration: 60s, minimumPercent: 10, aggression: 2}}
    tls: {mode: SIMPLE, sni: reviews.example.com, caCertificates: /etc/certs/ca.pem, subjectAltNames: [reviews.example.com]}
exportTo: ["."]
`),
  'Gateway (bookinfo)': doc('Gateway', 'v1', `
selector: {istio: ingressgateway}
servers:
- port: {number: 80, name: http, protocol: HTTP}
  hosts: [bookinfo.example.com]
  tls: {httpsRedirect: true}
- port: {number: 443, name: https, protocol: HTTPS}
  hosts: [bookinfo/bookinfo.example.com]
  tls: {mode: SIMPLE, credentialName: bookinfo-cert, minProtocolVersion: TLSV1_2}
`),
  'Sidecar (reviews)': doc('Sidecar', 'v1', `
workloadSelector: {labels: {app: reviews}}
ingress:
- port: {number: 9080, protocol: HTTP, name: http}
  defaultEndpoint: 127.0.0.1:8080
  captureMode: IPTABLES
egress:
- port: {number: 3306, protocol: MYSQL, name: egressmysql}
  captureMode: NONE
  bind: 127.0.0.1
  hosts: ["*/mysql.example.com"]
- hosts: ["./*", "istio-system/*"]
outboundTrafficPolicy: {mode: REGISTRY_ONLY}
`),
  'EnvoyFilter (lua)': doc('EnvoyFilter', 'v1alpha3', `
workloadSelector: {labels: {app: reviews}}
configPatches:
- applyTo: HTTP_FILTER
  match:
    context: SIDECAR_INBOUND
    listener:
      portNumber: 9080
      filterChain:
        filter: {name: envoy.filters.network.http_connection_manager, subFilter: {name: envoy.filters.http.router}}
  patch:
    operation: INSERT_BEFORE
    value:
      name: envoy.lua
      typed_config: {"@type": type.googleapis.com/envoy.extensions.filters.http.lua.v3.Lua, inlineCode: "function envoy_on_request(h) end"}
priority: 10
`),
  'ServiceEntry (external API)': doc('ServiceEntry', 'v1', `
hosts: [api.example.com]
location: MESH_EXTERNAL
ports: [{number: 443, name: https, protocol: TLS}]
resolution: DNS
endpoints:
- address: us.api.example.com
  ports: {https: 8443}
  locality: us-east1/us-east1-b
  weight: 1
`),
  'WorkloadEntry (VM)': doc('WorkloadEntry', 'v1', `
address: 10.0.0.5
ports: {http: 9080}
labels: {app: details, version: vm}
serviceAccount: details
network: vm-net
`),
  'WorkloadGroup (VM group)': doc('WorkloadGroup', 'v1', `
metadata: {labels: {app: details}}
template: {serviceAccount: details, ports: {http: 9080}}
probe: {periodSeconds: 5, tcpSocket: {port: 9080}}
`),
  'ProxyConfig (concurrency)': doc('ProxyConfig', 'v1beta1', `
selector: {matchLabels: {app: reviews}}
concurrency: 0
environmentVariables: {ISTIO_META_DNS_CAPTURE: "true"}
image: {imageType: distroless}
`),
};

interface BadDocument {
  readonly name: string;
  readonly doc: Node;
  readonly path: string;
  readonly reason?: string;
  readonly detail?: RegExp;
}

const vs = (http: string): Node => doc('VirtualService', 'v1', `hosts: [reviews]\nhttp:\n${http}`);
const dr = (extra: string): Node => doc('DestinationRule', 'v1', `host: reviews\n${extra}`);

const BAD_DOCUMENTS: readonly BadDocument[] = [
  { name: 'a misspelt field', doc: vs('- rout: [{destination: {host: reviews}}]'), path: 'spec.http[0].rout', detail: /did you mean "route"/ },
  { name: 'a string where a list belongs', doc: doc('VirtualService', 'v1', 'hosts: reviews'), path: 'spec.hosts' },
  { name: 'a string weight', doc: vs('- route: [{destination: {host: reviews}, weight: "90"}]'), path: 'spec.http[0].route[0].weight' },
  { name: 'two StringMatch kinds at once', doc: vs('- match: [{uri: {exact: /a, prefix: /b}}]\n  route: [{destination: {host: reviews}}]'), path: 'spec.http[0].match[0].uri' },
  { name: 'a route without destination', doc: vs('- route: [{weight: 100}]'), path: 'spec.http[0].route[0].destination', reason: 'Required value' },
  { name: 'a too short perTryTimeout', doc: vs('- route: [{destination: {host: reviews}}]\n  retries: {attempts: 2, perTryTimeout: 0.5ms}'), path: 'spec.http[0].retries.perTryTimeout', detail: /greater than 1ms/ },
  { name: 'an unknown redirect derivePort', doc: vs('- redirect: {derivePort: SAME}'), path: 'spec.http[0].redirect.derivePort', reason: 'Unsupported value' },
  { name: 'a TLS mode that does not exist', doc: dr('trafficPolicy: {tls: {mode: MUTUAL_TLS}}'), path: 'spec.trafficPolicy.tls.mode', reason: 'Unsupported value' },
  { name: 'a DestinationRule without host', doc: doc('DestinationRule', 'v1', 'subsets: [{name: v1}]'), path: 'spec.host', reason: 'Required value' },
  { name: 'a non-string label value', doc: dr('subsets: [{name: v1, labels: {version: 1}}]'), path: 'spec.subsets[0].labels.version' },
  { name: 'two consistent-hash keys', doc: dr('trafficPolicy: {loadBalancer: {consistentHash: {httpHeaderName: x-user, useSourceIp: true}}}'), path: 'spec.trafficPolicy.loadBalancer.consistentHash' },
  { name: 'simple and consistentHash together', doc: dr('trafficPolicy: {loadBalancer: {simple: RANDOM, consistentHash: {useSourceIp: true}}}'), path: 'spec.trafficPolicy.loadBalancer' },
  { name: 'a word where an integer belongs', doc: dr('trafficPolicy: {connectionPool: {tcp: {maxConnections: many}}}'), path: 'spec.trafficPolicy.connectionPool.tcp.maxConnections' },
  { name: 'gateway port 70000', doc: doc('Gateway', 'v1', 'servers: [{port: {number: 70000, name: http, protocol: HTTP}, hosts: ["*"]}]'), path: 'spec.servers[0].port.number', detail: /port must be between 1-65535/ },
  { name: 'a gateway server without hosts', doc: doc('Gateway', 'v1', 'servers: [{port: {number: 80, name: http, protocol: HTTP}}]'), path: 'spec.servers[0].hosts', reason: 'Required value' },
  { name: 'an unknown gateway TLS mode', doc: doc('Gateway', 'v1', 'servers: [{port: {number: 443, name: https, protocol: HTTPS}, hosts: ["*"], tls: {mode: MUTUAL_TLS}}]'), path: 'spec.servers[0].tls.mode', reason: 'Unsupported value' },
  { name: 'an unknown sidecar captureMode', doc: doc('Sidecar', 'v1', 'egress: [{hosts: ["./*"], captureMode: TPROXY}]'), path: 'spec.egress[0].captureMode', reason: 'Unsupported value' },
  { name: 'a sidecar egress without hosts', doc: doc('Sidecar', 'v1', 'egress: [{bind: 127.0.0.1}]'), path: 'spec.egress[0].hosts', reason: 'Required value' },
  { name: 'an unknown EnvoyFilter applyTo', doc: doc('EnvoyFilter', 'v1alpha3', 'configPatches: [{applyTo: FILTER, patch: {operation: MERGE}}]'), path: 'spec.configPatches[0].applyTo', reason: 'Unsupported value' },
  { name: 'EnvoyFilter workloadSelector with targetRefs', doc: doc('EnvoyFilter', 'v1alpha3', 'workloadSelector: {labels: {app: a}}\ntargetRefs: [{kind: Gateway, group: gateway.networking.k8s.io, name: gw}]'), path: 'spec', detail: /only one of targetRefs or workloadSelector/ },
  { name: 'ServiceEntry endpoints with workloadSelector', doc: doc('ServiceEntry', 'v1', 'hosts: [a.example.com]\nresolution: STATIC\nendpoints: [{address: 1.2.3.4}]\nworkloadSelector: {labels: {app: a}}'), path: 'spec', detail: /only one of WorkloadSelector or Endpoints/ },
  { name: 'ServiceEntry CIDR with DNS resolution', doc: doc('ServiceEntry', 'v1', 'hosts: [a.example.com]\naddresses: [10.0.0.0/24]\nresolution: DNS'), path: 'spec', detail: /CIDR addresses are allowed only for NONE\/STATIC/ },
  { name: 'ServiceEntry DNS_ROUND_ROBIN with two endpoints', doc: doc('ServiceEntry', 'v1', 'hosts: [a.example.com]\nresolution: DNS_ROUND_ROBIN\nendpoints: [{address: a.example.com}, {address: b.example.com}]'), path: 'spec', detail: /DNS_ROUND_ROBIN/ },
  { name: 'ServiceEntry without hosts', doc: doc('ServiceEntry', 'v1', 'ports: [{number: 80, name: http}]'), path: 'spec.hosts', reason: 'Required value' },
  { name: 'ServiceEntry duplicate port numbers', doc: doc('ServiceEntry', 'v1', 'hosts: [a.example.com]\nports: [{number: 80, name: a}, {number: 80, name: b}]'), path: 'spec.ports', detail: /port number cannot be duplicated/ },
  { name: 'WorkloadEntry UDS that is not absolute', doc: doc('WorkloadEntry', 'v1', 'address: unix://relative/sock'), path: 'spec.address', detail: /absolute path or abstract socket/ },
  { name: 'WorkloadGroup without template', doc: doc('WorkloadGroup', 'v1', 'metadata: {labels: {app: a}}'), path: 'spec.template', reason: 'Required value' },
  { name: 'WorkloadGroup two probe kinds', doc: doc('WorkloadGroup', 'v1', 'template: {}\nprobe: {tcpSocket: {port: 80}, exec: {command: ["true"]}}'), path: 'spec.probe' },
  { name: 'ProxyConfig fractional concurrency', doc: doc('ProxyConfig', 'v1beta1', 'concurrency: 1.5'), path: 'spec.concurrency' },
];

const validator = createValidator();

for (const [name, good] of Object.entries(GOOD_DOCUMENTS)) {
  test(`accepts ${name}`, () => {
    const outcome = validator.validate(structuredClone(good));
    assert.deepEqual(outcome.errors.map(renderIssue), []);
    assert.ok(outcome.object, 'a valid document yields an object');
  });
}

for (const bad of BAD_DOCUMENTS) {
  test(`rejects ${bad.name} at ${bad.path}`, () => {
    const outcome = validator.validate(structuredClone(bad.doc));
    const rendered = outcome.errors.map(renderIssue);
    const hit = outcome.errors.find((e) => e.path === bad.path);
    assert.ok(hit, `expected an error at ${bad.path}; got ${JSON.stringify(rendered)}`);
    if (bad.reason) assert.equal(hit.reason, bad.reason, rendered.join('\n'));
    if (bad.detail) assert.match(renderIssue(hit), bad.detail);
    assert.equal(outcome.object, undefined);
  });
}

test('every served version of VirtualService validates against the same schema', () => {
  const doc = GOOD_DOCUMENTS['VirtualService (bookinfo reviews)'] as Node;
  for (const version of ['v1', 'v1beta1', 'v1alpha3']) {
    const copy = { ...structuredClone(doc), apiVersion: `networking.istio.io/${version}` };
    assert.deepEqual(validator.validate(copy).errors.map(renderIssue), [], version);
    const broken = structuredClone(copy) as Node;
    asNode(broken.spec).gateways = 'mesh';
    assert.ok(validator.validate(broken).errors.some((e) => e.path === 'spec.gateways'), `${version} rejects a non-list`);
  }
});
