/**
 * The CA in Kubernetes mode, the daemon as a real process with --kubeconfig pointing at the
 * fake API server: the self-signed root lives in Secret istio-ca-secret (and survives a
 * restart), ConfigMap istio-ca-root-cert carries it to every namespace (also one created
 * later), and CreateCertificate authenticates service-account tokens with a TokenReview.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeKubeApi, type FakeKubeApi, type KubeObject } from '../../helpers/fake-kube-api.js';
import { startDaemon, type Daemon } from '../../helpers/daemon.js';
import { waitFor } from '../../helpers/wait-for.js';
import { createCertificate } from '../secure-xds/clients.js';

const SA_GROUPS = ['system:serviceaccounts', 'system:serviceaccounts:shop', 'system:authenticated'];
const NAMESPACES = ['default', 'istio-system', 'kube-public', 'kube-system', 'shop'];

let api: FakeKubeApi;
let dir: string;
let daemon: Daemon | undefined;

function daemonArgs(): string[] {
  return ['--kubeconfig', join(dir, 'kubeconfig'), '--secureGRPCAddr', '127.0.0.1:0', '--caStateDir', join(dir, 'state'), '--caDir', join(dir, 'no-cacerts')];
}

async function startKubeDaemon(): Promise<{ daemon: Daemon; secure: string }> {
  const d = await startDaemon(daemonArgs(), { PILOT_DEBOUNCE_AFTER: '10ms' });
  daemon = d;
  const port = await waitFor('secure port', () => d.lines.find((l) => l.msg === 'secure xds server listening')?.port as number | undefined, 20_000);
  return { daemon: d, secure: `127.0.0.1:${port}` };
}

const decode = (data: unknown, key: string): string => Buffer.from(String((data as Record<string, string>)[key] ?? ''), 'base64').toString('utf8');
const caSecret = (): KubeObject | undefined => api.store.get('secrets', 'istio-system', 'istio-ca-secret');
const rootConfigMap = (ns: string): KubeObject | undefined => api.store.get('configmaps', ns, 'istio-ca-root-cert');
const tokenReviews = (): number => api.requests.filter((r) => r.method === 'POST' && r.path.startsWith('/apis/authentication.k8s.io/v1/tokenreviews')).length;
const configMapRoot = (ns: string): string | undefined => (rootConfigMap(ns)?.data as Record<string, string> | undefined)?.['root-cert.pem'];

let secure: string;

before(async () => {
  api = await startFakeKubeApi({
    namespaces: NAMESPACES,
    tokens: {
      'shop-web-token': { username: 'system:serviceaccount:shop:web', groups: SA_GROUPS, audiences: ['istio-ca'] },
    },
  });
  dir = await mkdtemp(join(tmpdir(), 'istiod-ts-kube-ca-'));
  await writeFile(join(dir, 'kubeconfig'), api.kubeconfig());
  ({ secure } = await startKubeDaemon());
});

after(async () => {
  await daemon?.stop();
  await api.close();
  await rm(dir, { recursive: true, force: true });
});

test('the self-signed root is stored in Secret istio-ca-secret, not in --caStateDir', async () => {
  const secret = await waitFor('istio-ca-secret', () => caSecret(), 10_000);
  assert.equal(secret!.type, 'istio.io/ca-root');
  const root = new X509Certificate(decode(secret!.data, 'ca-cert.pem'));
  assert.equal(root.ca, true);
  assert.match(decode(secret!.data, 'ca-key.pem'), /-----BEGIN [A-Z ]*PRIVATE KEY-----/);
  assert.equal(decode(secret!.data, 'root-cert.pem'), decode(secret!.data, 'ca-cert.pem'));
  const state = await readdir(join(dir, 'state')).catch(() => [] as string[]);
  assert.deepEqual(state, [], 'file mode state (root files, root-cert.pem) is not written in Kubernetes mode');
});

test('ConfigMap istio-ca-root-cert carries the root to every namespace, including one created later', async () => {
  const rootPem = decode(caSecret()!.data, 'ca-cert.pem');
  const served = ['default', 'istio-system', 'kube-system', 'shop'];
  await waitFor('root ConfigMaps', () => served.every((ns) => configMapRoot(ns) !== undefined), 10_000);
  for (const ns of served) {
    assert.equal(configMapRoot(ns)!.trim(), rootPem.trim(), `root in ${ns}`);
    assert.equal((rootConfigMap(ns)!.metadata?.labels as Record<string, string> | undefined)?.['istio.io/config'], 'true');
  }
  assert.equal(rootConfigMap('kube-public'), undefined, 'kube-public is not served, as in Istio');

  api.store.put('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'late' }, status: { phase: 'Active' } });
  await waitFor('root ConfigMap in the new namespace', () => configMapRoot('late'), 10_000);
  assert.equal(configMapRoot('late')!.trim(), rootPem.trim());
});

test('a service-account token the TokenReview accepts gets its SPIFFE identity; a rejected one gets UNAUTHENTICATED', async () => {
  const rootPem = configMapRoot('shop')!;
  const issued = await createCertificate(secure, { rootPem, token: 'shop-web-token' });
  assert.ok(issued.ok, JSON.stringify(issued));
  const leaf = new X509Certificate(issued.chain[0]!);
  assert.equal(leaf.subjectAltName, 'URI:spiffe://cluster.local/ns/shop/sa/web');
  assert.ok(leaf.verify(new X509Certificate(issued.chain.at(-1)!).publicKey), 'the chain ends at the root');
  assert.equal(issued.chain.at(-1)!.trim(), rootPem.trim());
  const reviews = tokenReviews();
  assert.ok(reviews >= 1, 'the token was checked with a TokenReview');

  const refused = await createCertificate(secure, { rootPem, token: 'not-a-known-token' });
  assert.equal(refused.ok, false);
  assert.equal((refused as { code: grpc.status }).code, grpc.status.UNAUTHENTICATED);
  assert.equal(tokenReviews(), reviews + 1, 'the rejected token was reviewed too');
});

test('a restarted daemon reuses the root in istio-ca-secret', async () => {
  const before = caSecret()!;
  const serial = new X509Certificate(decode(before.data, 'ca-cert.pem')).serialNumber;
  assert.equal(await daemon!.stop(), 0);
  const restarted = await startKubeDaemon();
  const view = JSON.parse((await restarted.daemon.get('/debug/cert')).body) as { roots: { serialNumber: string }[] };
  assert.deepEqual(view.roots.map((r) => r.serialNumber), [serial]);
  assert.equal(caSecret()!.metadata?.resourceVersion, before.metadata?.resourceVersion, 'the Secret was not rewritten');
  const issued = await createCertificate(restarted.secure, { rootPem: configMapRoot('shop')!, token: 'shop-web-token' });
  assert.ok(issued.ok, JSON.stringify(issued));
  assert.equal(new X509Certificate(issued.chain.at(-1)!).serialNumber, serial);
});
