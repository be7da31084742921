import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCsr, createSelfSignedWorkloadCa, directoryRootStore } from '../../../src/security/ca/index.js';
import { nodeVerifyChain, opensslVerify, pemOf, testKeys } from '../../helpers/ca-fixtures.js';
import { waitFor } from '../../helpers/wait-for.js';

const identity = { namespace: 'default', serviceAccount: 'sa' };
const t0 = new Date('2031-06-01T00:00:00Z').getTime();

function spki(pem: string): Buffer {
  return new X509Certificate(pem).publicKey.export({ type: 'spki', format: 'der' });
}

test('the self-signed root is persisted, rotated inside its grace period with the same key, and old leaves still verify', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ca-root-'));
  let clock = t0;
  const options = {
    trustDomain: 'rotation.test',
    now: () => new Date(clock),
    rootStore: directoryRootStore(dir),
    rootKeyType: 'ec-p256' as const,
    rootTtlSeconds: 1000,
    rootCheckIntervalMs: 20,
    signingWorkers: 1,
  };
  const ca = await createSelfSignedWorkloadCa(options);
  let newRoot = '';
  try {
    const firstRoot = ca.roots()[0]!;
    assert.equal(new X509Certificate(firstRoot).subject, 'O=rotation.test');
    assert.equal(statSync(join(dir, 'ca-key.pem')).mode & 0o777, 0o600);
    const csrPem = createCsr(testKeys.p256());
    const oldChain = await ca.sign({ csrPem, identity, requestedTtlSeconds: 3600 });

    clock = t0 + 700_000; // 300 s of 1000 left: outside the 20% grace period, no rotation
    await new Promise((r) => setTimeout(r, 80));
    assert.equal(ca.roots()[0], firstRoot);

    clock = t0 + 850_000; // 150 s left < 200 s: rotate
    newRoot = await waitFor('root rotation', () => (ca.roots()[0] !== firstRoot ? ca.roots()[0]! : ''));
    assert.ok(spki(newRoot).equals(spki(firstRoot)), 'same key');
    assert.notEqual(new X509Certificate(newRoot).serialNumber, new X509Certificate(firstRoot).serialNumber);
    assert.equal(Date.parse(new X509Certificate(newRoot).validTo), t0 + 850_000 + 1_000_000);

    const oldLeafWithNewRoot = [oldChain[0]!, newRoot];
    nodeVerifyChain(oldLeafWithNewRoot);
    const verdict = opensslVerify(oldLeafWithNewRoot, ['-attime', String((t0 + 860_000) / 1000)]);
    assert.ok(verdict.ok, verdict.output);

    const newChain = await ca.sign({ csrPem, identity, requestedTtlSeconds: 3600 });
    assert.equal(newChain[1], newRoot, 'the signing worker picked up the rotated root');
    nodeVerifyChain(newChain);
    assert.equal(ca.rootsInfo()[0]!.serialNumber, new X509Certificate(newRoot).serialNumber);
  } finally {
    await ca.close();
  }

  const restarted = await createSelfSignedWorkloadCa({ ...options, rootCheckIntervalMs: 3_600_000 });
  try {
    assert.equal(restarted.roots()[0], newRoot, 'the persisted rotated root is reused');
    const info = restarted.rootsInfo();
    assert.equal(info.length, 1);
    assert.equal(info[0]!.subject, 'O=rotation.test');
    assert.equal(info[0]!.notAfter, new Date(t0 + 850_000 + 1_000_000).toISOString());
  } finally {
    await restarted.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a stored root whose key does not match is refused with the store named, never replaced', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ca-root-'));
  try {
    const ca = await createSelfSignedWorkloadCa({ trustDomain: 'x.test', rootStore: directoryRootStore(dir), rootKeyType: 'ec-p256', signingWorkers: 0 });
    const root = ca.roots()[0]!;
    await ca.close();
    writeFileSync(join(dir, 'ca-key.pem'), pemOf(testKeys.p256b().privateKey));
    await assert.rejects(
      createSelfSignedWorkloadCa({ trustDomain: 'x.test', rootStore: directoryRootStore(dir), signingWorkers: 0 }),
      (err: Error) => err.message.includes(`directory ${dir}`) && /key does not match/.test(err.message),
    );
    rmSync(join(dir, 'ca-key.pem'));
    await assert.rejects(
      createSelfSignedWorkloadCa({ trustDomain: 'x.test', rootStore: directoryRootStore(dir), signingWorkers: 0 }),
      /ca-key\.pem is missing/,
    );
    assert.ok(root.length > 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
