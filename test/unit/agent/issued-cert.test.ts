import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { checkIssuedCert } from '../../../src/agent/issued-cert.js';
import { newWorkloadKey } from '../../../src/agent/key-material.js';
import { createSelfSignedWorkloadCa, verifyCsr, type ManagedWorkloadCa } from '../../../src/security/ca/index.js';

let ca: ManagedWorkloadCa;
before(async () => {
  ca = await createSelfSignedWorkloadCa({ trustDomain: 'cluster.local', rootKeyType: 'ec-p256', signingWorkers: 0 });
});
after(() => ca.close());

const identity = { namespace: 'bookinfo', serviceAccount: 'reviews' };

test('a real chain for the agent\'s key is accepted: identity, serial, expiry; the root goes apart', async () => {
  const key = await newWorkloadKey({ algorithm: 'ECDSA', curve: 'P256' });
  const chain = await ca.sign({ csrPem: key.csrPem, identity, requestedTtlSeconds: 600 });
  const checked = checkIssuedCert(chain, key.privateKeyPem);
  assert.ok(checked.ok, JSON.stringify(checked));
  const leaf = new X509Certificate(chain[0]!);
  assert.equal(checked.value.spiffeId, 'spiffe://cluster.local/ns/bookinfo/sa/reviews');
  assert.deepEqual([checked.value.namespace, checked.value.serviceAccount], ['bookinfo', 'reviews']);
  assert.equal(checked.value.serialNumber, leaf.serialNumber);
  assert.equal(checked.value.notAfterMs, Date.parse(leaf.validTo));
  assert.equal(new X509Certificate(checked.value.rootPem).serialNumber, new X509Certificate(ca.roots()[0]!).serialNumber);
  assert.ok(!checked.value.certChainPem.includes(chain.at(-1)!.trim()), 'cert-chain.pem holds no root');
});

test('responses the agent must not install are refused with a reason', async () => {
  const key = await newWorkloadKey({ algorithm: 'ECDSA', curve: 'P256' });
  const other = await newWorkloadKey({ algorithm: 'ECDSA', curve: 'P256' });
  const chain = await ca.sign({ csrPem: key.csrPem, identity, requestedTtlSeconds: 600 });
  const foreignRoot = await createSelfSignedWorkloadCa({ trustDomain: 'cluster.local', rootKeyType: 'ec-p256', signingWorkers: 0 });
  try {
    const cases: Array<[readonly string[], string, RegExp]> = [
      [[], key.privateKeyPem, /has 0 certificate/],
      [[chain[0]!], key.privateKeyPem, /has 1 certificate/],
      [['garbage', chain[1]!], key.privateKeyPem, /not a PEM certificate/],
      [chain, other.privateKeyPem, /not for the key in the request/],
      [[chain[0]!, foreignRoot.roots()[0]!], key.privateKeyPem, /cert_chain\[0\] is not signed by cert_chain\[1\]/],
    ];
    for (const [c, k, reason] of cases) {
      const checked = checkIssuedCert(c, k);
      assert.ok(!checked.ok && reason.test(checked.errors.join()), `${reason}: ${JSON.stringify(checked)}`);
    }
  } finally {
    await foreignRoot.close();
  }
});

test('RSA keys: a 2048-bit key and a CSR the CA accepts', async () => {
  const key = await newWorkloadKey({ algorithm: 'RSA', bits: 2048 });
  const publicKey = verifyCsr(key.csrPem);
  assert.equal(publicKey.asymmetricKeyType, 'rsa');
  assert.equal(publicKey.asymmetricKeyDetails?.modulusLength, 2048);
});
