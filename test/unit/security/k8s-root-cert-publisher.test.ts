import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createKubeClient, type KubeClient } from '../../../src/security/authn/kube-client.js';
import { createRootCertPublisher, type NamespaceOutcome, type PublishReport } from '../../../src/security/k8s/root-cert-publisher.js';
import { createSelfSignedRoot, generateRootKey } from '../../../src/security/ca/root-cert.js';
import { startFakeKubeApi, type FakeKubeApi } from '../../helpers/fake-kube-api.js';
import { waitFor } from '../../helpers/wait-for.js';

const CM = 'istio-ca-root-cert';
let api: FakeKubeApi;
let kube: KubeClient;
const rootA = createSelfSignedRoot({ key: generateRootKey('ec-p256'), organization: 'cluster.local', now: new Date(), ttlSeconds: 3600 });
const rootB = createSelfSignedRoot({ key: generateRootKey('ec-p256'), organization: 'other.trust', now: new Date(), ttlSeconds: 3600 });

before(async () => {
  api = await startFakeKubeApi({ namespaces: ['default', 'istio-system', 'kube-system', 'kube-public', 'kube-node-lease', 'local-path-storage', 'apps', 'current', 'locked'] });
  kube = createKubeClient({ server: api.url, caPem: api.caPem, token: () => api.callerToken });
  api.core.put('namespaces', { metadata: { name: 'dying' }, status: { phase: 'Terminating' } });
  // A stale ConfigMap someone extended, and one already up to date.
  api.core.put('configmaps', { metadata: { name: CM, namespace: 'apps', labels: { owner: 'ops' } }, data: { 'root-cert.pem': 'stale', extra: 'keep me' } });
  api.core.put('configmaps', { metadata: { name: CM, namespace: 'current', labels: { 'istio.io/config': 'true' } }, data: { 'root-cert.pem': rootA + rootB } });
  api.core.denied.push({ verb: 'create', resource: 'configmaps', namespace: 'locked' });
});
after(async () => {
  kube.close();
  await api.close();
});

const byNamespace = (report: PublishReport) => Object.fromEntries(report.outcomes.map((o: NamespaceOutcome) => [o.namespace, o.action]));
const configMap = (ns: string) => api.core.get('configmaps', ns, CM) as { data?: Record<string, string>; metadata: { labels?: Record<string, string> } } | undefined;
const writesSince = (from: number) => api.requests.slice(from).filter((r) => r.method === 'POST' || r.method === 'PUT');

test('publish creates missing, updates stale, leaves current ones, skips system and terminating namespaces, reports a 403 and carries on', async () => {
  const publisher = createRootCertPublisher({ kube, roots: () => [rootA, rootB], concurrency: 2 });
  const report = await publisher.publish();
  assert.equal(report.error, undefined);
  assert.deepEqual(byNamespace(report), {
    apps: 'updated',
    current: 'unchanged',
    default: 'created',
    dying: 'skipped',
    'istio-system': 'created',
    'kube-node-lease': 'skipped',
    'kube-public': 'skipped',
    'kube-system': 'created',
    'local-path-storage': 'skipped',
    locked: 'failed',
  });
  const locked = report.outcomes.find((o) => o.namespace === 'locked')!;
  assert.match(locked.action === 'failed' ? locked.error : '', /HTTP 403 Forbidden/);

  for (const ns of ['default', 'istio-system', 'kube-system', 'apps', 'current']) {
    assert.equal(configMap(ns)?.data?.['root-cert.pem'], rootA + rootB, ns);
    assert.equal(configMap(ns)?.metadata.labels?.['istio.io/config'], 'true', ns);
  }
  assert.equal(configMap('apps')!.data!.extra, 'keep me', 'other keys kept');
  assert.equal(configMap('apps')!.metadata.labels!.owner, 'ops', 'other labels kept');
  for (const ns of ['dying', 'kube-public', 'kube-node-lease', 'local-path-storage', 'locked']) assert.equal(configMap(ns), undefined, ns);
});

test('a second pass with the same roots writes nothing; new roots update every ConfigMap with its resourceVersion', async () => {
  const publisher = createRootCertPublisher({ kube, roots: () => [rootA, rootB] });
  const from = api.requests.length;
  await publisher.publish();
  assert.deepEqual(writesSince(from).map((r) => `${r.method} ${r.path}`), ['POST /api/v1/namespaces/locked/configmaps'], 'only the still-failing create is retried');

  const versions = new Map(['default', 'apps'].map((ns) => [ns, (api.core.get('configmaps', ns, CM)!.metadata.resourceVersion as string)]));
  const next = api.requests.length;
  const report = await publisher.publish([rootB]);
  assert.equal(byNamespace(report).default, 'updated');
  for (const ns of ['default', 'istio-system', 'kube-system', 'apps', 'current']) assert.equal(configMap(ns)?.data?.['root-cert.pem'], rootB, ns);
  for (const [ns, version] of versions) {
    const put = writesSince(next).find((r) => r.method === 'PUT' && r.path === `/api/v1/namespaces/${ns}/configmaps/${CM}`)!;
    assert.equal((put.body as { metadata: { resourceVersion: string } }).metadata.resourceVersion, version, ns);
  }
});

test('a namespace list the API refuses is reported, nothing written, the promise resolves', async () => {
  api.core.denied.push({ verb: 'list', resource: 'namespaces' });
  try {
    const from = api.requests.length;
    const report = await createRootCertPublisher({ kube, roots: () => [rootA] }).publish();
    assert.match(report.error ?? '', /cannot list namespaces: .*HTTP 403/);
    assert.equal(writesSince(from).length, 0);
  } finally {
    api.core.denied.pop();
  }
});

test('started (the leader), it resyncs: a deleted ConfigMap comes back; stopped, it stays down', async () => {
  const reports: PublishReport[] = [];
  const publisher = createRootCertPublisher({ kube, roots: () => [rootA], resyncIntervalMs: 30, onReport: (r) => reports.push(r) });
  publisher.start();
  assert.equal(publisher.started, true);
  await waitFor('first pass', () => configMap('default')?.data?.['root-cert.pem'] === rootA);
  api.core.delete('configmaps', 'default', CM);
  await waitFor('resync recreates the ConfigMap', () => configMap('default') !== undefined);
  await publisher.stop();
  assert.equal(publisher.started, false);
  const passes = reports.length;
  api.core.delete('configmaps', 'default', CM);
  publisher.rootsChanged(); // not the leader any more: no pass
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(reports.length, passes);
  assert.equal(configMap('default'), undefined);
});

test('publishNamespace reconciles one namespace (an informer event) and never one Istio ignores', async () => {
  const publisher = createRootCertPublisher({ kube, roots: () => [rootA] });
  api.core.delete('configmaps', 'istio-system', CM);
  assert.deepEqual(await publisher.publishNamespace('istio-system'), { namespace: 'istio-system', action: 'created' });
  assert.deepEqual(await publisher.publishNamespace('istio-system'), { namespace: 'istio-system', action: 'unchanged' });
  assert.equal((await publisher.publishNamespace('kube-public')).action, 'skipped');
  api.core.put('namespaces', { metadata: { name: 'going' }, status: { phase: 'Terminating' } });
  assert.deepEqual(await publisher.publishNamespace('going'), { namespace: 'going', action: 'skipped', reason: 'namespace is terminating' });
  assert.equal(configMap('going'), undefined);
});
