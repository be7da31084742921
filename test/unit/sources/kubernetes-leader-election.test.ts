/**
 * Leader election on a Lease against the fake API server (real HTTP, resourceVersion
 * conflicts): one leader among replicas, conflicts detected, a silent leader's lease taken only
 * after it expired (leaseTransitions counted), a partitioned leader stepping down at the renew
 * deadline, and a released lease taken over without waiting for expiry. Short durations.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startFakeKubeApi, type FakeKubeApi } from '../../helpers/fake-kube-api.js';
import { waitFor } from '../../helpers/wait-for.js';
import { createKubeClient, type KubeClient } from '../../../src/security/authn/index.js';
import { createLeaseLock, LeaseConflictError, microTime, type KubeJsonApi } from '../../../src/sources/kubernetes/lease-client.js';
import { leaderAndStatusFromEnv } from '../../../src/sources/kubernetes/leader-options.js';
import { DEFAULT_OPTIONS } from '../../../src/config/options.js';
import { checkElectionTimings, createLeaderElector, whileLeader, type LeaderElector } from '../../../src/sources/kubernetes/leader-election.js';

let api: FakeKubeApi;
let client: KubeClient;
const electors: LeaderElector[] = [];

before(async () => {
  api = await startFakeKubeApi();
  client = createKubeClient({ server: api.url, caPem: api.caPem, token: () => api.callerToken });
});

after(async () => {
  await Promise.all(electors.map((e) => e.close()));
  client.close();
  await api.close();
});

/** A client whose requests fail while `cut` is set: a replica that lost the API server. */
function partitionable(): KubeJsonApi & { cut: boolean } {
  const p = { cut: false, request: (m: 'GET' | 'POST' | 'PUT', path: string, body?: unknown) => (p.cut ? Promise.reject(new Error('partitioned')) : client.request(m, path, body)) };
  return p;
}

function elector(name: string, identity: string, timings: { lease: number; renew: number; retry: number }, through: KubeJsonApi = client): LeaderElector {
  const e = createLeaderElector({ lock: createLeaseLock(through, 'istio-system', name), identity, leaseDurationMs: timings.lease, renewDeadlineMs: timings.renew, retryPeriodMs: timings.retry });
  electors.push(e);
  e.start();
  return e;
}

const spec = (name: string) => api.store.get('leases', 'istio-system', name)?.spec as { holderIdentity?: string; leaseTransitions?: number; renewTime?: string; acquireTime?: string; leaseDurationSeconds?: number } | undefined;
const FAST = { lease: 1000, renew: 500, retry: 100 };

test('timings are checked as client-go checks them', () => {
  assert.throws(() => checkElectionTimings({ leaseDurationMs: 10, renewDeadlineMs: 10, retryPeriodMs: 1 }), /greater than the renew deadline/);
  assert.throws(() => checkElectionTimings({ leaseDurationMs: 30, renewDeadlineMs: 12, retryPeriodMs: 10 }), /1.2 × the retry period/);
  assert.doesNotThrow(() => checkElectionTimings({ leaseDurationMs: 30_000, renewDeadlineMs: 15_000, retryPeriodMs: 7_500 }));
});

test('settings from the environment: istiod defaults, a lease duration alone derives the rest, bad values named', () => {
  const d = leaderAndStatusFromEnv({}, DEFAULT_OPTIONS);
  assert.deepEqual(d.leaderElection, { enabled: true, leaseDurationMs: 30_000, renewDeadlineMs: 15_000, retryPeriodMs: 7_500 });
  assert.deepEqual([d.enableStatus, d.statusQps, d.statusBurst, 'podName' in d], [true, 100, 500, false]);
  const set = leaderAndStatusFromEnv({ POD_NAME: 'istiod-1', LEADER_ELECTION_LEASE_DURATION: '2s', ENABLE_LEADER_ELECTION: 'false', LEADER_ELECTION_LEASE_NAME: 'istiod-leader', PILOT_STATUS_QPS: '2.5', PILOT_ENABLE_STATUS: 'false' }, DEFAULT_OPTIONS);
  assert.deepEqual(set.leaderElection, { enabled: false, leaseName: 'istiod-leader', leaseDurationMs: 2000, renewDeadlineMs: 1000, retryPeriodMs: 500 });
  assert.deepEqual([set.podName, set.statusQps, set.enableStatus], ['istiod-1', 2.5, false]);
  assert.throws(() => leaderAndStatusFromEnv({ LEADER_ELECTION_RENEW_DEADLINE: '40s' }, DEFAULT_OPTIONS), /LEADER_ELECTION_\* settings: .*greater than the renew deadline/);
  assert.throws(() => leaderAndStatusFromEnv({ LEADER_ELECTION_RETRY_PERIOD: 'soon' }, DEFAULT_OPTIONS), /LEADER_ELECTION_RETRY_PERIOD="soon"/);
  assert.throws(() => leaderAndStatusFromEnv({ POD_NAME: 'Not_A_Name' }, DEFAULT_OPTIONS), /POD_NAME/);
  assert.throws(() => leaderAndStatusFromEnv({ PILOT_STATUS_BURST: '1.5' }, DEFAULT_OPTIONS), /PILOT_STATUS_BURST/);
});

test('the lease lock detects a stale resourceVersion (409) and a lost create race', async () => {
  const lock = createLeaseLock(client, 'istio-system', 'lock-race');
  const record = { holderIdentity: 'a', leaseDurationSeconds: 5, renewTime: microTime(Date.now()), leaseTransitions: 0 };
  const first = await lock.create(record);
  await assert.rejects(lock.create({ ...record, holderIdentity: 'b' }), LeaseConflictError);
  const read = (await lock.get())!;
  assert.equal(read.record.holderIdentity, 'a');
  assert.match(read.record.renewTime!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/, 'MicroTime');
  await lock.update(first, { ...record, holderIdentity: 'b' });
  await assert.rejects(lock.update(first, { ...record, holderIdentity: 'c' }), LeaseConflictError, 'the same stale version twice');
  assert.equal((await lock.get())!.record.holderIdentity, 'b');
});

test('of two replicas exactly one leads, and the lease names it', async () => {
  const a = elector('one-leader', 'replica-a', FAST);
  const b = elector('one-leader', 'replica-b', FAST);
  const leader = await waitFor('a leader', () => [a, b].find((e) => e.isLeader()));
  // Several renew periods later there is still exactly one.
  await new Promise((r) => setTimeout(r, 400));
  assert.equal([a, b].filter((e) => e.isLeader()).length, 1);
  assert.equal(spec('one-leader')!.holderIdentity, leader!.status().identity);
  assert.equal(spec('one-leader')!.leaseTransitions, 0);
  assert.equal(spec('one-leader')!.leaseDurationSeconds, 1);
  await a.close();
  await b.close();
});

test('a silent leader steps down at the renew deadline; the follower takes over only after the lease expired', async () => {
  const link = partitionable();
  const changes: boolean[] = [];
  const a = elector('expiry', 'replica-a', FAST, link);
  await waitFor('a leads', () => a.isLeader());
  a.onChange((leading) => changes.push(leading));
  const b = elector('expiry', 'replica-b', FAST);
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(b.isLeader(), false, 'the lease is renewed: no takeover');
  link.cut = true;
  const lastRenew = Date.parse(spec('expiry')!.renewTime!);
  await waitFor('a to step down', () => !a.isLeader(), 3000);
  assert.deepEqual(changes, [false]);
  await waitFor('b to take over', () => b.isLeader(), 5000);
  const after = spec('expiry')!;
  assert.equal(after.holderIdentity, 'replica-b');
  assert.equal(after.leaseTransitions, 1, 'a change of holder is a transition');
  assert.ok(Date.parse(after.acquireTime!) >= lastRenew + 1000, `taken at ${after.acquireTime}, before the lease renewed at ${new Date(lastRenew).toISOString()} expired`);
  link.cut = false;
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(a.isLeader(), false, 'the old leader comes back as a follower');
  await b.close();
  await a.close();
});

test('close() releases the lease: a follower takes over without waiting out a long lease', async () => {
  const slow = { lease: 30_000, renew: 1000, retry: 100 };
  const a = elector('release', 'replica-a', slow);
  await waitFor('a leads', () => a.isLeader());
  const b = elector('release', 'replica-b', slow);
  const duty: string[] = [];
  whileLeader(b, { start: () => duty.push('start'), stop: () => duty.push('stop') });
  await a.close();
  assert.equal(a.isLeader(), false);
  await waitFor('b to take over', () => b.isLeader(), 5000);
  assert.deepEqual(duty, ['start']);
  assert.equal(spec('release')!.holderIdentity, 'replica-b');
  assert.equal(spec('release')!.leaseTransitions, 1);
  await b.close();
  assert.deepEqual(duty, ['start', 'stop']);
  assert.equal(spec('release')!.holderIdentity ?? '', '', 'released again on close');
});
