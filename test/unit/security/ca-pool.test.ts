import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CaError, createCsr, createSelfSignedWorkloadCa } from '../../../src/security/ca/index.js';
import { nodeVerifyChain, testKeys } from '../../helpers/ca-fixtures.js';
import { inspectCert } from '../../helpers/ca-inspect.js';

test('the worker pool signs concurrent requests; each gets its own identity and a verifying chain', async () => {
  const ca = await createSelfSignedWorkloadCa({ trustDomain: 'pool.test', rootKeyType: 'ec-p256', signingWorkers: 2 });
  try {
    const csrs = [createCsr(testKeys.p256()), createCsr(testKeys.rsa2048())];
    const chains = await Promise.all(
      Array.from({ length: 20 }, (_, i) => ca.sign({ csrPem: csrs[i % 2]!, identity: { namespace: `ns-${i}`, serviceAccount: 'sa' }, requestedTtlSeconds: 3600 })),
    );
    chains.forEach((chain, i) => {
      nodeVerifyChain(chain);
      assert.deepEqual(inspectCert(chain[0]!).sanUris, [`spiffe://pool.test/ns/ns-${i}/sa/sa`]);
    });
  } finally {
    await ca.close();
  }
});

test('worker errors come back as CaError with the same code', async () => {
  const ca = await createSelfSignedWorkloadCa({ trustDomain: 'pool.test', rootKeyType: 'ec-p256', signingWorkers: 1 });
  try {
    const identity = { namespace: 'default', serviceAccount: 'sa' };
    await assert.rejects(ca.sign({ csrPem: createCsr(testKeys.p521()), identity, requestedTtlSeconds: 0 }), (err: unknown) => {
      assert.ok(err instanceof CaError);
      assert.equal(err.code, 'InvalidArgument');
      assert.match(err.message, /P-256\/P-384/);
      return true;
    });
  } finally {
    await ca.close();
  }
});

test('a full queue answers Unavailable; close() refuses further work', async () => {
  const ca = await createSelfSignedWorkloadCa({ trustDomain: 'pool.test', rootKeyType: 'ec-p256', signingWorkers: 1, maxSignQueue: 2 });
  const csrPem = createCsr(testKeys.p256());
  const identity = { namespace: 'default', serviceAccount: 'sa' };
  const outcomes = await Promise.allSettled(Array.from({ length: 8 }, () => ca.sign({ csrPem, identity, requestedTtlSeconds: 0 })));
  const refused = outcomes.filter((o) => o.status === 'rejected').map((o) => (o as PromiseRejectedResult).reason as CaError);
  // One in the worker, two queued: the other five are shed.
  assert.equal(outcomes.filter((o) => o.status === 'fulfilled').length, 3);
  assert.equal(refused.length, 5);
  for (const err of refused) assert.equal(err.code, 'Unavailable');
  await ca.close();
  await assert.rejects(ca.sign({ csrPem, identity, requestedTtlSeconds: 0 }), (err: unknown) => err instanceof CaError && err.code === 'Unavailable');
});
