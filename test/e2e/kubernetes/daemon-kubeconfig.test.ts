/**
 * The daemon as a real process with --kubeconfig pointing at the fake API server: objects
 * created, changed and deleted in the cluster show up in /debug/registryz and /debug/configz;
 * an invalid Istio object is reported against the object and its last good version stays.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeKubeApi, type KubeObject } from '../../helpers/fake-kube-api.js';
import { runCli, startDaemon, type Daemon } from '../../helpers/daemon.js';
import { waitFor } from '../../helpers/wait-for.js';

interface ConfigzReply {
  configs: { kind: string; metadata: { name: string; namespace: string; resourceVersion?: string }; spec: Record<string, unknown>; source?: string }[];
  rejected: { object: string; errors: string[]; keptLastGood: boolean; source: string }[];
}
type RegistryReply = { hostname: string; endpoints: { address: string; port: number }[] }[];

async function json<T>(daemon: Daemon, path: string): Promise<T> {
  return JSON.parse((await daemon.get(path)).body) as T;
}

function vs(name: string, hosts: unknown): KubeObject {
  return { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name, namespace: 'shop' }, spec: { hosts, http: [{ route: [{ destination: { host: 'web' } }] }] } };
}

function slice(name: string, service: string, ip: string): KubeObject {
  return {
    metadata: { name, namespace: 'shop', labels: { 'kubernetes.io/service-name': service } },
    addressType: 'IPv4',
    endpoints: [{ addresses: [ip], conditions: { ready: true } }],
    ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
  };
}

test('objects created, changed and deleted in the cluster reach /debug/registryz and /debug/configz', async (t) => {
  const api = await startFakeKubeApi({ namespaces: ['default', 'istio-system', 'shop'] });
  const dir = await mkdtemp(join(tmpdir(), 'istiod-ts-kube-'));
  t.after(async () => {
    await api.close();
    await rm(dir, { recursive: true, force: true });
  });
  const kubeconfig = join(dir, 'kubeconfig');
  await writeFile(kubeconfig, api.kubeconfig());
  api.store.put('services', { metadata: { name: 'web', namespace: 'shop' }, spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] } });
  api.store.put('endpointslices.discovery.k8s.io', slice('web-abc', 'web', '10.1.0.1'));
  api.store.put('virtualservices.networking.istio.io', vs('route', ['web']));

  const daemon = await startDaemon(['--kubeconfig', kubeconfig], { PILOT_DEBOUNCE_AFTER: '10ms' });
  t.after(() => daemon.stop());
  await waitFor('/ready', async () => (await daemon.get('/ready')).status === 200, 20_000);

  let registry = await json<RegistryReply>(daemon, '/debug/registryz');
  const web = registry.find((s) => s.hostname === 'web.shop.svc.cluster.local');
  assert.ok(web, 'the Service is in the registry');
  assert.deepEqual(web.endpoints.map((e) => `${e.address}:${e.port}`), ['10.1.0.1:8080'], 'endpoints come from the EndpointSlice');
  let configz = await json<ConfigzReply>(daemon, '/debug/configz?kind=VirtualService');
  assert.deepEqual(configz.configs.map((c) => [c.metadata.name, c.source]), [['route', 'kube:Kubernetes']]);

  // Changes: a second endpoint, a new Service, an edited VirtualService.
  api.store.put('endpointslices.discovery.k8s.io', { ...slice('web-abc', 'web', '10.1.0.1'), endpoints: [{ addresses: ['10.1.0.1'] }, { addresses: ['10.1.0.2'] }] });
  api.store.put('services', { metadata: { name: 'api', namespace: 'shop' }, spec: { ports: [{ name: 'grpc', port: 9090 }] } });
  api.store.put('virtualservices.networking.istio.io', vs('route', ['web', 'web.shop.svc.cluster.local']));
  await waitFor('the changes in the snapshot', async () => {
    registry = await json<RegistryReply>(daemon, '/debug/registryz');
    configz = await json<ConfigzReply>(daemon, '/debug/configz?kind=VirtualService');
    const endpoints = registry.find((s) => s.hostname === 'web.shop.svc.cluster.local')?.endpoints.length;
    return endpoints === 2 && registry.some((s) => s.hostname === 'api.shop.svc.cluster.local') && (configz.configs[0]?.spec.hosts as string[] | undefined)?.length === 2;
  }, 10_000);

  // An invalid edit is reported against the object; the last good version stays in force.
  api.store.put('virtualservices.networking.istio.io', vs('route', 'not-a-list'));
  await waitFor('the rejection', async () => (configz = await json<ConfigzReply>(daemon, '/debug/configz?kind=VirtualService')).rejected.length === 1, 10_000);
  assert.equal(configz.rejected[0]!.object, 'VirtualService/shop/route');
  assert.equal(configz.rejected[0]!.keptLastGood, true);
  assert.match(configz.rejected[0]!.errors.join('\n'), /spec\.hosts/);
  assert.equal((configz.configs[0]!.spec.hosts as string[]).length, 2, 'the last good version is still served');

  // Deletes.
  api.store.delete('virtualservices.networking.istio.io', 'shop', 'route');
  api.store.delete('services', 'shop', 'api');
  await waitFor('the deletions in the snapshot', async () => {
    registry = await json<RegistryReply>(daemon, '/debug/registryz');
    configz = await json<ConfigzReply>(daemon, '/debug/configz?kind=VirtualService');
    return configz.configs.length === 0 && configz.rejected.length === 0 && !registry.some((s) => s.hostname.startsWith('api.'));
  }, 10_000);

  const sourcez = await json<{ synced: Record<string, boolean>; kubernetes: Record<string, { synced: boolean }> }>(daemon, '/debug/sourcez');
  assert.deepEqual(sourcez.synced, { kubernetes: true });
  for (const kind of ['Service', 'EndpointSlice', 'Pod', 'Namespace', 'Node', 'VirtualService', 'WasmPlugin']) assert.equal(sourcez.kubernetes[kind]?.synced, true, `${kind} informer synced`);
  assert.equal(daemon.lines.filter((l) => l.level === 50).length, 0, 'no error log lines');
  assert.equal(await daemon.stop(), 0, 'SIGTERM exits cleanly');
});

test('/ready stays 503 while the API server refuses to list, and turns 200 once it answers', async (t) => {
  const api = await startFakeKubeApi();
  const dir = await mkdtemp(join(tmpdir(), 'istiod-ts-kube-'));
  t.after(async () => {
    await api.close();
    await rm(dir, { recursive: true, force: true });
  });
  const kubeconfig = join(dir, 'kubeconfig');
  await writeFile(kubeconfig, api.kubeconfig('not-yet-valid'));
  const daemon = await startDaemon(['--kubeconfig', kubeconfig]);
  t.after(() => daemon.stop());
  await waitFor('a refused list', () => api.requestCount({ verb: 'list' }) > 0, 10_000);
  assert.equal((await daemon.get('/ready')).status, 503);
  api.acceptCallerToken('not-yet-valid');
  await waitFor('/ready', async () => (await daemon.get('/ready')).status === 200, 20_000);
  assert.equal(await daemon.stop(), 0, 'SIGTERM exits cleanly');
});

test('an unreadable --kubeconfig stops the daemon with a clear error', () => {
  const r = runCli(['discovery', '--kubeconfig', '/nonexistent/kubeconfig', '--httpAddr', '127.0.0.1:0', '--grpcAddr', '127.0.0.1:0', '--monitoringAddr', '127.0.0.1:0', '--secureGRPCAddr', '']);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /cannot use --kubeconfig \/nonexistent\/kubeconfig: .*(ENOENT|no such file)/);
  assert.match(r.stderr, /MESH_ERR_SOURCE_UNAVAILABLE/);
});
