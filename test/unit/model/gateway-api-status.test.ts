/**
 * Gateway status beyond listeners' references: listener conflicts (HostnameConflict,
 * ProtocolConflict; conflicted listeners not programmed) and status.addresses plus Programmed
 * from the gateway Service (load balancer, hostname, pending, missing port, unsupported
 * spec.addresses), and the merge keeping addresses once reported.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { convertGatewayApi } from '../../../src/model/gateway-api/convert.js';
import { mergeStatus, type ComputedStatus } from '../../../src/model/gateway-api/status.js';
import { objectsFrom } from '../translate/grpc-fixtures.js';

type GatewayStatus = Extract<ComputedStatus, { kind: 'gateway' }>;

const gateway = (name: string, spec: string, meta = '') => `---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: ${name}, namespace: infra${meta}}
spec:
  gatewayClassName: istio
${spec}
`;

const service = (name: string, spec: string, status = '') => `---
apiVersion: v1
kind: Service
metadata: {name: ${name}, namespace: infra}
spec: ${spec}
${status}`;

function gatewayStatus(yamlText: string, name: string) {
  const out = convertGatewayApi(objectsFrom(yamlText), { domain: 'cluster.local' });
  return { status: out.status.get(`KubernetesGateway/infra/${name}`) as GatewayStatus, configs: out.configs };
}

const listenerConds = (s: GatewayStatus) =>
  Object.fromEntries(s.listeners.map((l) => [l.name, l.conditions.filter((c) => c.type !== 'ResolvedRefs').map((c) => `${c.type}=${c.status}/${c.reason}`)]));

test('listeners on one port: same hostname conflicts, incompatible protocols conflict, distinct ones do not', () => {
  const { status, configs } = gatewayStatus(gateway('gw', `  listeners:
  - {name: a, port: 80, protocol: HTTP, hostname: a.example.com}
  - {name: a-again, port: 80, protocol: HTTP, hostname: a.example.com}
  - {name: b, port: 80, protocol: HTTP, hostname: b.example.com}
  - {name: plain, port: 8080, protocol: HTTP}
  - {name: tcp, port: 8080, protocol: TCP}
  - {name: db1, port: 5432, protocol: TCP}
  - {name: db2, port: 5432, protocol: TCP}
  - {name: dns, port: 5432, protocol: UDP}`), 'gw');
  const conds = listenerConds(status);
  assert.deepEqual(conds.a, ['Accepted=False/HostnameConflict', 'Conflicted=True/HostnameConflict', 'Programmed=False/Invalid']);
  assert.deepEqual(conds['a-again'], conds.a);
  assert.deepEqual(conds.b, ['Accepted=True/Accepted', 'Conflicted=False/NoConflicts', 'Programmed=True/Programmed'], 'a distinct hostname on the same port is fine');
  for (const name of ['plain', 'tcp', 'db1', 'db2']) assert.equal(conds[name]![1], 'Conflicted=True/ProtocolConflict', name);
  assert.equal(conds.dns![1], 'Conflicted=False/NoConflicts', 'UDP does not share TCP ports');
  assert.match(status.listeners[0]!.conditions.find((c) => c.type === 'Conflicted')!.message, /"a", "a-again".*port 80.*"a\.example\.com"/);
  const servers = configs.filter((c) => c.kind === 'Gateway').map((c) => c.metadata.name.split('~').pop());
  assert.deepEqual(servers, ['b'], 'conflicted listeners are not programmed (UDP is unsupported anyway)');
});

test('HTTPS and TLS listeners share a port by hostname; two catch-all HTTPS listeners conflict', () => {
  const { status } = gatewayStatus(gateway('gw', `  listeners:
  - {name: tls, port: 443, protocol: TLS, hostname: db.example.com, tls: {mode: Passthrough}}
  - {name: any1, port: 443, protocol: HTTPS, tls: {certificateRefs: [{name: cert}]}}
  - {name: any2, port: 443, protocol: HTTPS, tls: {certificateRefs: [{name: cert}]}}`), 'gw');
  const conds = listenerConds(status);
  assert.equal(conds.tls![1], 'Conflicted=False/NoConflicts');
  assert.equal(conds.any1![1], 'Conflicted=True/HostnameConflict');
  assert.equal(conds.any2![1], 'Conflicted=True/HostnameConflict');
});

const LISTENERS = '  listeners: [{name: http, port: 80, protocol: HTTP}]';
const gwConds = (s: GatewayStatus) => s.conditions.map((c) => `${c.type}=${c.status}/${c.reason}`);

test('addresses: the load balancer of the <name>-istio Service, with Programmed naming the service', () => {
  const { status } = gatewayStatus(gateway('gw', LISTENERS) + service('gw-istio', '{type: LoadBalancer, clusterIP: 10.0.0.9, ports: [{port: 80}]}', 'status: {loadBalancer: {ingress: [{ip: 203.0.113.7}]}}'), 'gw');
  assert.deepEqual(status.addresses, [{ type: 'IPAddress', value: '203.0.113.7' }]);
  assert.deepEqual(gwConds(status), ['Accepted=True/Accepted', 'Programmed=True/Programmed']);
  assert.equal(status.conditions[1]!.message, 'Resource programmed, assigned to service(s) gw-istio.infra.svc.cluster.local:80');
});

test('addresses: a ClusterIP Service reports its hostname; the IPAddress override reports the cluster IP; a name override picks the Service', () => {
  const svc = service('edge', '{type: ClusterIP, clusterIP: 10.0.0.9, ports: [{port: 80}]}');
  const byHost = gatewayStatus(gateway('gw', LISTENERS, ', annotations: {gateway.istio.io/name-override: edge}') + svc, 'gw').status;
  assert.deepEqual(byHost.addresses, [{ type: 'Hostname', value: 'edge.infra.svc.cluster.local' }]);
  const byIp = gatewayStatus(gateway('gw', LISTENERS, ', annotations: {gateway.istio.io/name-override: edge, networking.istio.io/address-type: IPAddress}') + svc, 'gw').status;
  assert.deepEqual(byIp.addresses, [{ type: 'IPAddress', value: '10.0.0.9' }]);
});

test('addresses: pending load balancer and missing port are not assigned; no Service leaves Programmed to the listeners', () => {
  const pending = gatewayStatus(gateway('gw', LISTENERS) + service('gw-istio', '{type: LoadBalancer, clusterIP: 10.0.0.9, ports: [{port: 80}]}'), 'gw').status;
  assert.deepEqual(pending.addresses, []);
  assert.deepEqual(gwConds(pending), ['Accepted=True/Accepted', 'Programmed=False/AddressNotAssigned']);
  assert.match(pending.conditions[1]!.message, /address pending for hostname "gw-istio\.infra\.svc\.cluster\.local"/);
  const noPort = gatewayStatus(gateway('gw', LISTENERS) + service('gw-istio', '{clusterIP: 10.0.0.9, ports: [{port: 8080}]}'), 'gw').status;
  assert.match(noPort.conditions[1]!.message, /^Failed to assign to any requested addresses: port 80 not found for hostname "gw-istio/);
  const none = gatewayStatus(gateway('gw', LISTENERS), 'gw').status;
  assert.deepEqual(none.addresses, []);
  assert.deepEqual(gwConds(none), ['Accepted=True/Accepted', 'Programmed=True/Programmed']);
});

test('spec.addresses: Hostname addresses name the Services (short names expanded); other types are unsupported', () => {
  const spec = `  addresses: [{type: Hostname, value: ingress}, {type: IPAddress, value: 1.2.3.4}]\n${LISTENERS}`;
  const { status } = gatewayStatus(gateway('gw', spec) + service('ingress', '{clusterIP: 10.0.0.3, ports: [{port: 80}]}'), 'gw');
  assert.deepEqual(gwConds(status), ['Accepted=False/UnsupportedAddress', 'Programmed=True/Programmed']);
  assert.match(status.conditions[0]!.message, /only Hostname is supported, ignoring \[1\.2\.3\.4\]/);
  assert.deepEqual(status.addresses, [{ type: 'Hostname', value: 'ingress.infra.svc.cluster.local' }]);
});

test('mergeStatus writes addresses and keeps the reported ones when none are computed', () => {
  const withLb = gatewayStatus(gateway('gw', LISTENERS) + service('gw-istio', '{type: LoadBalancer, ports: [{port: 80}]}', 'status: {loadBalancer: {ingress: [{hostname: lb.example.com}]}}'), 'gw').status;
  const first = mergeStatus(withLb, {}, '2024-01-01T00:00:00Z')!;
  assert.deepEqual(first.addresses, [{ type: 'Hostname', value: 'lb.example.com' }]);
  const none = gatewayStatus(gateway('gw', LISTENERS), 'gw').status;
  const next = mergeStatus(none, first, '2024-02-02T00:00:00Z')!;
  assert.deepEqual(next.addresses, [{ type: 'Hostname', value: 'lb.example.com' }]);
});
