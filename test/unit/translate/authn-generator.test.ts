/**
 * The generators read jwksUri key sets through their `jwks` option: LDS scope keys carry the
 * lookup's version (so a fetched or rotated key set is not served from a stale cache) while other
 * types' keys do not, and a later lookup's key set reaches the next generated listeners.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultMeshConfig } from '../../../src/config/mesh-config.js';
import { parseProxy, type Proxy } from '../../../src/model/proxy.js';
import { buildSnapshot, registryOptions } from '../../../src/model/snapshot.js';
import { type JwksLookup, UNVERIFIABLE_JWKS } from '../../../src/translate/common/authn/index.js';
import { createGatewayGenerator } from '../../../src/translate/gateway/index.js';
import { createSidecarGenerator } from '../../../src/translate/sidecar/index.js';
import { TypeUrl } from '../../../src/translate/type-urls.js';
import type { XdsResource } from '../../../src/translate/types.js';
import { nodeFor } from '../../golden/translate-sidecar/render.js';
import { objectsFrom } from './grpc-fixtures.js';

type Json = Record<string, any>;

const URI = 'https://issuer.example.com/jwks';
const YAML = `
apiVersion: v1
kind: Service
metadata: {name: client, namespace: default}
spec: {clusterIP: 10.96.9.9, selector: {app: client}, ports: [{name: http, port: 80, targetPort: 8080}]}
---
apiVersion: v1
kind: Pod
metadata: {name: client-0, namespace: default, labels: {app: client}}
spec: {serviceAccountName: client, containers: [{name: c}]}
status: {phase: Running, podIP: 10.0.0.9, conditions: [{type: Ready, status: "True"}]}
---
apiVersion: security.istio.io/v1
kind: RequestAuthentication
metadata: {name: jwt, namespace: default}
spec:
  jwtRules: [{issuer: https://issuer.example.com, jwksUri: "${URI}"}]
`;

function sidecarProxy(): Proxy {
  const parsed = parseProxy(nodeFor(undefined));
  assert.ok(parsed.ok);
  return parsed.value;
}

/** The inline key set of the first inbound manager's jwt_authn provider. */
function inlinedKeys(listeners: readonly XdsResource[]): string | undefined {
  for (const l of listeners.filter((r) => r.name === 'virtualInbound')) {
    for (const chain of l.body.filter_chains as Json[]) {
      const hcm = (chain.filters as Json[]).find((f) => f.name === 'envoy.filters.network.http_connection_manager');
      const jwt = (hcm?.typed_config.http_filters as Json[] | undefined)?.find((f) => f.name === 'envoy.filters.http.jwt_authn');
      if (jwt) return jwt.typed_config.providers['origins-0'].local_jwks.inline_string;
    }
  }
  return undefined;
}

test('authn: sidecar LDS scope keys follow the JWKS lookup version; inlined keys follow the lookup', () => {
  let lookup: JwksLookup = { get: () => undefined, version: '1' };
  const gen = createSidecarGenerator({ mesh: defaultMeshConfig(), jwks: () => lookup });
  const snapshot = buildSnapshot(objectsFrom(YAML), undefined, registryOptions({ rootNamespace: 'istio-system' }));
  const proxy = sidecarProxy();
  const lds1 = gen.scopeKey(proxy, TypeUrl.Listener, undefined);
  const cds1 = gen.scopeKey(proxy, TypeUrl.Cluster, undefined);
  const first = gen.generate(snapshot, proxy, TypeUrl.Listener, undefined);
  assert.equal(inlinedKeys(first.resources), UNVERIFIABLE_JWKS);
  assert.ok(first.diagnostics.some((d) => d.path === 'spec.jwtRules[0].jwksUri' && d.source === 'RequestAuthentication/default/jwt'));

  lookup = { get: (uri) => (uri === URI ? { ok: true, jwks: '{"keys":[{"kty":"EC","crv":"P-256","x":"gM6tG3_3yTYIPqy8uwpu2ntKq284RE4FYspiwquz7Vs","y":"3fL6YmjX13_gRws4skxSd9emTU1N-0uqq-NLotF3-DI"}]}' } : undefined), version: '2' };
  assert.notEqual(gen.scopeKey(proxy, TypeUrl.Listener, undefined), lds1, 'LDS key moves with the version');
  assert.equal(gen.scopeKey(proxy, TypeUrl.Cluster, undefined), cds1, 'CDS key does not');
  const second = gen.generate(snapshot, proxy, TypeUrl.Listener, undefined);
  assert.match(inlinedKeys(second.resources) ?? '', /"kty":"EC"/);
  assert.ok(!second.diagnostics.some((d) => d.path === 'spec.jwtRules[0].jwksUri'));
});

test('authn: gateway LDS scope keys follow the JWKS lookup version, RDS keys do not', () => {
  let version = 'a';
  const gen = createGatewayGenerator({ mesh: defaultMeshConfig(), jwks: () => ({ get: () => undefined, version }) });
  const parsed = parseProxy({ id: 'router~10.0.0.50~gw-0.istio-system~istio-system.svc.cluster.local', metadata: { NAMESPACE: 'istio-system', LABELS: { istio: 'ingressgateway' }, INSTANCE_IPS: '10.0.0.50' } });
  assert.ok(parsed.ok);
  const lds = gen.scopeKey(parsed.value, TypeUrl.Listener, undefined);
  const rds = gen.scopeKey(parsed.value, TypeUrl.RouteConfiguration, undefined);
  version = 'b';
  assert.notEqual(gen.scopeKey(parsed.value, TypeUrl.Listener, undefined), lds);
  assert.equal(gen.scopeKey(parsed.value, TypeUrl.RouteConfiguration, undefined), rds);
});
