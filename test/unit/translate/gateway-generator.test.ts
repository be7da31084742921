/**
 * The gateway generator's contract beyond the goldens: bad objects never throw, resources
 * depend only on what the scope key names, endpoint changes reach the right EDS names (both
 * cluster name forms), and a removed Gateway removes its listener.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChangeSet } from '../../../src/model/change-set.js';
import type { ConfigObject } from '../../../src/model/config.js';
import { parseProxy, type Proxy } from '../../../src/model/proxy.js';
import { buildSnapshot } from '../../../src/model/snapshot.js';
import { defaultMeshConfig } from '../../../src/config/mesh-config.js';
import { createGatewayGenerator } from '../../../src/translate/gateway/index.js';
import { TypeUrl } from '../../../src/translate/type-urls.js';
import { objectsFrom } from './grpc-fixtures.js';

const MESH = `
apiVersion: v1
kind: Service
metadata: {name: reviews, namespace: default}
spec: {clusterIP: 10.96.0.10, selector: {app: reviews}, ports: [{name: http, port: 9080}]}
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: gw, namespace: istio-system}
spec:
  selector: {istio: ingressgateway}
  servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ["*"]}]
`;

function router(labels: Record<string, string>): Proxy {
  const parsed = parseProxy({ id: 'router~10.0.0.50~gw-0.istio-system~istio-system.svc.cluster.local', metadata: { NAMESPACE: 'istio-system', LABELS: labels, INSTANCE_IPS: '10.0.0.50' } });
  assert.ok(parsed.ok);
  return parsed.value;
}

const gen = () => createGatewayGenerator({ mesh: defaultMeshConfig() });

test('a Gateway selecting the proxy gives its listener; removing it removes the listener', () => {
  const objects = objectsFrom(MESH);
  const proxy = router({ istio: 'ingressgateway' });
  const with_ = gen().generate(buildSnapshot(objects, undefined), proxy, TypeUrl.Listener, undefined);
  assert.deepEqual(with_.resources.map((r) => r.name), ['0.0.0.0_80']);
  const without = gen().generate(buildSnapshot(objects.filter((o) => o.kind !== 'Gateway'), undefined), proxy, TypeUrl.Listener, undefined);
  assert.deepEqual(without.resources, []);
  const other = gen().generate(buildSnapshot(objects, undefined), router({ istio: 'egressgateway' }), TypeUrl.Listener, undefined);
  assert.deepEqual(other.resources, [], 'selector labels must all be on the proxy');
});

test('malformed Gateways (bypassing validation) are reported, never thrown', () => {
  const bad: ConfigObject = {
    kind: 'Gateway', apiVersion: 'networking.istio.io/v1', metadata: { name: 'bad', namespace: 'istio-system', labels: {}, annotations: {} },
    spec: { servers: [{ hosts: ['*'] }, null, { port: { number: 443, name: 'https', protocol: 'HTTPS' }, hosts: ['a.com'], tls: { mode: 'SIMPLE' } }] },
  };
  const snapshot = buildSnapshot([...objectsFrom(MESH), bad], undefined);
  const proxy = router({ istio: 'ingressgateway' });
  for (const typeUrl of [TypeUrl.Listener, TypeUrl.Cluster]) {
    const out = gen().generate(snapshot, proxy, typeUrl, undefined);
    if (typeUrl === TypeUrl.Listener) {
      assert.deepEqual(out.resources.map((r) => r.name), ['0.0.0.0_80'], 'the valid Gateway still works');
      assert.ok(out.diagnostics.some((d) => d.source === 'Gateway/istio-system/bad' && d.path === 'spec.servers[0].port'));
      assert.ok(out.diagnostics.some((d) => d.source === 'Gateway/istio-system/bad' && d.path === 'spec.servers[2].tls' && /credentialName/.test(d.message)));
    }
  }
  const rds = gen().generate(snapshot, proxy, TypeUrl.RouteConfiguration, ['http.80', 'not-ours', '80']);
  assert.deepEqual(rds.resources.map((r) => r.name), ['http.80']);
});

test('scope keys: routers with other labels or IPs differ, the same router is stable', () => {
  const g = gen();
  const a = router({ istio: 'ingressgateway' });
  assert.equal(g.scopeKey(a, TypeUrl.Listener, undefined), g.scopeKey(router({ istio: 'ingressgateway' }), TypeUrl.Listener, undefined));
  assert.notEqual(g.scopeKey(a, TypeUrl.Listener, undefined), g.scopeKey(router({ istio: 'egressgateway' }), TypeUrl.Listener, undefined));
});

test('endpoint changes reach EDS by host, in the outbound| and SNI-DNAT name forms', () => {
  const g = gen();
  const changes = { endpointsChanged: ['reviews.default.svc.cluster.local'] } as unknown as ChangeSet;
  assert.ok(g.affectedByEndpoints(changes, TypeUrl.ClusterLoadAssignment, 'outbound|9080||reviews.default.svc.cluster.local'));
  assert.ok(g.affectedByEndpoints(changes, TypeUrl.ClusterLoadAssignment, 'outbound_.9080_.v1_.reviews.default.svc.cluster.local'));
  assert.ok(!g.affectedByEndpoints(changes, TypeUrl.ClusterLoadAssignment, 'outbound|9080||ratings.default.svc.cluster.local'));
  assert.ok(!g.affectedByEndpoints(changes, TypeUrl.Cluster, 'outbound|9080||reviews.default.svc.cluster.local'));
});
