/**
 * Two replicas of the daemon against one fake API server, each with its own token so the
 * request log tells who wrote what: exactly one holds the Leases and only it writes status and
 * istio-ca-root-cert ConfigMaps; SIGKILL the leader (no release) → the other takes over once
 * the 2 s lease expired (never before); SIGTERM the new leader → it releases and the third
 * replica takes over without waiting for expiry.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeKubeApi, type FakeKubeApi, type KubeObject, type RecordedRequest } from '../../helpers/fake-kube-api.js';
import { startDaemon, type Daemon } from '../../helpers/daemon.js';
import { waitFor } from '../../helpers/wait-for.js';

const LEASES = ['istio-namespace-controller-election', 'istio-status-leader'];
/** Every duty's Lease (LEASES plus the webhook caBundle and the gateway deployment controller). */
const ALL_LEASES = [...LEASES, 'istio-validation-controller-election', 'istio-gateway-deployment-default'];
let api: FakeKubeApi;
let dir: string;
const daemons: Daemon[] = [];

async function replica(name: string): Promise<Daemon> {
  const token = `token-${name}`;
  api.acceptCallerToken(token);
  await writeFile(join(dir, `kubeconfig-${name}`), api.kubeconfig(token));
  const args = ['--kubeconfig', join(dir, `kubeconfig-${name}`), '--secureGRPCAddr', '127.0.0.1:0', '--caStateDir', join(dir, `state-${name}`), '--caDir', join(dir, 'no-cacerts')];
  const d = await startDaemon(args, { POD_NAME: name, LEADER_ELECTION_LEASE_DURATION: '2s', PILOT_DEBOUNCE_AFTER: '10ms' });
  daemons.push(d);
  return d;
}

const lease = (name: string) => api.store.get('leases', 'istio-system', name)?.spec as { holderIdentity?: string; renewTime?: string; acquireTime?: string; leaseTransitions?: number } | undefined;
const holders = () => LEASES.map((l) => lease(l)?.holderIdentity ?? '');
const by = (name: string) => (r: RecordedRequest) => r.authorization === `Bearer token-${name}`;
const isWrite = (r: RecordedRequest) => r.verb === 'create' || r.verb === 'update' || r.verb === 'patch';
const statusWrites = () => api.requests.filter((r) => isWrite(r) && r.subresource === 'status');
const configMapWrites = () => api.requests.filter((r) => isWrite(r) && r.resource === 'configmaps');
const messagesOf = (name: string) => ((api.store.get('virtualservices', 'default', name)?.status as { validationMessages?: { type: { code: string } }[] } | undefined)?.validationMessages ?? []).map((m) => m.type.code);

function badVirtualService(name: string): KubeObject {
  return { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name, namespace: 'default' }, spec: { hosts: [`${name}.example.com`], http: [{ route: [{ destination: { host: 'web' }, weight: -5 }] }] } };
}

before(async () => {
  api = await startFakeKubeApi({ namespaces: ['default', 'istio-system', 'kube-system', 'shop'] });
  dir = await mkdtemp(join(tmpdir(), 'istiod-ts-leader-'));
  api.store.put('virtualservices', badVirtualService('bad'));
});

after(async () => {
  await Promise.all(daemons.map((d) => d.stop()));
  await api.close();
  await rm(dir, { recursive: true, force: true });
});

test('one leader writes status and root ConfigMaps; SIGKILL → takeover after expiry; SIGTERM → release and immediate takeover', { timeout: 120_000 }, async () => {
  const a = await replica('replica-a');
  await waitFor('replica-a to lead both duties', () => holders().every((h) => h === 'replica-a'), 20_000);
  const b = await replica('replica-b');
  await waitFor('status written', () => messagesOf('bad').includes('IST0106'), 20_000);
  await waitFor('root ConfigMaps', () => ['default', 'shop', 'kube-system'].every((ns) => api.store.get('configmaps', ns, 'istio-ca-root-cert')), 20_000);
  await waitFor('replica-b to follow (reads the leases)', () => api.requests.some((r) => by('replica-b')(r) && r.resource === 'leases'), 20_000);
  const leaderzB = JSON.parse((await b.get('/debug/leaderz')).body) as { identity: string; elections: { leader: boolean }[] };
  assert.equal(leaderzB.identity, 'replica-b');
  // Four duties: root ConfigMaps, status, webhook caBundle (istio-validation-controller-election), gateway deployment.
  assert.ok(leaderzB.elections.length === 4 && leaderzB.elections.every((e) => !e.leader), 'replica-b leads nothing');
  assert.ok(statusWrites().length > 0 && statusWrites().every(by('replica-a')), 'only the leader writes status');
  assert.ok(configMapWrites().length > 0 && configMapWrites().every(by('replica-a')), 'only the leader writes ConfigMaps');

  // SIGKILL: no release. The follower must wait for the lease to expire, then take both duties.
  const lastRenew = Math.max(...LEASES.map((l) => Date.parse(lease(l)!.renewTime!)));
  a.proc.kill('SIGKILL');
  await waitFor('replica-b to take over', () => holders().every((h) => h === 'replica-b'), 20_000);
  for (const l of LEASES) {
    assert.ok(Date.parse(lease(l)!.acquireTime!) >= lastRenew + 2000, `${l} taken at ${lease(l)!.acquireTime}, before the lease expired`);
    assert.equal(lease(l)!.leaseTransitions, 1);
  }
  const since = api.requests.length;
  api.store.put('virtualservices', badVirtualService('bad2'));
  api.store.put('namespaces', { metadata: { name: 'late' } });
  await waitFor('the new leader to write status and the new namespace ConfigMap', () => messagesOf('bad2').includes('IST0106') && api.store.get('configmaps', 'late', 'istio-ca-root-cert'), 20_000);
  assert.ok(api.requests.slice(since).filter((r) => isWrite(r) && (r.subresource === 'status' || r.resource === 'configmaps')).every(by('replica-b')));

  // SIGTERM: the leader releases; the next replica takes over without waiting out the lease.
  await waitFor('replica-b to hold every duty\'s lease', () => ALL_LEASES.every((l) => lease(l)?.holderIdentity === 'replica-b'), 20_000);
  await replica('replica-c');
  assert.equal(await b.stop(), 0);
  const releases = api.requests.filter((r) => by('replica-b')(r) && r.resource === 'leases' && r.verb === 'update' && (r.body as { spec?: { holderIdentity?: string } }).spec?.holderIdentity === '');
  assert.equal(releases.length, 4, 'every lease (root ConfigMaps, status, webhook caBundle, gateway deployment) released on shutdown');
  await waitFor('replica-c to take over', () => holders().every((h) => h === 'replica-c'), 20_000);
});
