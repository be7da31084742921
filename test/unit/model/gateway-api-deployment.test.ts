/**
 * The objects Istio's gateway deployment controller would create for a Gateway: names and their
 * override annotations, Service ports from listeners, labels and annotations (infrastructure or
 * the Gateway's own), Service type, owner references, and the Gateways it leaves alone.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gatewayDeployment, type DesiredObject, type GatewayDeployment, type RawGateway } from '../../../src/model/gateway-api/deployment.js';
import { controllerVersionAllows, servicePorts } from '../../../src/model/gateway-api/deployment-parts.js';

const ISTIO = 'istio.io/gateway-controller';

function gw(over: { metadata?: Record<string, unknown>; spec?: Record<string, unknown> } = {}): RawGateway {
  return {
    metadata: { name: 'edge', namespace: 'infra', uid: 'uid-1', ...over.metadata },
    spec: { gatewayClassName: 'istio', listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }], ...over.spec },
  };
}

function objects(plan: GatewayDeployment): Record<string, DesiredObject> {
  assert.ok(plan.deploy, `expected a deployment, got: ${plan.deploy ? '' : plan.reason}`);
  return Object.fromEntries(plan.objects.map((o) => [o.plural, o]));
}

type Meta = { name: string; labels: Record<string, string>; annotations: Record<string, string>; ownerReferences: unknown[] };
const meta = (o: DesiredObject) => o.body.metadata as Meta;
const spec = (o: DesiredObject) => o.body.spec as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

test('a Gateway of class istio: ServiceAccount, Deployment and Service named <gateway>-<class>, owned by the Gateway', () => {
  const plan = gatewayDeployment(gw(), ISTIO);
  assert.ok(plan.deploy);
  assert.deepEqual(plan.objects.map((o) => `${o.group}/${o.version}/${o.plural}/${o.namespace}/${o.name}`), [
    '/v1/serviceaccounts/infra/edge-istio', 'apps/v1/deployments/infra/edge-istio', '/v1/services/infra/edge-istio',
  ]);
  for (const o of plan.objects) {
    assert.deepEqual(meta(o).ownerReferences, [{ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', name: 'edge', uid: 'uid-1' }]);
    assert.equal(meta(o).labels['gateway.istio.io/managed'], 'istio.io-gateway-controller');
    assert.equal(meta(o).labels['gateway.networking.k8s.io/gateway-name'], 'edge');
    assert.equal(meta(o).labels['gateway.networking.k8s.io/gateway-class-name'], 'istio');
    assert.equal(o.body.kind, { serviceaccounts: 'ServiceAccount', deployments: 'Deployment', services: 'Service' }[o.plural]);
  }
  const { deployments: d, services: s } = objects(plan);
  const pod = spec(d!).template;
  assert.deepEqual(spec(d!).selector, { matchLabels: { 'gateway.networking.k8s.io/gateway-name': 'edge' } });
  assert.equal(pod.metadata.labels['sidecar.istio.io/inject'], 'true');
  assert.equal(pod.metadata.labels['gateway.networking.k8s.io/gateway-name'], 'edge');
  assert.equal(pod.metadata.annotations['inject.istio.io/templates'], 'gateway');
  assert.equal(pod.spec.serviceAccountName, 'edge-istio');
  assert.deepEqual(pod.spec.containers, [{ name: 'istio-proxy', image: 'auto' }]);
  assert.deepEqual(pod.spec.securityContext.sysctls, [{ name: 'net.ipv4.ip_unprivileged_port_start', value: '0' }]);
  assert.equal(spec(s!).type, 'LoadBalancer');
  assert.deepEqual(spec(s!).selector, { 'gateway.networking.k8s.io/gateway-name': 'edge' });
});

test('name-override renames the Deployment and Service; service-account renames only the ServiceAccount', () => {
  const annotations = { 'gateway.istio.io/name-override': 'front', 'gateway.istio.io/service-account': 'front-sa' };
  const { serviceaccounts: sa, deployments: d, services: s } = objects(gatewayDeployment(gw({ metadata: { annotations } }), ISTIO));
  assert.deepEqual([sa!.name, d!.name, s!.name], ['front-sa', 'front', 'front']);
  assert.equal(spec(d!).template.spec.serviceAccountName, 'front-sa');
  for (const o of [sa!, d!, s!]) assert.deepEqual(meta(o).annotations, {}, 'controller annotations are not copied');
  const plain = objects(gatewayDeployment(gw({ metadata: { annotations: { 'gateway.istio.io/name-override': 'front' } } }), ISTIO));
  assert.equal(plain.serviceaccounts!.name, 'edge-istio', 'the ServiceAccount keeps the default name');
});

test('Service ports: status-port first, one per distinct listener port, names sanitized, appProtocol lowercased, no targetPort', () => {
  const listeners = [
    { name: 'http', port: 80, protocol: 'HTTP' },
    { name: 'other.http', port: 80, protocol: 'HTTP' },
    { name: 'tls.example.com', port: 443, protocol: 'HTTPS' },
    { name: 'x'.repeat(70), port: 9000, protocol: 'TCP' },
    { port: 9443, protocol: 'TLS' },
    { name: 'bad', port: 70000, protocol: 'TCP' },
    'garbage',
  ];
  assert.deepEqual(servicePorts(listeners), [
    { name: 'status-port', port: 15021, protocol: 'TCP', appProtocol: 'tcp' },
    { name: 'http', port: 80, protocol: 'TCP', appProtocol: 'http' },
    { name: 'tls-example-com', port: 443, protocol: 'TCP', appProtocol: 'https' },
    { name: 'x'.repeat(63), port: 9000, protocol: 'TCP', appProtocol: 'tcp' },
    { name: 'tls-4', port: 9443, protocol: 'TCP', appProtocol: 'tls' },
  ]);
  const { services: s } = objects(gatewayDeployment(gw({ spec: { listeners } }), ISTIO));
  assert.equal(spec(s!).ports.length, 5);
});

test('labels and annotations: spec.infrastructure wins (gateway.networking.k8s.io/ keys dropped), else the Gateway\'s own', () => {
  const own = { labels: { team: 'a' }, annotations: { note: 'x', 'kubectl.kubernetes.io/last-applied-configuration': '{}' } };
  const infrastructure = { labels: { tier: 'edge', 'gateway.networking.k8s.io/x': 'no' }, annotations: { 'cloud/lb': 'internal' } };
  const withInfra = objects(gatewayDeployment(gw({ metadata: own, spec: { infrastructure } }), ISTIO));
  for (const o of Object.values(withInfra)) {
    assert.equal(meta(o).labels.tier, 'edge');
    assert.equal(meta(o).labels.team, undefined);
    assert.equal(meta(o).labels['gateway.networking.k8s.io/x'], undefined);
    assert.deepEqual(meta(o).annotations, { 'cloud/lb': 'internal' });
  }
  assert.equal(spec(withInfra.deployments!).template.metadata.labels.tier, 'edge');
  assert.equal(spec(withInfra.deployments!).template.metadata.annotations['cloud/lb'], 'internal');
  const copied = objects(gatewayDeployment(gw({ metadata: own }), ISTIO));
  assert.equal(meta(copied.services!).labels.team, 'a');
  assert.deepEqual(meta(copied.services!).annotations, { note: 'x' });
  // Istio's labels win over the infrastructure's.
  const clash = objects(gatewayDeployment(gw({ spec: { infrastructure: { labels: { 'gateway.istio.io/managed': 'me' } } } }), ISTIO));
  assert.equal(meta(clash.deployments!).labels['gateway.istio.io/managed'], 'istio.io-gateway-controller');
});

test('Service type: networking.istio.io/service-type overrides LoadBalancer; a single IP becomes loadBalancerIP; a bad type is refused', () => {
  const cluster = objects(gatewayDeployment(gw({ metadata: { annotations: { 'networking.istio.io/service-type': 'ClusterIP' } } }), ISTIO));
  assert.equal(spec(cluster.services!).type, 'ClusterIP');
  const ip = objects(gatewayDeployment(gw({ spec: { addresses: [{ type: 'IPAddress', value: '203.0.113.7' }] } }), ISTIO));
  assert.equal(spec(ip.services!).loadBalancerIP, '203.0.113.7');
  const ipCluster = objects(gatewayDeployment(gw({ metadata: { annotations: { 'networking.istio.io/service-type': 'ClusterIP' } }, spec: { addresses: [{ value: '203.0.113.7' }] } }), ISTIO));
  assert.equal(spec(ipCluster.services!).loadBalancerIP, undefined);
  const bad = gatewayDeployment(gw({ metadata: { annotations: { 'networking.istio.io/service-type': 'Weird' } } }), ISTIO);
  assert.ok(!bad.deploy && /networking\.istio\.io\/service-type.*Weird/.test(bad.reason));
});

test('skipped: manually deployed addresses, other controllers, unknown classes, newer controller versions, other revisions, bad input', () => {
  const reason = (plan: GatewayDeployment) => (plan.deploy ? 'deployed' : plan.reason);
  assert.match(reason(gatewayDeployment(gw({ spec: { addresses: [{ type: 'Hostname', value: 'lb.example.com' }] } }), ISTIO)), /manually deployed/);
  assert.match(reason(gatewayDeployment(gw({ spec: { addresses: [{ value: '10.0.0.1' }, { value: '10.0.0.2' }] } }), ISTIO)), /manually deployed/);
  assert.match(reason(gatewayDeployment(gw(), 'example.com/other')), /not handled/);
  assert.match(reason(gatewayDeployment(gw({ spec: { gatewayClassName: 'custom' } }), undefined)), /not handled/);
  assert.equal(reason(gatewayDeployment(gw(), undefined)), 'deployed', 'the built-in istio class needs no GatewayClass object');
  assert.match(reason(gatewayDeployment(gw({ metadata: { annotations: { 'gateway.istio.io/controller-version': '6' } } }), ISTIO)), /newer controller/);
  assert.equal(reason(gatewayDeployment(gw({ metadata: { annotations: { 'gateway.istio.io/controller-version': '5' } } }), ISTIO)), 'deployed');
  assert.match(reason(gatewayDeployment(gw({ metadata: { labels: { 'istio.io/rev': 'canary' } } }), ISTIO)), /revision canary/);
  assert.match(reason(gatewayDeployment(gw({ metadata: { uid: undefined } }), ISTIO)), /metadata\.uid/);
  assert.match(reason(gatewayDeployment({ metadata: { name: 7 }, spec: 'nope' }, ISTIO)), /metadata\.name/);
  assert.match(reason(gatewayDeployment(gw({ spec: { gatewayClassName: '' } }), ISTIO)), /gatewayClassName/);
  assert.equal(controllerVersionAllows({ 'gateway.istio.io/controller-version': 'v2' }), false);
  assert.equal(controllerVersionAllows({ 'gateway.istio.io/controller-version': '1' }), true);
});
