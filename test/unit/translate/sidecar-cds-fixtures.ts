/** Builders for the sidecar CDS tests: YAML → Snapshot → checked clusters for a sidecar proxy. */
import assert from 'node:assert/strict';
import { defaultMeshConfig } from '../../../src/config/mesh-config.js';
import type { MeshConfig } from '../../../src/config/mesh-types.js';
import { parseProxy, type Proxy } from '../../../src/model/proxy.js';
import type { ConfigObject } from '../../../src/model/config.js';
import { buildSnapshot } from '../../../src/model/snapshot.js';
import { checkResourceShape, encodeResourceBody } from '../../../src/serve/proto/encode.js';
import { createSidecarGenerator } from '../../../src/translate/sidecar/index.js';
import { TypeUrl } from '../../../src/translate/type-urls.js';
import type { TranslateDiagnostic } from '../../../src/translate/types.js';
import { checkValidateRules } from '../../helpers/validate-rules.js';
import { objectsFrom } from './grpc-fixtures.js';

export type Json = Record<string, any>;

export interface ProxyOptions {
  namespace?: string;
  ip?: string;
  labels?: Record<string, string>;
  interceptionMode?: string;
}

export function sidecarProxy(opts: ProxyOptions = {}): Proxy {
  const ns = opts.namespace ?? 'app';
  const ip = opts.ip ?? '10.0.0.99';
  const metadata: Record<string, unknown> = { NAMESPACE: ns, LABELS: opts.labels ?? { app: 'client' } };
  if (opts.interceptionMode) metadata.INTERCEPTION_MODE = opts.interceptionMode;
  const parsed = parseProxy({ id: `sidecar~${ip}~client-0.${ns}~${ns}.svc.cluster.local`, metadata });
  assert.ok(parsed.ok, 'test proxy must parse');
  return parsed.value;
}

export interface Cds {
  readonly names: string[];
  readonly diagnostics: readonly TranslateDiagnostic[];
  /** A cluster body by name (fails when absent). */
  get(name: string): Json;
  has(name: string): boolean;
}

/** Wildcard CDS for a sidecar (`edit` may change the validated objects); every cluster must pass the shape check, encode, and satisfy Envoy's validate rules. */
export function cds(yaml: string, opts: ProxyOptions & { mesh?: Partial<MeshConfig>; edit?: (objects: ConfigObject[]) => ConfigObject[] } = {}): Cds {
  const gen = createSidecarGenerator({ mesh: { ...defaultMeshConfig(), ...opts.mesh } });
  const objects = (opts.edit ?? ((o) => o))(objectsFrom(yaml)); // edits make config validation would refuse
  const out = gen.generate(buildSnapshot(objects, undefined), sidecarProxy(opts), TypeUrl.Cluster, undefined);
  const byName = new Map<string, Json>();
  for (const r of out.resources) {
    assert.deepEqual(checkResourceShape(r.body), [], `shape problems in ${r.name}`);
    assert.deepEqual(checkValidateRules(r.body), [], `validate rules in ${r.name}`);
    assert.ok(encodeResourceBody(r.body).bytes.length > 0);
    assert.equal(r.body.name, r.name);
    byName.set(r.name, r.body as Json);
  }
  return {
    names: out.resources.map((r) => r.name),
    diagnostics: out.diagnostics,
    get(name) {
      const body = byName.get(name);
      assert.ok(body, `no cluster ${name}; got ${[...byName.keys()].join(', ')}`);
      return body;
    },
    has: (name) => byName.has(name),
  };
}

/** The HttpProtocolOptions of a cluster. */
export function httpOptions(cluster: Json): Json | undefined {
  return cluster.typed_extension_protocol_options?.['envoy.extensions.upstreams.http.v3.HttpProtocolOptions'];
}

/** echo (http + grpc + unnamed + udp ports, pods v1/v2 with sidecars) and the client pod itself. */
export const MESH = `
apiVersion: v1
kind: Service
metadata: {name: echo, namespace: app}
spec:
  clusterIP: 10.96.0.10
  selector: {app: echo}
  ports:
  - {name: http, port: 80, targetPort: 8080}
  - {name: grpc, port: 7070, targetPort: 17070}
  - {name: other, port: 9000, targetPort: 9000}
  - {name: dns, port: 53, targetPort: 53, protocol: UDP}
---
apiVersion: v1
kind: Pod
metadata: {name: echo-v1, namespace: app, labels: {app: echo, version: v1, security.istio.io/tlsMode: istio}}
spec: {serviceAccountName: echo, containers: [{name: c}]}
status: {phase: Running, podIP: 10.0.0.1, conditions: [{type: Ready, status: "True"}]}
---
apiVersion: v1
kind: Pod
metadata: {name: echo-v2, namespace: app, labels: {app: echo, version: v2, security.istio.io/tlsMode: istio}}
spec: {serviceAccountName: echo, containers: [{name: c}]}
status: {phase: Running, podIP: 10.0.0.2, conditions: [{type: Ready, status: "True"}]}
---
apiVersion: v1
kind: Service
metadata: {name: client, namespace: app}
spec:
  clusterIP: 10.96.0.99
  selector: {app: client}
  ports: [{name: http, port: 80, targetPort: 8081}, {name: grpc-api, port: 90, targetPort: 8081}]
---
apiVersion: v1
kind: Pod
metadata: {name: client-0, namespace: app, labels: {app: client}}
spec: {serviceAccountName: client, containers: [{name: c}]}
status: {phase: Running, podIP: 10.0.0.99, conditions: [{type: Ready, status: "True"}]}
`;
