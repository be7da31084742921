/**
 * Status writing: findings mapped to Istio analysis messages, the desired status (only our
 * fields change, nothing to say = no write), the token bucket, the writer against the fake API
 * server (status subresource, skip when equal, 409 retried with the new version, coalescing),
 * and the guarantee that a status write coming back through the informer changes nothing the
 * model reads (no store change, so no snapshot and no push).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeKubeApi, type FakeKubeApi, type KubeObject } from '../../helpers/fake-kube-api.js';
import { waitFor } from '../../helpers/wait-for.js';
import { createKubeClient } from '../../../src/security/authn/index.js';
import { kindInfo } from '../../../src/model/kinds.js';
import { createStore } from '../../../src/model/store/index.js';
import { createValidator } from '../../../src/model/validation/validate.js';
import { silentLogger } from '../../../src/lib/logger.js';
import { connectKube } from '../../../src/sources/kubernetes/client-config.js';
import { createKubernetesSource } from '../../../src/sources/kubernetes/kube-source.js';
import { messagesByObject, MESSAGES } from '../../../src/sources/kubernetes/status-messages.js';
import { desiredStatus } from '../../../src/sources/kubernetes/status-desired.js';
import { createTokenBucket } from '../../../src/sources/kubernetes/status-rate-limit.js';
import { createStatusWriter, type StatusInputs } from '../../../src/sources/kubernetes/status-writer.js';

const ISTIO = new Set(['VirtualService', 'DestinationRule', 'ServiceEntry']);
const code = (list: readonly { type: { code: string } }[] | undefined) => (list ?? []).map((m) => m.type.code);

test('findings map to Istio message codes; non-Istio kinds and remote clusters are left out', () => {
  const messages = messagesByObject(
    [
      { object: 'VirtualService/shop/bad', errors: ['spec.hosts: Required value'], warnings: ['spec.http[0].route[0].weight: Invalid value: 0: odd'] },
      { object: 'VirtualService/shop/old', errors: [], warnings: ['spec.foo: Deprecated: use bar', 'spec.baz: Deprecated: use qux'] },
      { object: 'Service/shop/web', errors: ['spec.ports: Required value'], warnings: [] },
    ],
    [
      { ref: { kind: 'DestinationRule', namespace: 'shop', name: 'dr' }, path: 'spec.trafficPolicy', reason: 'ignored: web.shop already has a trafficPolicy from an older DestinationRule' },
      { ref: { kind: 'ServiceEntry', namespace: 'shop', name: 'se' }, path: 'spec.hosts', reason: 'Service shop/x does not exist' },
      { ref: { kind: 'ServiceEntry', namespace: 'shop', name: 'remote', cluster: 'west' }, path: 'spec.hosts', reason: 'host is already defined' },
    ],
    ISTIO,
  );
  assert.deepEqual([...messages.keys()].sort(), ['DestinationRule/shop/dr', 'ServiceEntry/shop/se', 'VirtualService/shop/bad', 'VirtualService/shop/old']);
  assert.deepEqual(code(messages.get('VirtualService/shop/bad')), ['IST0106', 'IST0133'], 'errors first');
  assert.deepEqual(messages.get('VirtualService/shop/old'), [MESSAGES.deprecated], 'identical entries written once');
  assert.deepEqual(code(messages.get('ServiceEntry/shop/se')), ['IST0101']);
  assert.deepEqual(messages.get('DestinationRule/shop/dr'), [MESSAGES.configurationIgnored]);
  assert.deepEqual(messages.get('VirtualService/shop/bad')![0], { type: { name: 'SchemaValidationError', code: 'IST0106' }, level: 'ERROR', documentationUrl: 'https://istio.io/latest/docs/reference/config/analysis/ist0106/' });
});

test('the desired status changes only our fields, and nothing to say means no write', () => {
  const msgs = [MESSAGES.schemaWarning];
  assert.equal(desiredStatus(undefined, [], 3), undefined, 'no messages, none written: no write');
  assert.equal(desiredStatus({ conditions: [{ type: 'Reconciled' }] }, [], 3), undefined);
  const set = desiredStatus({ conditions: [{ type: 'Reconciled', status: 'True' }] }, msgs, 3)!;
  assert.deepEqual(set, { conditions: [{ type: 'Reconciled', status: 'True' }], validationMessages: [MESSAGES.schemaWarning], observedGeneration: 3 });
  assert.equal(desiredStatus(JSON.parse(JSON.stringify(set)), msgs, 3), undefined, 'already right (as read back as JSON)');
  assert.deepEqual(desiredStatus(set, msgs, 4), { ...set, observedGeneration: 4 }, 'a new generation is recorded');
  assert.deepEqual(desiredStatus(set, [], 4), { conditions: [{ type: 'Reconciled', status: 'True' }], observedGeneration: 4 }, 'stale messages are cleared');
  assert.deepEqual(desiredStatus('garbage', msgs, 'x'), { validationMessages: [MESSAGES.schemaWarning] }, 'a malformed status or generation is not copied');
});

test('the token bucket allows a burst, then qps per second', () => {
  let now = 0;
  const bucket = createTokenBucket(10, 3, () => now);
  assert.deepEqual([bucket.take(), bucket.take(), bucket.take(), bucket.take()], [true, true, true, false]);
  assert.equal(bucket.delayMs(), 100);
  now += 50;
  assert.equal(bucket.take(), false);
  now += 50;
  assert.equal(bucket.take(), true);
  now += 10_000;
  assert.equal([1, 2, 3, 4].filter(() => bucket.take()).length, 3, 'refill is capped at the burst');
  assert.throws(() => createTokenBucket(0, 1), /qps > 0/);
});

function vs(name: string, status?: unknown): KubeObject {
  return { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name, namespace: 'default' }, spec: { hosts: [`${name}.example.com`], http: [{ route: [{ destination: { host: `${name}.default.svc.cluster.local` } }] }] }, ...(status ? { status } : {}) };
}

const statusWrites = (api: FakeKubeApi, since = 0) => api.requests.slice(since).filter((r) => r.method === 'PUT' && r.subresource === 'status');
const statusOf = (api: FakeKubeApi, name: string) => api.store.get('virtualservices', 'default', name)?.status as { validationMessages?: { type: { code: string } }[]; observedGeneration?: number } | undefined;

test('the writer writes differing statuses through /status, skips equal ones and retries a conflict with the new version', async (t) => {
  const api = await startFakeKubeApi();
  const client = createKubeClient({ server: api.url, caPem: api.caPem, token: () => api.callerToken });
  t.after(async () => {
    client.close();
    await api.close();
  });
  api.store.put('virtualservices', vs('bad'));
  api.store.put('virtualservices', vs('fixed', { validationMessages: [MESSAGES.schemaValidationError], conditions: [{ type: 'Reconciled', status: 'True' }] }));
  api.store.put('virtualservices', vs('clean'));
  let findings = [{ object: 'VirtualService/default/bad', errors: ['spec.x: Invalid value'], warnings: [] as string[] }];
  let staleOnce = true;
  const inputs: StatusInputs = {
    objectsOf: (kind) => {
      if (kind !== 'VirtualService') return [];
      const items = api.store.items('virtualservices');
      // The first read is one version behind for "bad": its write must get 409 and be retried.
      if (staleOnce) {
        staleOnce = false;
        return items.map((o) => (o.metadata.name === 'bad' ? { ...o, metadata: { ...o.metadata, resourceVersion: String(Number(o.metadata.resourceVersion) - 1) } } : o));
      }
      return items;
    },
    reports: () => findings,
    diagnostics: () => [],
  };
  const writer = createStatusWriter({ api: client, kinds: [kindInfo('VirtualService')], inputs, qps: 50, burst: 5, debounceMs: 5, retryMs: 20 });
  writer.poke();
  assert.equal(writer.stats().passes, 0, 'a follower does nothing');
  writer.start();
  await waitFor('statuses written', () => code(statusOf(api, 'bad')?.validationMessages).includes('IST0106') && statusOf(api, 'fixed')?.validationMessages === undefined);
  assert.equal(writer.stats().conflicts, 1);
  assert.equal(statusOf(api, 'bad')!.observedGeneration, 1);
  assert.deepEqual(statusOf(api, 'fixed'), { conditions: [{ type: 'Reconciled', status: 'True' }], observedGeneration: 1 }, 'conditions kept, stale messages cleared');
  assert.equal(statusOf(api, 'clean'), undefined, 'nothing to say: never written');
  assert.equal(api.store.get('virtualservices', 'default', 'bad')!.metadata.generation, 1, 'status writes do not bump the generation');
  const writes = statusWrites(api).length;
  assert.deepEqual(statusWrites(api).map((r) => r.name).sort(), ['bad', 'bad', 'fixed'], 'one 409, then one write each');
  // Many pokes with nothing new: passes run, nothing is written.
  const passes = writer.stats().passes;
  for (let i = 0; i < 20; i++) writer.poke();
  await waitFor('another pass', () => writer.stats().passes > passes);
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(statusWrites(api).length, writes, 'equal statuses are not rewritten');
  // A finding goes away: its messages are cleared; stopping drops the duty.
  findings = [];
  writer.poke();
  await waitFor('messages cleared', () => statusOf(api, 'bad')?.validationMessages === undefined);
  writer.stop();
  findings = [{ object: 'VirtualService/default/clean', errors: ['x: Invalid value'], warnings: [] }];
  writer.poke();
  await new Promise((r) => setTimeout(r, 60));
  assert.equal(statusOf(api, 'clean'), undefined, 'no writes after stop()');
});

test('a status write read back through the informer changes nothing the model reads: no store change, no push', async (t) => {
  const api = await startFakeKubeApi();
  const dir = mkdtempSync(join(tmpdir(), 'kube-status-'));
  writeFileSync(join(dir, 'kubeconfig'), api.kubeconfig());
  api.store.put('virtualservices', vs('web'));
  const store = createStore();
  const source = createKubernetesSource({
    transport: connectKube({ mode: 'kubeconfig', file: join(dir, 'kubeconfig') }),
    validator: createValidator(),
    sink: { upsert: (o) => void store.upsert(o), remove: (r) => void store.remove(r) },
    logger: silentLogger,
    clusterID: 'test',
    kinds: [kindInfo('VirtualService')],
  });
  t.after(async () => {
    await source.close();
    await api.close();
    rmSync(dir, { recursive: true, force: true });
  });
  await source.start();
  assert.deepEqual(source.reports(), []);
  assert.deepEqual([...store.takeChanges()], ['VirtualService/default/web']);
  let events = 0;
  source.onObjectEvent(() => events++);
  const current = api.store.get('virtualservices', 'default', 'web')!;
  const before = current.metadata.resourceVersion;
  const client = createKubeClient({ server: api.url, caPem: api.caPem, token: () => api.callerToken });
  const put = await client.request('PUT', '/apis/networking.istio.io/v1/namespaces/default/virtualservices/web/status', { ...current, status: { validationMessages: [MESSAGES.schemaWarning], observedGeneration: 1 } });
  client.close();
  assert.equal(put.status, 200);
  await waitFor('the informer to see the status write', () => source.objectsOf('VirtualService').some((o) => o.metadata?.resourceVersion !== before && o.status !== undefined));
  assert.equal(events, 1, 'the MODIFIED event arrived');
  assert.equal(store.hasChanges(), false, 'a status-only change is no change: no snapshot, no push');
});
