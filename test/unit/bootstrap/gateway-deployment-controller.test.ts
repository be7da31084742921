/**
 * The gateway deployment controller against a scripted API: it applies each object once with
 * Istio's field manager, re-applies only what changed, never takes over an object without the
 * managed label, skips objects already in place, retries failures with backoff, and does nothing
 * while not leading. Watched children: a deleted or edited one is applied again, our own write's
 * echo and children without the managed label are not; the watches run only while started.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createGatewayDeploymentController, type DeploymentApi } from '../../../src/bootstrap/gateway-deployment-controller.js';
import { createChildWatches } from '../../../src/bootstrap/gateway-deployment-children.js';
import type { RawGateway } from '../../../src/model/gateway-api/deployment.js';
import type { ListWatchTransport } from '../../../src/sources/kubernetes/transport.js';
import { waitFor } from '../../helpers/wait-for.js';

interface Call { method: string; path: string; body?: unknown; contentType?: string }

function scriptedApi(live: Map<string, unknown> = new Map(), fail: { status?: number } = {}) {
  const calls: Call[] = [];
  let version = 0;
  const api: DeploymentApi = {
    async request(method, path, body, contentType) {
      calls.push({ method, path, body, ...(contentType ? { contentType } : {}) });
      const bare = path.split('?')[0]!;
      if (method === 'GET') return live.has(bare) ? { status: 200, body: live.get(bare) } : { status: 404, body: { message: 'not found' } };
      if (fail.status) return { status: fail.status, body: { message: 'denied by test' } };
      // As the API server does: the stored object gets a new resourceVersion, and the reply is the stored object.
      const b = body as { metadata: Record<string, unknown> };
      const stored = { ...b, metadata: { ...b.metadata, resourceVersion: String(++version) } };
      live.set(bare, stored);
      return { status: 200, body: stored };
    },
  };
  return { api, calls, live };
}

function gateway(port: number, extra: Record<string, unknown> = {}): RawGateway {
  return { metadata: { name: 'edge', namespace: 'infra', uid: 'u1' }, spec: { gatewayClassName: 'istio', listeners: [{ name: 'http', port, protocol: 'HTTP' }] }, ...extra };
}

function controllerFor(api: DeploymentApi, gateways: () => RawGateway[]) {
  return createGatewayDeploymentController({
    api, qps: 1000, burst: 1000, debounceMs: 1, retryMs: 20,
    inputs: { ready: () => true, gateways, classController: () => 'istio.io/gateway-controller' },
  });
}

const patches = (calls: Call[]) => calls.filter((c) => c.method === 'PATCH');

test('applies ServiceAccount, Deployment, Service once; an unchanged pass writes nothing; a port change re-applies only the Service', async () => {
  const { api, calls } = scriptedApi();
  let gw = gateway(80);
  const c = controllerFor(api, () => [gw]);
  c.poke(); // not leading yet: nothing happens
  c.start();
  await waitFor('three applies', () => c.stats().applies === 3, 5000);
  assert.deepEqual(patches(calls).map((p) => p.path.split('?')[0]), [
    '/api/v1/namespaces/infra/serviceaccounts/edge-istio', '/apis/apps/v1/namespaces/infra/deployments/edge-istio', '/api/v1/namespaces/infra/services/edge-istio',
  ]);
  for (const p of patches(calls)) {
    assert.equal(p.contentType, 'application/apply-patch+yaml');
    assert.equal(new URLSearchParams(p.path.split('?')[1]).get('fieldManager'), 'istio.io/gateway-controller');
    assert.equal(new URLSearchParams(p.path.split('?')[1]).get('force'), 'true');
  }
  // A status-only change of the Gateway: the desired objects are the same.
  gw = { ...gw, status: { conditions: [{ type: 'Programmed' }] } } as RawGateway;
  const passes = c.stats().passes;
  c.poke();
  await waitFor('another pass', () => c.stats().passes > passes, 5000);
  assert.equal(patches(calls).length, 3);
  gw = gateway(8080);
  c.poke();
  await waitFor('the Service re-applied', () => c.stats().applies === 4, 5000);
  assert.equal(patches(calls).at(-1)!.path.split('?')[0], '/api/v1/namespaces/infra/services/edge-istio');
  assert.ok(JSON.stringify(patches(calls).at(-1)!.body).includes('"port":8080'));
  c.stop();
});

test('an object without the managed label is not taken over; one already in place is not re-applied', async () => {
  const live = new Map<string, unknown>();
  live.set('/api/v1/namespaces/infra/serviceaccounts/edge-istio', { metadata: { name: 'edge-istio', labels: { owner: 'someone' } } });
  const first = scriptedApi(live);
  const c1 = controllerFor(first.api, () => [gateway(80)]);
  c1.start();
  await waitFor('deployment and service applied', () => c1.stats().applies === 2, 5000);
  assert.equal(c1.stats().notManaged, 1);
  assert.ok(!patches(first.calls).some((p) => p.path.includes('serviceaccounts')));
  c1.stop();
  // A new leader (or a restart) finds the Deployment and Service as applied: no writes.
  const second = scriptedApi(live);
  const c2 = controllerFor(second.api, () => [gateway(80)]);
  c2.start();
  await waitFor('three reads', () => second.calls.filter((x) => x.method === 'GET').length === 3 && c2.stats().passes > 0, 5000);
  assert.equal(patches(second.calls).length, 0);
  c2.stop();
});

test('a refused apply is counted, named, and retried with backoff; stop() ends the duty', async () => {
  const failing: { status?: number } = { status: 403 };
  const { api, calls } = scriptedApi(new Map(), failing);
  const c = controllerFor(api, () => [gateway(80)]);
  c.start();
  await waitFor('retries', () => patches(calls).length >= 6, 5000);
  assert.match(c.stats().lastError ?? '', /HTTP 403: denied by test/);
  delete failing.status;
  await waitFor('recovered', () => c.stats().applies === 3, 10_000);
  c.stop();
  const after = calls.length;
  c.poke();
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(calls.length, after, 'nothing is sent once stopped');
});

const SVC = '/api/v1/namespaces/infra/services/edge-istio';
const DEPLOY = '/apis/apps/v1/namespaces/infra/deployments/edge-istio';
type Obj = { metadata: Record<string, unknown>; spec?: Record<string, unknown> };
/** The live object with a new resourceVersion, as another writer's update would leave it. */
const edited = (o: unknown, change: (c: Obj) => void): Obj => {
  const copy = structuredClone(o) as Obj;
  change(copy);
  copy.metadata.resourceVersion = `${copy.metadata.resourceVersion as string}-edited`;
  return copy;
};

async function deployed() {
  const s = scriptedApi();
  const c = controllerFor(s.api, () => [gateway(80)]);
  c.start();
  await waitFor('three applies', () => c.stats().applies === 3, 5000);
  return { ...s, c };
}

/** Runs one pass and lets its requests (if any) go out. */
async function settle(c: ReturnType<typeof controllerFor>) {
  const passes = c.stats().passes;
  c.poke();
  await waitFor('a pass', () => c.stats().passes > passes, 5000);
  await new Promise((r) => setTimeout(r, 30));
}

test('a deleted Deployment is applied again; an edited Service port is applied again', async () => {
  const { c, calls, live } = await deployed();
  const gone = live.get(DEPLOY);
  live.delete(DEPLOY);
  c.childEvent('remove', 'deployments', gone as Obj);
  await waitFor('the Deployment re-applied', () => c.stats().applies === 4, 5000);
  assert.equal(patches(calls).at(-1)!.path.split('?')[0], DEPLOY);
  assert.ok(live.has(DEPLOY));

  const changed = edited(live.get(SVC), (o) => ((o.spec!.ports as { port: number }[])[1]!.port = 9999));
  live.set(SVC, changed);
  c.childEvent('upsert', 'services', changed);
  await waitFor('the Service re-applied', () => c.stats().applies === 5, 5000);
  assert.equal(patches(calls).at(-1)!.path.split('?')[0], SVC);
  assert.deepEqual(((live.get(SVC) as Obj).spec!.ports as { port: number }[]).map((p) => p.port), [15021, 80]);
  assert.equal(c.stats().drifted, 2);
  c.stop();
});

test('our own apply coming back on the watch, or a change that keeps every applied field, applies nothing', async () => {
  const { c, calls, live } = await deployed();
  const before = calls.length;
  for (const [path, plural] of [[SVC, 'services'], [DEPLOY, 'deployments']] as const) c.childEvent('upsert', plural, live.get(path) as Obj);
  // Another writer adds an annotation and the API server a default: our fields are all still there.
  c.childEvent('upsert', 'services', edited(live.get(SVC), (o) => {
    o.metadata.annotations = { 'cloud.example/lb': 'internal' };
    o.spec!.clusterIP = '10.0.0.7';
  }));
  await settle(c);
  assert.equal(calls.length, before, calls.slice(before).map((x) => `${x.method} ${x.path}`).join(', '));
  assert.equal(c.stats().drifted, 0);
  c.stop();
});

test('a child without the managed label, or not applied by this controller, is ignored', async () => {
  const { c, calls, live } = await deployed();
  const before = calls.length;
  const unlabelled = edited(live.get(SVC), (o) => {
    o.metadata.labels = { 'gateway.networking.k8s.io/gateway-name': 'edge' };
    (o.spec!.ports as { port: number }[])[1]!.port = 9999;
  });
  c.childEvent('upsert', 'services', unlabelled);
  c.childEvent('remove', 'services', unlabelled);
  c.childEvent('remove', 'deployments', { metadata: { name: 'other', namespace: 'infra', labels: { 'gateway.istio.io/managed': 'istio.io-gateway-controller' } } });
  await settle(c);
  assert.equal(calls.length, before);
  assert.equal(c.stats().drifted, 0);
  c.stop();
  // Stopped (not leading): even a real drift is not acted on.
  c.childEvent('remove', 'deployments', live.get(DEPLOY) as Obj);
  assert.equal(c.stats().drifted, 0);
});

test('child watches: three label-selected informers while started, none before or after', async () => {
  const listed: string[] = [];
  let openWatches = 0;
  const transport: ListWatchTransport = {
    async list(path) {
      listed.push(path);
      return { items: [], resourceVersion: '1' };
    },
    async watch() {
      openWatches++;
      return { abort: () => void openWatches-- };
    },
  };
  const w = createChildWatches({ transport: async () => transport, onChild: () => undefined });
  assert.equal(w.running(), 0);
  w.start();
  await waitFor('three watches', () => openWatches === 3, 5000);
  const selector = 'labelSelector=gateway.istio.io%2Fmanaged%3Distio.io-gateway-controller';
  assert.deepEqual(listed.sort(), [`/api/v1/serviceaccounts?${selector}`, `/api/v1/services?${selector}`, `/apis/apps/v1/deployments?${selector}`]);
  w.stop();
  assert.equal(w.running(), 0);
  assert.equal(openWatches, 0);
  w.stop();
});
