/**
 * Kubernetes mode against the fake API server, two replicas with their own tokens: the leader
 * (Lease istio-validation-controller-election) patches the caBundle of both webhook
 * configurations from deploy/60-webhooks.yaml with the CA root; an edit that clears a caBundle
 * is repaired; a webhook for another service is left alone; the follower never writes them.
 * The injector config comes from ConfigMap istio-sidecar-injector and is hot reloaded; an
 * invalid version keeps the last good one.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { startFakeKubeApi, type FakeKubeApi, type KubeObject, type RecordedRequest } from '../../helpers/fake-kube-api.js';
import { startDaemon, type Daemon } from '../../helpers/daemon.js';
import { waitFor } from '../../helpers/wait-for.js';
import { admissionReview, patched, responseOf, webhookClient, type WebhookClient } from './https-client.js';

const LEASE = 'istio-validation-controller-election';
const MUTATING = ['mutatingwebhookconfigurations', undefined, 'istio-sidecar-injector'] as const;
const VALIDATING = ['validatingwebhookconfigurations', undefined, 'istio-validator-istio-system'] as const;

let api: FakeKubeApi;
let dir: string;
const daemons: Daemon[] = [];
const clients: WebhookClient[] = [];

async function replica(name: string): Promise<Daemon> {
  api.acceptCallerToken(`token-${name}`);
  await writeFile(join(dir, `kubeconfig-${name}`), api.kubeconfig(`token-${name}`));
  const d = await startDaemon(['--kubeconfig', join(dir, `kubeconfig-${name}`), '--secureGRPCAddr', '127.0.0.1:0', '--caStateDir', join(dir, `state-${name}`), '--caDir', join(dir, 'no-cacerts'), '--injectionDir', join(dir, 'none')], { POD_NAME: name, PILOT_DEBOUNCE_AFTER: '10ms' });
  daemons.push(d);
  return d;
}

const root = () => String((api.store.get('configmaps', 'default', 'istio-ca-root-cert')?.data as Record<string, string> | undefined)?.['root-cert.pem'] ?? '');
const bundles = ([plural, , name]: readonly [string, undefined, string]) => ((api.store.get(plural, undefined, name)?.webhooks ?? []) as { name: string; clientConfig: { caBundle?: string } }[]).map((w) => [w.name, w.clientConfig.caBundle ?? ''] as const);
const allCurrent = () => root() !== '' && [MUTATING, VALIDATING].every((t) => bundles(t).filter(([n]) => n !== 'foreign.example.com').every(([, b]) => b === Buffer.from(root()).toString('base64')));
const webhookWrites = (r: RecordedRequest) => (r.verb === 'patch' || r.verb === 'update' || r.verb === 'create') && (r.resource ?? '').endsWith('webhookconfigurations');

before(async () => {
  api = await startFakeKubeApi({ namespaces: ['default', 'istio-system', 'kube-system'] });
  dir = await mkdtemp(join(tmpdir(), 'istiod-ts-webhooks-kube-'));
  for (const doc of parseAllDocuments(await readFile('deploy/60-webhooks.yaml', 'utf8'))) {
    const obj = doc.toJS() as KubeObject & { webhooks: Record<string, unknown>[] };
    if (obj.kind === 'MutatingWebhookConfiguration') obj.webhooks.push({ ...obj.webhooks[0], name: 'foreign.example.com', clientConfig: { service: { name: 'other', namespace: 'istio-system', path: '/x' } } });
    api.store.put(obj.kind === 'MutatingWebhookConfiguration' ? MUTATING[0] : VALIDATING[0], obj);
  }
  api.store.put('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'istio-sidecar-injector', namespace: 'istio-system' }, data: { config: 'policy: disabled\n', values: 'global:\n  hub: registry.example.com/istio\n  tag: "1.99"\n' } });
});

after(async () => {
  for (const c of clients) c.close();
  await Promise.all(daemons.map((d) => d.stop()));
  await api.close();
  await rm(dir, { recursive: true, force: true });
});

test('the leader patches both caBundles, repairs a cleared one, leaves foreign webhooks alone; the follower never writes', { timeout: 90_000 }, async () => {
  const a = await replica('replica-a');
  await waitFor('replica-a to lead the webhook duty', () => (api.store.get('leases', 'istio-system', LEASE)?.spec as { holderIdentity?: string } | undefined)?.holderIdentity === 'replica-a', 20_000);
  await replica('replica-b');
  await waitFor('caBundles patched with the root', allCurrent, 20_000);
  assert.deepEqual(bundles(MUTATING).find(([n]) => n === 'foreign.example.com'), ['foreign.example.com', '']);

  // Someone clears the caBundle (e.g. kubectl apply of the original manifest): repaired.
  const cleared = structuredClone(api.store.get(...MUTATING)!) as KubeObject & { webhooks: { clientConfig: { caBundle?: string } }[] };
  delete cleared.webhooks[1]!.clientConfig.caBundle;
  api.store.put(MUTATING[0], cleared);
  assert.equal(allCurrent(), false);
  await waitFor('the cleared caBundle to be repaired', allCurrent, 20_000);
  await waitFor('replica-b to watch the configurations', () => api.requests.some((r) => r.authorization === 'Bearer token-replica-b' && r.resource === 'validatingwebhookconfigurations'), 20_000);
  const writes = api.requests.filter(webhookWrites);
  assert.ok(writes.length >= 3, `patches: ${writes.length}`);
  assert.ok(writes.every((r) => r.authorization === 'Bearer token-replica-a'), 'only the leader writes webhook configurations');
  const port = a.lines.find((l) => l.msg === 'webhook server listening')?.port as number;
  clients.push(webhookClient(port, root()));
});

test('injection follows ConfigMap istio-sidecar-injector, hot reloaded; an invalid version keeps the last good one', { timeout: 60_000 }, async () => {
  const client = clients[0]!;
  const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'default', labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } };
  const send = async (uid: string, p: Record<string, unknown> = pod) => responseOf((await client.post('/inject', admissionReview(uid, p, 'default'))).body);
  assert.equal((await send('disabled')).patch, undefined, 'policy disabled: not injected');
  const optIn = { ...pod, metadata: { ...pod.metadata, labels: { app: 'web', 'sidecar.istio.io/inject': 'true' } } };
  const injected = patched(optIn, await send('opt-in', optIn)) as unknown as { spec: { containers: { name: string; image: string }[] } };
  assert.equal(injected.spec.containers.find((c) => c.name === 'istio-proxy')?.image, 'registry.example.com/istio/proxyv2:1.99', 'values from the ConfigMap');

  const cm = structuredClone(api.store.get('configmaps', 'istio-system', 'istio-sidecar-injector')!) as KubeObject & { data: Record<string, string> };
  cm.data.config = 'policy: enabled\n';
  api.store.put('configmaps', cm);
  await waitFor('policy enabled to apply', async () => (await send('enabled')).patch !== undefined, 20_000);
  cm.data.config = 'policy: [not, a, policy]\n';
  api.store.put('configmaps', cm);
  await waitFor('the invalid version to be seen', () => daemons[0]!.lines.some((l) => l.msg === 'injector config invalid; keeping the last good version'), 20_000);
  assert.notEqual((await send('kept')).patch, undefined, 'last good version (policy enabled) kept');
});
