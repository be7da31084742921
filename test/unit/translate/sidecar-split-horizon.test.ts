/**
 * Split-horizon EDS: a proxy on one network gets other networks' gateways instead of their pod
 * IPs (mTLS endpoints only), with weights aggregated per gateway and locality; endpoints whose
 * network has no gateway, or with an unknown network, are sent directly (Istio's rules).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultMeshConfig } from '../../../src/config/mesh-config.js';
import type { ConfigObject } from '../../../src/model/config.js';
import { parseProxy } from '../../../src/model/proxy.js';
import { buildSnapshot, registryOptions } from '../../../src/model/snapshot.js';
import { createSidecarGenerator } from '../../../src/translate/sidecar/index.js';
import { TypeUrl } from '../../../src/translate/type-urls.js';
import { checkValidateRules } from '../../helpers/validate-rules.js';
import { objectsFrom } from './grpc-fixtures.js';

const WEB = 'outbound|80||web.app.svc.cluster.local';

const CONFIG = `
apiVersion: v1
kind: Service
metadata: {name: web, namespace: app}
spec: {clusterIP: 10.96.0.80, ports: [{name: http, port: 80, targetPort: 8080}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: web-1, namespace: app, labels: {kubernetes.io/service-name: web}}
addressType: IPv4
ports: [{name: http, port: 8080}]
endpoints:
- {addresses: [10.1.0.1], zone: z1, targetRef: {kind: Pod, name: a1, namespace: app}}
---
apiVersion: v1
kind: Pod
metadata: {name: a1, namespace: app, labels: {topology.istio.io/network: net-a, security.istio.io/tlsMode: istio}}
spec: {containers: [{name: c}]}
status: {phase: Running, podIP: 10.1.0.1}
`;

function pods(cluster: string, network: string, rows: Array<[string, string, boolean]>): string {
  const slice = `
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: web-${cluster}, namespace: app, labels: {kubernetes.io/service-name: web}}
addressType: IPv4
ports: [{name: http, port: 8080}]
endpoints:
${rows.map(([name, ip]) => `- {addresses: [${ip}], zone: z1, targetRef: {kind: Pod, name: ${name}, namespace: app}}`).join('\n')}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: app}
spec: {clusterIP: 10.100.0.80, ports: [{name: http, port: 80, targetPort: 8080}]}
`;
  const podDocs = rows.map(([name, ip, mtls]) => `
---
apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: app, labels: {topology.istio.io/network: ${network}${mtls ? ', security.istio.io/tlsMode: istio' : ''}}}
spec: {containers: [{name: c}]}
status: {phase: Running, podIP: ${ip}}
`);
  return slice + podDocs.join('');
}

function gateway(cluster: string, network: string, ips: string[]): string {
  return `
---
apiVersion: v1
kind: Service
metadata: {name: istio-eastwestgateway, namespace: istio-system, labels: {topology.istio.io/network: ${network}}}
spec: {type: LoadBalancer, ports: [{name: tls, port: 15443}]}
status: {loadBalancer: {ingress: [${ips.map((ip) => `{ip: ${ip}}`).join(', ')}]}}
`;
}

const inCluster = (cluster: string, yaml: string): ConfigObject[] => objectsFrom(yaml).map((o) => ({ ...o, cluster }));

function eds(objects: ConfigObject[], network: string | undefined) {
  const snapshot = buildSnapshot(objects, undefined, registryOptions({ clusterID: 'a', endpointsFromPods: false }));
  const proxy = parseProxy({ id: 'sidecar~10.1.0.9~client.app~app.svc.cluster.local', metadata: { NAMESPACE: 'app', ...(network ? { NETWORK: network } : {}) } });
  assert.ok(proxy.ok);
  const out = createSidecarGenerator({ mesh: defaultMeshConfig() }).generate(snapshot, proxy.value, TypeUrl.ClusterLoadAssignment, [WEB]);
  const body = out.resources[0]!.body as { endpoints: Array<{ load_balancing_weight: { value: number }; lb_endpoints: any[] }> };
  for (const r of out.resources) assert.deepEqual(checkValidateRules(r.body), []);
  return body.endpoints.flatMap((g) => g.lb_endpoints.map((e) => {
    const a = e.endpoint.address.socket_address;
    return `${a.address}:${a.port_value} w${e.load_balancing_weight.value}${e.health_status ? '' : ' gw'}`;
  }));
}

const B = pods('b', 'net-b', [['b1', '10.2.0.1', true], ['b2', '10.2.0.2', true], ['b3', '10.2.0.3', false]]);

test('a proxy on network A gets B\'s gateway (weight = mTLS endpoints it stands for) instead of B\'s pod IPs', () => {
  const objects = [...objectsFrom(CONFIG), ...inCluster('b', B + gateway('b', 'net-b', ['198.51.100.2']))];
  assert.deepEqual(eds(objects, 'net-a'), ['10.1.0.1:8080 w1', '198.51.100.2:15443 w2 gw'], 'b3 has no sidecar (no mTLS): it cannot go through the gateway');
  const gw = (() => {
    const snapshot = buildSnapshot(objects, undefined, registryOptions({ clusterID: 'a', endpointsFromPods: false }));
    const proxy = parseProxy({ id: 'sidecar~10.1.0.9~client.app~app.svc.cluster.local', metadata: { NAMESPACE: 'app', NETWORK: 'net-a' } });
    assert.ok(proxy.ok);
    const out = createSidecarGenerator({ mesh: defaultMeshConfig() }).generate(snapshot, proxy.value, TypeUrl.ClusterLoadAssignment, [WEB]);
    return (out.resources[0]!.body as any).endpoints[0].lb_endpoints[1];
  })();
  assert.deepEqual(gw.metadata.filter_metadata['envoy.transport_socket_match'], { tlsMode: 'istio' });
  assert.equal(gw.metadata.filter_metadata.istio.workload, ';;;;b');
});

test('a proxy on network B gets B\'s pods directly and A\'s endpoint directly when A has no gateway', () => {
  const objects = [...objectsFrom(CONFIG), ...inCluster('b', B + gateway('b', 'net-b', ['198.51.100.2']))];
  assert.deepEqual(eds(objects, 'net-b'), ['10.1.0.1:8080 w1', '10.2.0.1:8080 w1', '10.2.0.2:8080 w1', '10.2.0.3:8080 w1']);
});

test('no proxy network, or no gateways anywhere: every endpoint directly', () => {
  const withGw = [...objectsFrom(CONFIG), ...inCluster('b', B + gateway('b', 'net-b', ['198.51.100.2']))];
  assert.deepEqual(eds(withGw, undefined), ['10.1.0.1:8080 w1', '10.2.0.1:8080 w1', '10.2.0.2:8080 w1', '10.2.0.3:8080 w1']);
  const noGw = [...objectsFrom(CONFIG), ...inCluster('b', B)];
  assert.deepEqual(eds(noGw, 'net-a'), ['10.1.0.1:8080 w1', '10.2.0.1:8080 w1', '10.2.0.2:8080 w1', '10.2.0.3:8080 w1']);
});

test('two gateways for B: every weight is scaled by 2 and split evenly', () => {
  const objects = [...objectsFrom(CONFIG), ...inCluster('b', B + gateway('b', 'net-b', ['198.51.100.2', '198.51.100.3']))];
  assert.deepEqual(eds(objects, 'net-a'), ['10.1.0.1:8080 w2', '198.51.100.2:15443 w2 gw', '198.51.100.3:15443 w2 gw']);
});
