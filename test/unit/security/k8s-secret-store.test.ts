import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { createKubeClient, isAlreadyExists, isConflict, isNotFound, kubeJson, kubeListAll, KubeApiError, type KubeClient } from '../../../src/security/authn/kube-client.js';
import { createSelfSignedWorkloadCa, kubeSecretRootStore, type RootStore, type StoredRoot } from '../../../src/security/ca/index.js';
import { createSelfSignedRoot, generateRootKey } from '../../../src/security/ca/root-cert.js';
import { startFakeKubeApi, type FakeKubeApi } from '../../helpers/fake-kube-api.js';

const NS = 'istio-system';
const SECRET_PATH = `/api/v1/namespaces/${NS}/secrets/istio-ca-secret`;
let api: FakeKubeApi;
let kube: KubeClient;

before(async () => {
  api = await startFakeKubeApi();
  kube = createKubeClient({ server: api.url, caPem: api.caPem, token: () => api.callerToken });
});
after(async () => {
  kube.close();
  await api.close();
});

function freshRoot(now = new Date()): StoredRoot {
  const key = generateRootKey('ec-p256');
  return { certPem: createSelfSignedRoot({ key, organization: 'cluster.local', now, ttlSeconds: 3600 }), keyPem: key.export({ type: 'pkcs8', format: 'pem' }) as string };
}

const decode = (v: string | undefined) => Buffer.from(v ?? '', 'base64').toString('utf8');
const storedSecret = () => api.core.get('secrets', NS, 'istio-ca-secret') as { type?: string; data?: Record<string, string>; metadata: { resourceVersion?: string; labels?: Record<string, string> } } | undefined;
const store = (namespace = NS) => kubeSecretRootStore({ kube, namespace });
const deleteSecret = () => api.core.delete('secrets', NS, 'istio-ca-secret');
const writesTo = (path: string, from: number) => api.requests.slice(from).filter((r) => r.path.startsWith(path) && r.method !== 'GET');

test('kube client: Status reasons become typed errors; lists follow continue pages and field selectors', async () => {
  await assert.rejects(kubeJson(kube, 'GET', `${SECRET_PATH}-nope`), (err: unknown) => err instanceof KubeApiError && isNotFound(err) && err.reason === 'NotFound');
  const body = { metadata: { name: 'cm1' }, data: { a: '1' } };
  const created = await kubeJson<{ metadata: { resourceVersion: string } }>(kube, 'POST', `/api/v1/namespaces/default/configmaps`, body);
  await assert.rejects(kubeJson(kube, 'POST', `/api/v1/namespaces/default/configmaps`, body), (err: unknown) => isAlreadyExists(err) && !isConflict(err));
  await kubeJson(kube, 'PUT', `/api/v1/namespaces/default/configmaps/cm1`, { ...body, metadata: { name: 'cm1', resourceVersion: created.metadata.resourceVersion } });
  await assert.rejects(kubeJson(kube, 'PUT', `/api/v1/namespaces/default/configmaps/cm1`, { ...body, metadata: { name: 'cm1', resourceVersion: created.metadata.resourceVersion } }), (err: unknown) => isConflict(err) && (err as KubeApiError).status === 409);
  for (const n of ['p1', 'p2', 'p3']) api.core.put('namespaces', { metadata: { name: n } });
  const before = api.requests.length;
  const names = (await kubeListAll<{ metadata: { name: string } }>(kube, '/api/v1/namespaces', { limit: 2 })).map((n) => n.metadata.name);
  assert.deepEqual(names, ['default', 'istio-system', 'kube-node-lease', 'kube-public', 'kube-system', 'p1', 'p2', 'p3']);
  assert.equal(api.requests.length - before, 4, 'four pages of two');
  const cms = await kubeListAll<{ metadata: { namespace: string } }>(kube, '/api/v1/configmaps', { fieldSelector: 'metadata.name=cm1' });
  assert.deepEqual(cms.map((c) => c.metadata.namespace), ['default']);
  await assert.rejects(kubeListAll(kube, '/api/v1/configmaps', { fieldSelector: 'data.a=1' }), (err: unknown) => err instanceof KubeApiError && err.status === 400);
});

test('secret store: 404 loads as none; save creates istio-ca-secret in Istio\'s format; another store reads the same root', async () => {
  deleteSecret();
  assert.equal(await store().load(), undefined);
  const root = freshRoot();
  assert.equal(await store().save(root), undefined, 'nothing to adopt on a clean create');
  const secret = storedSecret()!;
  assert.equal(secret.type, 'istio.io/ca-root');
  assert.deepEqual(Object.keys(secret.data!).sort(), ['ca-cert.pem', 'ca-key.pem', 'cert-chain.pem', 'key.pem', 'root-cert.pem']);
  assert.equal(decode(secret.data!['ca-cert.pem']), root.certPem);
  assert.equal(decode(secret.data!['ca-key.pem']), root.keyPem);
  assert.equal(decode(secret.data!['root-cert.pem']), root.certPem);
  assert.equal(secret.data!['cert-chain.pem'], '');
  assert.deepEqual(await store().load(), root);
});

test('secret store: an unusable Secret is an error naming the Secret and key, without key material', async () => {
  deleteSecret();
  const root = freshRoot();
  api.core.put('secrets', { metadata: { name: 'istio-ca-secret', namespace: NS }, type: 'istio.io/ca-root', data: { 'ca-cert.pem': Buffer.from(root.certPem).toString('base64') } });
  await assert.rejects(store().load(), (err: Error) => /Secret istio-system\/istio-ca-secret: data\["ca-key.pem"\] is missing/.test(err.message) && !err.message.includes('BEGIN'));
  api.core.denied.push({ verb: 'get', resource: 'secrets', namespace: NS });
  try {
    await assert.rejects(store().load(), (err: unknown) => err instanceof KubeApiError && err.status === 403);
  } finally {
    api.core.denied.length = 0;
  }
});

test('secret store: two replicas racing to create end with one root (the loser adopts the winner\'s)', async () => {
  deleteSecret();
  const [a, b] = [store(), store()];
  assert.deepEqual(await Promise.all([a.load(), b.load()]), [undefined, undefined]);
  const [rootA, rootB] = [freshRoot(), freshRoot()];
  const [savedA, savedB] = await Promise.all([a.save(rootA), b.save(rootB)]);
  const stored = { certPem: decode(storedSecret()!.data!['ca-cert.pem']), keyPem: decode(storedSecret()!.data!['ca-key.pem']) };
  const winner = stored.certPem === rootA.certPem ? 'a' : 'b';
  assert.equal(winner === 'a' ? savedA : savedB, undefined, 'the winner keeps its own root');
  assert.deepEqual(winner === 'a' ? savedB : savedA, stored, 'the loser is handed the stored root');
});

test('secret store: rotation updates with the resourceVersion read; a metadata-only conflict is retried, keeping the other writer\'s change', async () => {
  deleteSecret();
  const replica = store();
  await replica.save(freshRoot());
  const readVersion = storedSecret()!.metadata.resourceVersion;
  const current = api.core.get('secrets', NS, 'istio-ca-secret')!;
  api.core.put('secrets', { ...current, metadata: { ...current.metadata, labels: { team: 'mesh' } } }); // e.g. kubectl label
  const from = api.requests.length;
  const rotated = freshRoot();
  assert.equal(await replica.save(rotated), undefined);
  const puts = writesTo(SECRET_PATH, from);
  assert.deepEqual(puts.map((r) => r.method), ['PUT', 'PUT']);
  assert.equal((puts[0]!.body as { metadata: { resourceVersion: string } }).metadata.resourceVersion, readVersion, 'first PUT carries the version read');
  assert.notEqual((puts[1]!.body as { metadata: { resourceVersion: string } }).metadata.resourceVersion, readVersion, 'the retry carries the re-read version');
  assert.equal(decode(storedSecret()!.data!['ca-cert.pem']), rotated.certPem);
  assert.deepEqual(storedSecret()!.metadata.labels, { team: 'mesh' });
});

test('secret store: when another replica rotated first, the conflicting rotation adopts its root', async () => {
  deleteSecret();
  const [a, b] = [store(), store()];
  await a.save(freshRoot());
  await b.load();
  const rotatedByA = freshRoot();
  await a.save(rotatedByA);
  assert.deepEqual(await b.save(freshRoot()), rotatedByA);
  assert.equal(decode(storedSecret()!.data!['ca-cert.pem']), rotatedByA.certPem);
});

const t0 = new Date('2031-06-01T00:00:00Z').getTime();

function caOptions(rootStore: RootStore, at: number) {
  return { trustDomain: 'cluster.local', now: () => new Date(at), rootStore, rootKeyType: 'ec-p256' as const, rootTtlSeconds: 1000, rootCheckIntervalMs: 3_600_000, signingWorkers: 0 };
}

test('self-signed CA on the Secret: persists, reloads the same root in a new replica, rotates in place with the same key', async () => {
  deleteSecret();
  const first = await createSelfSignedWorkloadCa(caOptions(store(), t0));
  const root = first.roots()[0]!;
  await first.close();
  assert.equal(decode(storedSecret()!.data!['ca-cert.pem']), root);

  const from = api.requests.length;
  const second = await createSelfSignedWorkloadCa(caOptions(store(), t0 + 100_000));
  await second.close();
  assert.equal(second.roots()[0], root, 'a restarted replica reuses the stored root');
  assert.equal(writesTo(SECRET_PATH, from).length, 0, 'and writes nothing');

  const versionBefore = storedSecret()!.metadata.resourceVersion;
  const third = await createSelfSignedWorkloadCa(caOptions(store(), t0 + 850_000)); // inside the 20% grace period
  await third.close();
  const rotated = third.roots()[0]!;
  assert.notEqual(rotated, root);
  assert.equal(decode(storedSecret()!.data!['ca-cert.pem']), rotated);
  const spki = (pem: string) => new X509Certificate(pem).publicKey.export({ type: 'spki', format: 'der' });
  assert.ok(spki(rotated).equals(spki(root)), 'same key');
  const put = writesTo(SECRET_PATH, from).at(-1)!;
  assert.equal(put.method, 'PUT');
  assert.equal((put.body as { metadata: { resourceVersion: string } }).metadata.resourceVersion, versionBefore);
});

test('self-signed CA on the Secret: two replicas starting together on an empty cluster end with one root', async () => {
  deleteSecret();
  const from = api.requests.length;
  let release!: () => void;
  const bothLoaded = new Promise<void>((r) => (release = r));
  let loads = 0;
  /** Holds each load until both replicas have seen "no Secret", forcing the create race. */
  const racing = (inner: RootStore): RootStore => ({
    description: inner.description,
    save: (root) => inner.save(root),
    async load() {
      const found = await inner.load();
      if (++loads === 2) release();
      await bothLoaded;
      return found;
    },
  });
  const [a, b] = await Promise.all([createSelfSignedWorkloadCa(caOptions(racing(store()), t0)), createSelfSignedWorkloadCa(caOptions(racing(store()), t0))]);
  await Promise.all([a.close(), b.close()]);
  assert.equal(a.roots()[0], b.roots()[0]);
  assert.equal(decode(storedSecret()!.data!['ca-cert.pem']), a.roots()[0]);
  assert.equal(writesTo(`/api/v1/namespaces/${NS}/secrets`, from).length, 2, 'both tried to create; the loser adopted without writing');
});
