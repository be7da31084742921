/**
 * The gateway deployment controller against a scripted API: it applies each object once with
 * Istio's field manager, re-applies only what changed, never takes over an object without the
 * managed label, skips objects already in place, retries failures with backoff, and does nothing
 * while not leading.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createGatewayDeploymentController, type DeploymentApi } from '../../../src/bootstrap/gateway-deployment-controller.js';
import type { RawGateway } from '../../../src/model/gateway-api/deployment.js';
import { waitFor } from '../../helpers/wait-for.js';

interface Call { method: string; path: string; body?: unknown; contentType?: string }

function scriptedApi(live: Map<string, unknown> = new Map(), fail: { status?: number } = {}) {
  const calls: Call[] = [];
  const api: DeploymentApi = {
    async request(method, path, body, contentType) {
      calls.push({ method, path, body, ...(contentType ? { contentType } : {}) });
      const bare = path.split('?')[0]!;
      if (method === 'GET') return live.has(bare) ? { status: 200, body: live.get(bare) } : { status: 404, body: { message: 'not found' } };
      if (fail.status) return { status: fail.status, body: { message: 'denied by test' } };
      live.set(bare, body);
      return { status: 200, body };
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
