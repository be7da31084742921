/**
 * Multi-cluster against three fake API servers: the config cluster holds an istio/multiCluster
 * secret whose kubeconfig points at a remote cluster; the remote's Service merges with the
 * config cluster's (/debug/registryz, EDS over ADS); rotating the secret to another cluster
 * switches the endpoints and closes the old cluster's watches; a proxy on another network gets
 * the remote network's gateway instead of its pod IPs; deleting the secret removes everything.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeKubeApi, type FakeKubeApi } from '../../helpers/fake-kube-api.js';
import { startDaemon, type Daemon } from '../../helpers/daemon.js';
import { waitFor } from '../../helpers/wait-for.js';
import { XdsClient } from '../../helpers/xds-client.js';
import { TypeUrl } from '../../../src/translate/type-urls.js';

const WEB = 'outbound|80||web.shop.svc.cluster.local';
const NAMESPACES = ['default', 'istio-system', 'shop'];

function seed(api: FakeKubeApi, ip: string, pod?: string): void {
  api.store.put('services', { metadata: { name: 'web', namespace: 'shop' }, spec: { clusterIP: '10.96.0.10', ports: [{ name: 'http', port: 80, targetPort: 8080 }] } });
  const targetRef = pod ? { targetRef: { kind: 'Pod', name: pod, namespace: 'shop' } } : {};
  api.store.put('endpointslices.discovery.k8s.io', {
    metadata: { name: 'web-1', namespace: 'shop', labels: { 'kubernetes.io/service-name': 'web' } },
    addressType: 'IPv4', ports: [{ name: 'http', port: 8080 }], endpoints: [{ addresses: [ip], conditions: { ready: true }, ...targetRef }],
  });
  if (pod) api.store.put('pods', { metadata: { name: pod, namespace: 'shop', labels: { 'security.istio.io/tlsMode': 'istio' } }, spec: { containers: [{ name: 'c' }] }, status: { phase: 'Running', podIP: ip } });
}

function secret(api: FakeKubeApi, data: Record<string, string>): void {
  const encoded = Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')]));
  api.store.put('secrets', { metadata: { name: 'istio-remote-secret-west', namespace: 'istio-system', labels: { 'istio/multiCluster': 'true' } }, type: 'Opaque', data: encoded });
}

async function webEndpoints(daemon: Daemon): Promise<string[]> {
  const registry = JSON.parse((await daemon.get('/debug/registryz')).body) as Array<{ hostname: string; endpoints: Array<{ address: string; clusterID: string }> }>;
  return (registry.find((s) => s.hostname === 'web.shop.svc.cluster.local')?.endpoints ?? []).map((e) => `${e.address}@${e.clusterID}`);
}

function edsAddresses(client: XdsClient): string[] {
  const cla = client.resources(TypeUrl.ClusterLoadAssignment).get(WEB)?.body as { endpoints?: Array<{ lb_endpoints: any[] }> } | undefined;
  return (cla?.endpoints ?? []).flatMap((g) => g.lb_endpoints.map((e) => `${e.endpoint.address.socket_address.address}:${e.endpoint.address.socket_address.port_value}`)).sort();
}

test('a remote cluster secret added, rotated and removed; split-horizon endpoints for a proxy on another network', async (t) => {
  const [primary, west, west2] = await Promise.all([0, 1, 2].map(() => startFakeKubeApi({ namespaces: NAMESPACES })));
  const dir = await mkdtemp(join(tmpdir(), 'istiod-ts-mc-'));
  t.after(async () => {
    await Promise.all([primary, west, west2].map((a) => a!.close()));
    await rm(dir, { recursive: true, force: true });
  });
  seed(primary!, '10.1.0.1');
  seed(west!, '10.2.0.1');
  seed(west2!, '10.3.0.1', 'web-w2');
  // west2 is another network, with an east-west gateway.
  west2!.store.put('namespaces', { metadata: { name: 'istio-system', labels: { 'topology.istio.io/network': 'net-west' } } });
  west2!.store.put('services', {
    metadata: { name: 'istio-eastwestgateway', namespace: 'istio-system', labels: { 'topology.istio.io/network': 'net-west' } },
    spec: { type: 'LoadBalancer', clusterIP: '10.96.0.99', ports: [{ name: 'tls', port: 15443 }] },
    status: { loadBalancer: { ingress: [{ ip: '198.51.100.7' }] } },
  });
  await writeFile(join(dir, 'kubeconfig'), primary!.kubeconfig());
  const daemon = await startDaemon(['--kubeconfig', join(dir, 'kubeconfig'), '--clusterID', 'east'], { PILOT_DEBOUNCE_AFTER: '10ms', PILOT_REMOTE_CLUSTER_TIMEOUT: '5s' });
  t.after(() => daemon.stop());
  await waitFor('/ready', async () => (await daemon.get('/ready')).status === 200, 20_000);
  assert.deepEqual(await webEndpoints(daemon), ['10.1.0.1@east']);
  const baseline = west!.openWatches();
  assert.equal(baseline, 0);

  const client = XdsClient.connect({ address: `127.0.0.1:${daemon.grpcPort}`, node: { id: 'sidecar~10.1.0.50~client.shop~shop.svc.cluster.local', metadata: { NAMESPACE: 'shop', NETWORK: 'net-east' } } });
  t.after(() => client.close());
  client.subscribe(TypeUrl.ClusterLoadAssignment, [WEB]);

  // Added (the config cluster's own ID in the secret is ignored).
  secret(primary!, { west: west!.kubeconfig(), east: primary!.kubeconfig() });
  await waitFor('the remote endpoints merged', async () => (await webEndpoints(daemon)).length === 2, 15_000);
  assert.deepEqual(await webEndpoints(daemon), ['10.1.0.1@east', '10.2.0.1@west']);
  await waitFor('EDS with both clusters', () => edsAddresses(client).length === 2, 10_000);
  assert.deepEqual(edsAddresses(client), ['10.1.0.1:8080', '10.2.0.1:8080']);
  assert.ok(west!.openWatches() > 0, 'the remote cluster is watched');
  const clusterz = JSON.parse((await daemon.get('/debug/clusterz')).body) as Array<{ id: string; sync_status: string }>;
  assert.deepEqual(clusterz.map((c) => [c.id, c.sync_status]), [['west', 'synced']]);
  assert.ok(daemon.lines.some((l) => l.msg === "ignoring the config cluster's own ID in a remote cluster secret"));

  // Rotated to another cluster (another network): endpoints switch, old watches close, and this
  // proxy (network net-east) gets west2's gateway instead of its pod IP.
  secret(primary!, { west: west2!.kubeconfig() });
  await waitFor('endpoints from the new cluster', async () => (await webEndpoints(daemon)).includes('10.3.0.1@west') && (await webEndpoints(daemon)).length === 2, 15_000);
  await waitFor('the old cluster\'s watches closed', () => west!.openWatches() === baseline, 10_000);
  await waitFor('split-horizon EDS', () => edsAddresses(client).join() === '10.1.0.1:8080,198.51.100.7:15443', 10_000);
  const networkz = JSON.parse((await daemon.get('/debug/networkz')).body) as unknown[];
  assert.deepEqual(networkz, [{ network: 'net-west', cluster: 'west', address: '198.51.100.7', port: 15443 }]);

  // Removed: everything from the remote cluster leaves the model; its watches close.
  primary!.store.delete('secrets', 'istio-system', 'istio-remote-secret-west');
  await waitFor('remote endpoints gone', async () => (await webEndpoints(daemon)).join() === '10.1.0.1@east', 15_000);
  await waitFor('watches closed', () => west2!.openWatches() === 0, 10_000);
  await waitFor('EDS back to the config cluster', () => edsAddresses(client).join() === '10.1.0.1:8080', 10_000);
  assert.deepEqual(JSON.parse((await daemon.get('/debug/clusterz')).body), []);
  assert.equal(daemon.lines.filter((l) => l.level === 50).length, 0, 'no error log lines');
  assert.equal(await daemon.stop(), 0);
});
