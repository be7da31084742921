/**
 * Gateway servers are parsed once per Gateway object and shared by every proxy that merges
 * them (src/translate/gateway/servers.ts): a proxy whose own Service maps the server port to
 * another targetPort must still get its own listener port and route name, in whichever order
 * the proxies ask, and a proxy on the declared port must not see the other one's mapping.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseProxy, type Proxy } from '../../../src/model/proxy.js';
import { buildSnapshot } from '../../../src/model/snapshot.js';
import { defaultMeshConfig } from '../../../src/config/mesh-config.js';
import { createGatewayGenerator } from '../../../src/translate/gateway/index.js';
import { TypeUrl } from '../../../src/translate/type-urls.js';
import { objectsFrom } from './grpc-fixtures.js';

const CONFIG = `
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: gw-mapped, namespace: istio-system}
spec:
  hosts: [gw-mapped.example]
  ports: [{number: 80, name: http, protocol: HTTP}]
  resolution: STATIC
  endpoints: [{address: 10.0.0.60, ports: {http: 8080}}]
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: gw, namespace: istio-system}
spec:
  selector: {istio: ingressgateway}
  servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ["*"]}]
`;

function router(ip: string): Proxy {
  const parsed = parseProxy({ id: `router~${ip}~gw-0.istio-system~istio-system.svc.cluster.local`, metadata: { NAMESPACE: 'istio-system', LABELS: { istio: 'ingressgateway' }, INSTANCE_IPS: ip } });
  assert.ok(parsed.ok);
  return parsed.value;
}

const snapshot = buildSnapshot(objectsFrom(CONFIG), undefined);

function listenersAndRoutes(ip: string): { listeners: string[]; routes: string[] } {
  const gen = createGatewayGenerator({ mesh: defaultMeshConfig() });
  const proxy = router(ip);
  const listeners = gen.generate(snapshot, proxy, TypeUrl.Listener, undefined).resources.map((r) => r.name);
  const routes = gen.generate(snapshot, proxy, TypeUrl.RouteConfiguration, ['http.80', 'http.8080']).resources.map((r) => r.name);
  return { listeners, routes };
}

test('a shared Gateway server follows each proxy’s own port mapping, in any order', () => {
  const declared = { listeners: ['0.0.0.0_80'], routes: ['http.80'] };
  const mapped = { listeners: ['0.0.0.0_8080'], routes: ['http.8080'] };
  assert.deepEqual(listenersAndRoutes('10.0.0.50'), declared);
  assert.deepEqual(listenersAndRoutes('10.0.0.60'), mapped);
  assert.deepEqual(listenersAndRoutes('10.0.0.50'), declared, 'the mapped proxy must not change what the next proxy gets');
  assert.deepEqual(listenersAndRoutes('10.0.0.60'), mapped);
});
