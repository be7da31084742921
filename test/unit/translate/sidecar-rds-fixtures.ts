/** Builders for the sidecar RDS tests: YAML → Snapshot, a sidecar proxy, checked route configurations. */
import assert from 'node:assert/strict';
import { defaultMeshConfig } from '../../../src/config/mesh-config.js';
import type { MeshConfig } from '../../../src/config/mesh-types.js';
import { parseProxy, type Proxy } from '../../../src/model/proxy.js';
import { checkResourceShape, encodeResourceBody } from '../../../src/serve/proto/encode.js';
import { createSidecarGenerator } from '../../../src/translate/sidecar/index.js';
import { TypeUrl } from '../../../src/translate/type-urls.js';
import type { TranslateDiagnostic } from '../../../src/translate/types.js';
import { checkValidateRules } from '../../helpers/validate-rules.js';
import type { ConfigObject } from '../../../src/model/config.js';
import { buildSnapshot } from '../../../src/model/snapshot.js';
import { objectsFrom } from './grpc-fixtures.js';

export type Json = Record<string, any>;

export function sidecarProxy(opts: { namespace?: string; labels?: Record<string, string> } = {}): Proxy {
  const ns = opts.namespace ?? 'default';
  const parsed = parseProxy({ id: `sidecar~10.0.0.9~app-1.${ns}~${ns}.svc.cluster.local`, metadata: { NAMESPACE: ns, LABELS: opts.labels ?? { app: 'x' } } });
  assert.ok(parsed.ok, 'test proxy must parse');
  return parsed.value;
}

export interface Rds {
  readonly config: Json;
  readonly diagnostics: readonly TranslateDiagnostic[];
  /** Virtual host by name. */
  vh(name: string): Json;
  /** Routes of a virtual host. */
  routes(name: string): Json[];
}

/** Route configuration `port` for the proxy (`edit` may put objects validation would refuse); it must encode and pass Envoy's validate rules. */
export function rds(yaml: string, opts: { port?: string; labels?: Record<string, string>; namespace?: string; mesh?: Partial<MeshConfig>; edit?: (objects: ConfigObject[]) => ConfigObject[] } = {}): Rds {
  const port = opts.port ?? '80';
  const gen = createSidecarGenerator({ mesh: { ...defaultMeshConfig(), ...opts.mesh } });
  const out = gen.generate(buildSnapshot((opts.edit ?? ((o) => o))(objectsFrom(yaml)), undefined), sidecarProxy(opts), TypeUrl.RouteConfiguration, [port]);
  assert.equal(out.resources.length, 1, `route configuration ${port} is served`);
  const body = out.resources[0]!.body as Json;
  assert.deepEqual(checkResourceShape(body), [], 'shape');
  assert.deepEqual(checkValidateRules(body), [], 'validate.rules');
  assert.ok(encodeResourceBody(body).bytes.length > 0);
  const vh = (name: string) => {
    const found = (body.virtual_hosts as Json[]).find((v) => v.name === name);
    assert.ok(found, `no virtual host ${name}; got ${(body.virtual_hosts as Json[]).map((v) => v.name).join(', ')}`);
    return found;
  };
  return { config: body, diagnostics: out.diagnostics, vh, routes: (name) => vh(name).routes as Json[] };
}

/** Services in namespace default (echo: 80 http + 9090 grpc, two VIP'd) and `other` (web: 80). */
export const MESH = `
apiVersion: v1
kind: Service
metadata: {name: echo, namespace: default}
spec:
  clusterIP: 10.1.0.1
  selector: {app: echo}
  ports:
  - {name: http, port: 80, targetPort: 8080}
  - {name: grpc, port: 9090}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: other}
spec:
  clusterIP: 10.1.0.2
  selector: {app: web}
  ports:
  - {name: http-web, port: 80}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: echo, namespace: default}
spec:
  host: echo
  subsets:
  - {name: v1, labels: {version: v1}}
  - {name: v2, labels: {version: v2}}
`;

export const ECHO = 'echo.default.svc.cluster.local';
export const ECHO_VH = `${ECHO}:80`;
export const cluster = (subset = '', host = ECHO, port = 80) => `outbound|${port}|${subset}|${host}`;
