import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { createSelfSignedWorkloadCa, issueServingCert, startServingCertRenewer, type ServingCert } from '../../../src/security/ca/index.js';
import { nodeVerifyChain, opensslVerify } from '../../helpers/ca-fixtures.js';
import { inspectCert } from '../../helpers/ca-inspect.js';
import { waitFor } from '../../helpers/wait-for.js';

const t0 = new Date('2032-03-01T00:00:00Z').getTime();

test("istiod's serving certificate has exactly the istiod DNS SANs plus extras and verifies as a TLS server cert", async () => {
  const ca = await createSelfSignedWorkloadCa({ trustDomain: 'cluster.local', rootKeyType: 'ec-p256', signingWorkers: 0, now: () => new Date(t0) });
  try {
    const cert = issueServingCert(ca.currentSigner(), { namespace: 'istio-system', extraHosts: ['istiod.example.com'], keyType: 'ec-p256', now: () => new Date(t0) });
    const leaf = inspectCert(cert.certChainPem);
    assert.deepEqual(leaf.sanDnsNames, ['istiod.istio-system.svc', 'istiod-remote.istio-system.svc', 'istio-pilot.istio-system.svc', 'istiod.example.com']);
    assert.deepEqual(leaf.sanUris, []);
    assert.equal(leaf.isCa, false);
    assert.ok(new X509Certificate(cert.certChainPem).checkPrivateKey(createPrivateKey(cert.keyPem)));
    assert.equal(cert.rootsPem, ca.roots()[0]);
    const chain = [cert.certChainPem, cert.rootsPem];
    nodeVerifyChain(chain);
    const verdict = opensslVerify(chain, ['-attime', String(t0 / 1000 + 60), '-purpose', 'sslserver', '-verify_hostname', 'istiod.istio-system.svc']);
    assert.ok(verdict.ok, verdict.output);
    assert.equal(opensslVerify(chain, ['-attime', String(t0 / 1000 + 60), '-verify_hostname', 'evil.istio-system.svc']).ok, false);
  } finally {
    await ca.close();
  }
});

test('the serving certificate is renewed before expiry and when the root changes', async () => {
  let clock = t0;
  const now = () => new Date(clock);
  const ca = await createSelfSignedWorkloadCa({
    trustDomain: 'cluster.local', rootKeyType: 'ec-p256', signingWorkers: 0, now, rootTtlSeconds: 1000, rootCheckIntervalMs: 20,
  });
  const renewed: ServingCert[] = [];
  const renewer = startServingCertRenewer(ca, {
    namespace: 'istio-system', keyType: 'ec-p256', ttlSeconds: 100, now, checkIntervalMs: 20, onRenewed: (c) => renewed.push(c),
  });
  try {
    const first = renewer.current();
    assert.equal(first.notAfter.getTime() - t0, 100_000);
    clock = t0 + 50_000;
    await new Promise((r) => setTimeout(r, 80));
    assert.equal(renewed.length, 0, 'not renewed at half its life');

    clock = t0 + 85_000;
    await waitFor('renewal before expiry', () => renewed.length > 0);
    assert.equal(renewer.current().notAfter.getTime(), t0 + 85_000 + 100_000);

    const oldRoot = ca.roots()[0];
    clock = t0 + 850_000; // the root enters its grace period and rotates
    await waitFor('root rotation', () => ca.roots()[0] !== oldRoot);
    const afterRotation = await waitFor('renewal on root change', () => renewed.find((c) => c.rootsPem === ca.roots()[0]));
    nodeVerifyChain([afterRotation!.certChainPem, afterRotation!.rootsPem]);
  } finally {
    renewer.close();
    await ca.close();
  }
});
