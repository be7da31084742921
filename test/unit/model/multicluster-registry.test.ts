/**
 * Multi-cluster registry: remote objects never collide with the config cluster's, services with
 * the same hostname merge endpoints across clusters (each tagged with its cluster and network),
 * networks come from labels, the system namespace, or MeshNetworks, and gateways from labelled
 * Services or MeshNetworks.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildMeshNetworks, type MeshNetworks } from '../../../src/config/mesh-networks.js';
import { objectKey, refOf, type ConfigObject } from '../../../src/model/config.js';
import { createStore } from '../../../src/model/store/store.js';
import { buildSnapshot, registryOptions } from '../../../src/model/snapshot.js';
import { obj, service } from './fixtures.js';

const remote = (o: ConfigObject, cluster: string): ConfigObject => ({ ...o, cluster });

function slice(name: string, ns: string, svc: string, ips: string[]): ConfigObject {
  return obj('EndpointSlice', ns, name, { addressType: 'IPv4', ports: [{ name: 'http', port: 8080 }], endpoints: ips.map((ip) => ({ addresses: [ip], conditions: { ready: true } })) }, { 'kubernetes.io/service-name': svc });
}

const web = (ip: string) => service('web', 'shop', { clusterIP: ip, selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] });
const networks = (raw: unknown): MeshNetworks => {
  const r = buildMeshNetworks(raw);
  assert.ok(r.ok, JSON.stringify(!r.ok && r.errors));
  return r.value;
};

test('keys: unchanged for the config cluster, suffixed for a remote one; the store keeps both', () => {
  const a = web('10.96.0.1');
  const b = remote(web('10.100.0.1'), 'west');
  assert.equal(objectKey(refOf(a)), 'Service/shop/web');
  assert.equal(objectKey(refOf(b)), 'Service/shop/web@west');
  const store = createStore();
  store.upsert(a);
  store.upsert(b);
  assert.equal(store.size, 2);
  assert.equal(store.remove({ kind: 'Service', namespace: 'shop', name: 'web', cluster: 'west' }), true);
  assert.deepEqual(store.list().map((o) => o.cluster), [undefined]);
});

test('one MeshService per hostname; endpoints from every cluster, tagged with cluster and network', () => {
  const objects = [
    web('10.96.0.1'), slice('web-1', 'shop', 'web', ['10.1.0.1']),
    remote(web('10.100.0.1'), 'west'), remote(slice('web-1', 'shop', 'web', ['10.2.0.1', '10.2.0.2']), 'west'),
    remote(obj('Namespace', '', 'shop', {}, { 'topology.istio.io/network': 'net-west' }), 'west'),
    // Only the remote cluster has this one: it still becomes a service.
    remote(service('api', 'shop', { clusterIP: '10.100.0.9', ports: [{ name: 'http', port: 80 }] }), 'west'),
  ];
  const snap = buildSnapshot(objects, undefined, registryOptions({ clusterID: 'east', endpointsFromPods: false }));
  const svc = snap.servicesForHost('web.shop.svc.cluster.local');
  assert.equal(svc.length, 1);
  assert.deepEqual(svc[0]!.addresses, ['10.96.0.1'], "the config cluster's definition wins");
  assert.equal(svc[0]!.clusterID, 'east');
  assert.deepEqual(snap.endpointsOf(svc[0]!).map((e) => `${e.address} ${e.clusterID} ${e.network || '-'}`), ['10.1.0.1 east -', '10.2.0.1 west net-west', '10.2.0.2 west net-west']);
  assert.equal(snap.servicesForHost('api.shop.svc.cluster.local')[0]?.clusterID, 'west');
});

test('network fallbacks: system namespace label, then MeshNetworks fromRegistry, then fromCidr', () => {
  const mesh = networks({ networks: { 'net-a': { endpoints: [{ fromRegistry: 'west' }] }, 'net-c': { endpoints: [{ fromCidr: '10.3.0.0/16' }, { fromCidr: '10.0.0.0/8' }] }, 'net-d': { endpoints: [{ fromCidr: '10.3.7.0/24' }] } } });
  const objects = [
    web('10.96.0.1'), slice('web-1', 'shop', 'web', ['10.3.0.1', '10.3.7.1', '192.168.0.1']),
    remote(web('10.100.0.1'), 'west'), remote(slice('web-1', 'shop', 'web', ['10.2.0.1']), 'west'),
    remote(web('10.100.0.2'), 'north'), remote(slice('web-1', 'shop', 'web', ['10.4.0.1']), 'north'),
    remote(obj('Namespace', '', 'istio-system', {}, { 'topology.istio.io/network': 'net-north' }), 'north'),
  ];
  const snap = buildSnapshot(objects, undefined, registryOptions({ clusterID: 'east', endpointsFromPods: false, meshNetworks: mesh }));
  const byIp = Object.fromEntries(snap.endpointsOf('shop/web.shop.svc.cluster.local').map((e) => [e.address, e.network]));
  assert.deepEqual(byIp, { '10.3.0.1': 'net-c', '10.3.7.1': 'net-d', '192.168.0.1': '', '10.2.0.1': 'net-a', '10.4.0.1': 'net-north' });
});

test('gateways: labelled Services at their load balancer IPs (port label or 15443), MeshNetworks addresses and registryServiceName', () => {
  const ew = (cluster: string, ip: string, labels: Record<string, string>) => remote({
    ...obj('Service', 'istio-system', 'istio-eastwestgateway', { spec: { type: 'LoadBalancer', ports: [{ name: 'tls', port: 15443 }] }, status: { loadBalancer: { ingress: [{ ip }, { hostname: 'lb.example.com' }] } } }, labels),
  }, cluster);
  const mesh = networks({ networks: {
    'net-x': { endpoints: [{ fromRegistry: 'x' }], gateways: [{ registryServiceName: 'istio-eastwestgateway.istio-system.svc.cluster.local', port: 15444 }] },
    'net-y': { endpoints: [{ fromCidr: '10.9.0.0/16' }], gateways: [{ address: '203.0.113.9', port: 15443 }] },
  } });
  const objects = [
    ew('west', '198.51.100.1', { 'topology.istio.io/network': 'net-west' }),
    ew('south', '198.51.100.2', { 'topology.istio.io/network': 'net-south', 'networking.istio.io/gatewayPort': '16443' }),
    ew('x', '198.51.100.3', {}),
  ];
  const snap = buildSnapshot(objects, undefined, registryOptions({ clusterID: 'east', meshNetworks: mesh }));
  assert.deepEqual(snap.registry.networkGateways, [
    { network: 'net-south', cluster: 'south', address: '198.51.100.2', port: 16443 },
    { network: 'net-west', cluster: 'west', address: '198.51.100.1', port: 15443 },
    { network: 'net-x', cluster: 'x', address: '198.51.100.3', port: 15444 },
    { network: 'net-y', cluster: '', address: '203.0.113.9', port: 15443 },
  ]);
  assert.ok(snap.diagnostics.some((d) => /lb\.example\.com.*DNS name/.test(d.reason)), 'hostname gateways are reported');
});

test('a single cluster without networks has no gateways (no split horizon)', () => {
  const snap = buildSnapshot([web('10.96.0.1'), slice('web-1', 'shop', 'web', ['10.1.0.1'])], undefined, registryOptions({ endpointsFromPods: false }));
  assert.equal(snap.registry.networkGateways, undefined);
  assert.equal(snap.endpointsOf('shop/web.shop.svc.cluster.local')[0]!.network, '');
});

test('MeshNetworks validation names the field path', () => {
  const r = buildMeshNetworks({ networks: { n1: { endpoints: [{ fromCidr: '10.0.0.0/33' }, {}, { fromCidr: '10.0.0.0/8', fromRegistry: 'a' }], gateways: [{ address: '1.2.3.4' }, { address: '1.2.3.4', port: 70000 }, { registryServiceName: 'x y', port: 1 }], extra: 1 } } });
  assert.equal(r.ok, false);
  const paths = !r.ok ? r.errors.map((e) => `${e.path}: ${e.reason}`) : [];
  assert.deepEqual(paths.sort(), [
    'networks.n1.endpoints[0].fromCidr: Invalid value',
    'networks.n1.endpoints[1]: Required value',
    'networks.n1.endpoints[2]: Forbidden',
    'networks.n1.extra: Forbidden',
    'networks.n1.gateways[0].port: Required value',
    'networks.n1.gateways[1].port: Invalid value',
    'networks.n1.gateways[2].registryServiceName: Invalid value',
  ]);
});
