/**
 * The daemon against the fake API server: MeshConfig discoverySelectors from ConfigMap
 * istio-system/istio decide which namespaces reach the model, live (namespace labels and the
 * ConfigMap itself change without a restart); istio-system is always in; a broken mesh
 * ConfigMap is reported and the last good mesh config stays; --meshConfig wins over the ConfigMap.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeKubeApi, type FakeKubeApi, type KubeObject } from '../../helpers/fake-kube-api.js';
import { startDaemon, type Daemon } from '../../helpers/daemon.js';
import { waitFor } from '../../helpers/wait-for.js';
import { XdsClient } from '../../helpers/xds-client.js';
import { TypeUrl } from '../../../src/translate/type-urls.js';

interface ConfigzReply {
  configs: { kind: string; metadata: { name: string; namespace: string } }[];
  rejected: { object: string; errors: string[]; keptLastGood: boolean }[];
}
type RegistryReply = { hostname: string }[];
type MeshReply = { outboundTrafficPolicy?: { mode?: string }; discoverySelectors?: unknown[] };

async function json<T>(daemon: Daemon, path: string): Promise<T> {
  return JSON.parse((await daemon.get(path)).body) as T;
}

function service(name: string, namespace: string): KubeObject {
  return { metadata: { name, namespace }, spec: { ports: [{ name: 'http', port: 80 }] } };
}

function meshConfigMap(mesh: string): KubeObject {
  return { metadata: { name: 'istio', namespace: 'istio-system' }, data: { mesh } };
}

async function hosts(daemon: Daemon): Promise<string[]> {
  return (await json<RegistryReply>(daemon, '/debug/registryz')).map((s) => s.hostname).sort();
}

const SELECT_LABELLED = 'discoverySelectors:\n- matchLabels:\n    mesh: enabled\n';

async function setup(t: { after(fn: () => Promise<void> | void): void }, args: (dir: string) => Promise<string[]> = async () => [], mesh = SELECT_LABELLED): Promise<{ api: FakeKubeApi; daemon: Daemon }> {
  const api = await startFakeKubeApi({ namespaces: ['default', 'istio-system', 'shop', 'other'] });
  const dir = await mkdtemp(join(tmpdir(), 'istiod-ts-scope-'));
  t.after(async () => {
    await api.close();
    await rm(dir, { recursive: true, force: true });
  });
  await writeFile(join(dir, 'kubeconfig'), api.kubeconfig());
  api.store.put('configmaps', meshConfigMap(mesh));
  api.store.put('services', service('istiod', 'istio-system'));
  api.store.put('services', service('web', 'shop'));
  api.store.put('services', service('api', 'other'));
  api.store.put('virtualservices.networking.istio.io', {
    apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'route', namespace: 'shop' },
    spec: { hosts: ['web'], http: [{ route: [{ destination: { host: 'web' } }] }] },
  });
  const daemon = await startDaemon(['--kubeconfig', join(dir, 'kubeconfig'), ...(await args(dir))], { PILOT_DEBOUNCE_AFTER: '10ms' });
  t.after(async () => void (await daemon.stop()));
  await waitFor('/ready', async () => (await daemon.get('/ready')).status === 200, 20_000);
  return { api, daemon };
}

const ISTIOD = 'istiod.istio-system.svc.cluster.local';
const WEB = 'web.shop.svc.cluster.local';
const API = 'api.other.svc.cluster.local';

test('namespace labels move objects in and out of the model live; istio-system is always in', async (t) => {
  const { api, daemon } = await setup(t);
  assert.deepEqual(await hosts(daemon), [ISTIOD], 'only the always-in namespace before any label');
  assert.deepEqual((await json<ConfigzReply>(daemon, '/debug/configz?kind=VirtualService')).configs, []);

  api.store.put('namespaces', { metadata: { name: 'shop', labels: { mesh: 'enabled' } } });
  await waitFor('shop in scope', async () => JSON.stringify(await hosts(daemon)) === JSON.stringify([ISTIOD, WEB]), 10_000);
  const vs = await json<ConfigzReply>(daemon, '/debug/configz?kind=VirtualService');
  assert.deepEqual(vs.configs.map((c) => `${c.metadata.namespace}/${c.metadata.name}`), ['shop/route']);

  api.store.put('namespaces', { metadata: { name: 'shop', labels: { mesh: 'disabled' } } });
  await waitFor('shop out of scope', async () => JSON.stringify(await hosts(daemon)) === JSON.stringify([ISTIOD]), 10_000);
  assert.deepEqual((await json<ConfigzReply>(daemon, '/debug/configz?kind=VirtualService')).configs, []);
  assert.equal(daemon.lines.filter((l) => l.level === 50).length, 0, 'no error log lines');
});

test('editing ConfigMap istio changes the mesh config and the selectors live; a broken one keeps the last good', async (t) => {
  const { api, daemon } = await setup(t);
  assert.deepEqual(await hosts(daemon), [ISTIOD]);
  assert.equal((await json<MeshReply>(daemon, '/debug/meshconfigz')).outboundTrafficPolicy?.mode, 'ALLOW_ANY');

  api.store.put('configmaps', meshConfigMap('outboundTrafficPolicy:\n  mode: REGISTRY_ONLY\n'));
  await waitFor('every namespace in scope', async () => JSON.stringify(await hosts(daemon)) === JSON.stringify([API, ISTIOD, WEB]), 10_000);
  const mesh = await json<MeshReply>(daemon, '/debug/meshconfigz');
  assert.equal(mesh.outboundTrafficPolicy?.mode, 'REGISTRY_ONLY');
  assert.deepEqual(mesh.discoverySelectors ?? [], []);

  api.store.put('configmaps', meshConfigMap('outboundTrafficPolicy:\n  mode: SOMETIMES\ndiscoverySelectors:\n- matchLabels:\n    none: here\n'));
  let configz!: ConfigzReply;
  await waitFor('the rejection', async () => (configz = await json<ConfigzReply>(daemon, '/debug/configz')).rejected.some((r) => r.object === 'ConfigMap/istio-system/istio'), 10_000);
  const rejection = configz.rejected.find((r) => r.object === 'ConfigMap/istio-system/istio')!;
  assert.equal(rejection.keptLastGood, true);
  assert.match(rejection.errors.join('\n'), /outboundTrafficPolicy\.mode/);
  assert.equal((await json<MeshReply>(daemon, '/debug/meshconfigz')).outboundTrafficPolicy?.mode, 'REGISTRY_ONLY', 'the last good mesh config stays');
  assert.deepEqual(await hosts(daemon), [API, ISTIOD, WEB], 'the broken selectors were not applied');
  assert.ok(daemon.lines.some((l) => l.msg === 'mesh config rejected; the last good mesh config stays in force'), 'logged');

  // Fixed: selectors narrow the scope again, and the report goes away.
  api.store.put('namespaces', { metadata: { name: 'other', labels: { team: 'x' } } });
  api.store.put('configmaps', meshConfigMap('discoverySelectors:\n- matchExpressions:\n  - key: team\n    operator: In\n    values: [x, y]\n'));
  await waitFor('other only', async () => JSON.stringify(await hosts(daemon)) === JSON.stringify([API, ISTIOD]), 10_000);
  assert.equal((await json<ConfigzReply>(daemon, '/debug/configz')).rejected.length, 0);
  assert.equal((await json<MeshReply>(daemon, '/debug/meshconfigz')).outboundTrafficPolicy?.mode, 'ALLOW_ANY');
});

test('--meshConfig wins over ConfigMap istio, which is then not read', async (t) => {
  const { api, daemon } = await setup(t, async (dir) => {
    await writeFile(join(dir, 'mesh.yaml'), 'outboundTrafficPolicy:\n  mode: REGISTRY_ONLY\n');
    return ['--meshConfig', join(dir, 'mesh.yaml')];
  });
  assert.deepEqual(await hosts(daemon), [API, ISTIOD, WEB], 'the ConfigMap selectors are not applied');
  assert.equal((await json<MeshReply>(daemon, '/debug/meshconfigz')).outboundTrafficPolicy?.mode, 'REGISTRY_ONLY');
  assert.equal(api.requests.filter((r) => r.resource === 'configmaps' && r.namespace === 'istio-system').length, 0);
});

test('a connected sidecar is pushed the new mesh config: REGISTRY_ONLY turns its catch-all into the BlackHoleCluster', async (t) => {
  const { api, daemon } = await setup(t, async () => [], 'outboundTrafficPolicy:\n  mode: ALLOW_ANY\n');
  const client = XdsClient.connect({
    address: `127.0.0.1:${daemon.grpcPort}`,
    node: { id: 'sidecar~10.0.0.9~app-1.shop~shop.svc.cluster.local', metadata: { NAMESPACE: 'shop', INSTANCE_IPS: '10.0.0.9' } },
  });
  t.after(() => client.close());
  client.subscribe(TypeUrl.Listener);
  const catchAll = () => {
    const listener = client.resources(TypeUrl.Listener).get('virtualOutbound')?.body as { filter_chains?: { name?: string }[] } | undefined;
    return JSON.stringify(listener?.filter_chains?.find((c) => c.name === 'virtualOutbound-catchall-tcp') ?? null);
  };
  await client.waitFor('the virtualOutbound listener', () => catchAll() !== 'null', 10_000);
  assert.match(catchAll(), /PassthroughCluster/);
  assert.doesNotMatch(catchAll(), /BlackHoleCluster/);

  api.store.put('configmaps', meshConfigMap('outboundTrafficPolicy:\n  mode: REGISTRY_ONLY\n'));
  await client.waitFor('a push with the BlackHoleCluster', () => /BlackHoleCluster/.test(catchAll()), 10_000);
  assert.doesNotMatch(catchAll(), /PassthroughCluster/);
});
