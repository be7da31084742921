/** Builders for grpc generator tests: validated objects → Snapshot, node → Proxy, shape checks. */
import assert from 'node:assert/strict';
import { parseAllDocuments } from 'yaml';
import { defaultMeshConfig } from '../../../src/config/mesh-config.js';
import type { MeshConfig } from '../../../src/config/mesh-types.js';
import type { ConfigObject } from '../../../src/model/config.js';
import { parseProxy, type Proxy } from '../../../src/model/proxy.js';
import { buildSnapshot, type Snapshot } from '../../../src/model/snapshot.js';
import { createValidator } from '../../../src/model/validation/validate.js';
import { checkResourceShape, encodeResourceBody } from '../../../src/serve/proto/encode.js';
import { createGrpcGenerator } from '../../../src/translate/grpc/index.js';
import type { Generated, XdsResource } from '../../../src/translate/types.js';
import { TypeUrl } from '../../../src/translate/type-urls.js';

let validator: ReturnType<typeof createValidator> | undefined;

/** Validated objects from YAML; any invalid document fails the test (fixtures must be valid). */
export function objectsFrom(yamlText: string): ConfigObject[] {
  const v = (validator ??= createValidator());
  const out: ConfigObject[] = [];
  parseAllDocuments(yamlText).forEach((doc, i) => {
    const raw: unknown = doc.toJS();
    if (raw === null || raw === undefined) return;
    const res = v.validate(raw, { source: `fixture#${i}` });
    assert.ok(res.object, `fixture document #${i} is invalid: ${JSON.stringify(res.errors)}`);
    out.push(res.object);
  });
  return out;
}

export function snapshotFrom(yamlText: string): Snapshot {
  return buildSnapshot(objectsFrom(yamlText), undefined);
}

export interface ProxyOptions {
  namespace?: string;
  ip?: string;
  labels?: Record<string, string>;
}

export function grpcProxy(opts: ProxyOptions = {}): Proxy {
  const ns = opts.namespace ?? 'app';
  const ip = opts.ip ?? '10.0.0.99';
  const parsed = parseProxy({
    id: `sidecar~${ip}~client-0.${ns}~${ns}.svc.cluster.local`,
    metadata: { GENERATOR: 'grpc', NAMESPACE: ns, LABELS: opts.labels ?? { app: 'client' } },
  });
  assert.ok(parsed.ok, 'test proxy must parse');
  return parsed.value;
}

export function generator(mesh: MeshConfig = defaultMeshConfig()) {
  return createGrpcGenerator({ mesh });
}

/** Every resource passes the strict shape check and encodes with Envoy's real message types. */
export function assertEncodable(resources: readonly XdsResource[]): void {
  for (const r of resources) {
    assert.deepEqual(checkResourceShape(r.body), [], `shape problems in ${r.name}`);
    assert.equal(r.body.name ?? r.body.cluster_name, r.name, 'resource name matches its body');
    assert.ok(encodeResourceBody(r.body).bytes.length > 0);
  }
}

export const T = TypeUrl;

/** generate() with the shape check applied. */
export function gen(snapshot: Snapshot, proxy: Proxy, typeUrl: string, names: readonly string[] | undefined, mesh?: MeshConfig): Generated {
  const out = generator(mesh).generate(snapshot, proxy, typeUrl, names);
  assertEncodable(out.resources);
  return out;
}

export function byName(out: Generated, name: string): Record<string, any> {
  const found = out.resources.find((r) => r.name === name);
  assert.ok(found, `no resource ${name}; got ${out.resources.map((r) => r.name).join(', ')}`);
  return found.body as Record<string, any>;
}

/** A mesh: namespace app with echo (2 pods v1/v2 in two zones) and a single-port other service. */
export const BASE_MESH = `
apiVersion: v1
kind: Node
metadata: {name: node-a, labels: {topology.kubernetes.io/region: r1, topology.kubernetes.io/zone: z1}}
---
apiVersion: v1
kind: Node
metadata: {name: node-b, labels: {topology.kubernetes.io/region: r1, topology.kubernetes.io/zone: z2}}
---
apiVersion: v1
kind: Service
metadata: {name: echo, namespace: app}
spec:
  clusterIP: 10.96.0.10
  selector: {app: echo}
  ports:
  - {name: grpc, port: 7070, targetPort: 17070}
  - {name: grpc-alt, port: 7071, targetPort: 17071}
---
apiVersion: v1
kind: Pod
metadata: {name: echo-v1, namespace: app, labels: {app: echo, version: v1}}
spec:
  nodeName: node-a
  containers: [{name: c, ports: [{containerPort: 17070}, {containerPort: 17071}]}]
status: {phase: Running, podIP: 10.0.0.1, conditions: [{type: Ready, status: "True"}]}
---
apiVersion: v1
kind: Pod
metadata: {name: echo-v2, namespace: app, labels: {app: echo, version: v2}}
spec:
  nodeName: node-b
  containers: [{name: c, ports: [{containerPort: 17070}, {containerPort: 17071}]}]
status: {phase: Running, podIP: 10.0.0.2, conditions: [{type: Ready, status: "True"}]}
---
apiVersion: v1
kind: Service
metadata: {name: other, namespace: other}
spec:
  clusterIP: 10.96.0.20
  selector: {app: other}
  ports: [{name: grpc, port: 9090}]
`;
