import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import { CertificationRequest } from '@peculiar/asn1-csr';
import { CaError, createCsr, createSelfSignedWorkloadCa, type ManagedWorkloadCa } from '../../../src/security/ca/index.js';
import { nodeVerifyChain, opensslVerify, testKeys } from '../../helpers/ca-fixtures.js';
import { inspectCert } from '../../helpers/ca-inspect.js';

const identity = { namespace: 'default', serviceAccount: 'bookinfo-productpage' };
const SPIFFE = 'spiffe://cluster.local/ns/default/sa/bookinfo-productpage';
const EKU_SERVER = '1.3.6.1.5.5.7.3.1';
const EKU_CLIENT = '1.3.6.1.5.5.7.3.2';
const now = new Date('2030-01-01T00:00:00Z');

let caPromise: Promise<ManagedWorkloadCa> | undefined;
/** One RSA-rooted CA (Istio's default root key type) shared by the tests of this file. */
function ca(): Promise<ManagedWorkloadCa> {
  caPromise ??= createSelfSignedWorkloadCa({ trustDomain: 'cluster.local', now: () => now });
  return caPromise;
}
after(async () => (await caPromise)?.close());

async function sign(csrPem: string, requestedTtlSeconds = 0): Promise<readonly string[]> {
  return (await ca()).sign({ csrPem, identity, requestedTtlSeconds });
}

async function rejection(promise: Promise<unknown>): Promise<CaError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof CaError, `expected CaError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected the request to be refused, but a certificate was issued');
}

for (const [name, keys] of [['RSA-2048', testKeys.rsa2048], ['ECDSA P-256', testKeys.p256], ['ECDSA P-384', testKeys.p384]] as const) {
  test(`a ${name} CSR gets a chain that verifies to the root (node:crypto and openssl)`, async () => {
    const chain = await sign(createCsr(keys()));
    assert.equal(chain.length, 2);
    assert.deepEqual(chain.at(-1), (await ca()).roots()[0]);
    nodeVerifyChain(chain);
    const verdict = opensslVerify(chain, ['-attime', String(now.getTime() / 1000 + 60)]);
    assert.ok(verdict.ok, verdict.output);
    assert.ok(new X509Certificate(chain[0]!).publicKey.export({ type: 'spki', format: 'der' }).equals(keys().publicKey.export({ type: 'spki', format: 'der' })));
  });
}

test('the only SAN is the caller identity, whatever the CSR asks for; not a CA; Istio key usages', async () => {
  const hostile = createCsr(testKeys.p256(), {
    commonName: 'istiod.istio-system.svc',
    uris: ['spiffe://cluster.local/ns/istio-system/sa/istiod'],
    dnsNames: ['*.example.com'],
    requestCa: true,
    extKeyUsages: ['1.3.6.1.5.5.7.3.3'],
  });
  const chain = await sign(hostile);
  const leaf = inspectCert(chain[0]!);
  assert.deepEqual(leaf.sanUris, [SPIFFE]);
  assert.equal(leaf.sanCount, 1);
  assert.deepEqual(leaf.sanDnsNames, []);
  assert.equal(leaf.sanCritical, true);
  assert.equal(leaf.subjectIsEmpty, true);
  assert.equal(leaf.isCa, false);
  assert.equal(leaf.x509.ca, false);
  assert.deepEqual(leaf.keyUsage.sort(), ['digitalSignature', 'keyEncipherment']);
  assert.equal(leaf.keyUsageCritical, true);
  assert.deepEqual(leaf.extKeyUsage, [EKU_SERVER, EKU_CLIENT]);
  const signed = opensslVerify(chain, ['-attime', String(now.getTime() / 1000 + 60), '-purpose', 'sslclient']);
  assert.ok(signed.ok, signed.output);
});

test('serial numbers are random and positive', async () => {
  const csr = createCsr(testKeys.p256());
  const [a, b] = await Promise.all([sign(csr), sign(csr)]);
  const serialA = new X509Certificate(a![0]!).serialNumber;
  const serialB = new X509Certificate(b![0]!).serialNumber;
  assert.notEqual(serialA, serialB);
  assert.equal(serialA.length, 32);
  assert.ok(parseInt(serialA[0]!, 16) < 8, 'high bit clear');
});

test('hostile CSRs are refused with InvalidArgument', async () => {
  const good = createCsr(testKeys.p256());
  const tampered = tamperSignature(good);
  const cases: Record<string, string> = {
    empty: '',
    garbage: 'hello, I am a certificate request',
    'garbage base64': '-----BEGIN CERTIFICATE REQUEST-----\nAAAAAAAAAAAA\n-----END CERTIFICATE REQUEST-----\n',
    'wrong PEM type': good.replace(/CERTIFICATE REQUEST/g, 'CERTIFICATE'),
    'two requests': good + good,
    'tampered signature': tampered,
    'RSA 1024': createCsr(testKeys.rsa1024()),
    'P-521': createCsr(testKeys.p521()),
    Ed25519: createCsr(testKeys.ed25519()),
    oversized: good + 'x'.repeat(70_000),
  };
  for (const [name, csrPem] of Object.entries(cases)) {
    const err = await rejection(sign(csrPem));
    assert.equal(err.code, 'InvalidArgument', `${name}: ${err.message}`);
    assert.match(err.message, /^csr: /, name);
  }
});

test('a CSR whose key differs from the one that signed it is refused', async () => {
  const mine = createCsr(testKeys.p256());
  const other = createCsr(testKeys.p256b());
  // Splice the other key's request info into my signature: the signature no longer matches.
  const spliced = spliceInfo(other, mine);
  const err = await rejection(sign(spliced));
  assert.match(err.message, /signature/);
});

test('TTL: ≤ 0 → 24h; above 90d (and 2^63−1, NaN) → InvalidArgument; 90d exactly is fine', async () => {
  const csr = createCsr(testKeys.p256());
  for (const ttl of [-1, 0]) {
    const leaf = new X509Certificate((await sign(csr, ttl))[0]!);
    assert.equal(Date.parse(leaf.validTo) - now.getTime(), 24 * 3600 * 1000, `ttl ${ttl}`);
  }
  const ninety = new X509Certificate((await sign(csr, 90 * 86400))[0]!);
  assert.equal(Date.parse(ninety.validTo) - now.getTime(), 90 * 86400 * 1000);
  assert.equal(now.getTime() - Date.parse(ninety.validFrom), 0, 'not backdated before the root itself');
  for (const ttl of [90 * 86400 + 1, 2 ** 63 - 1, Number.NaN]) {
    const err = await rejection(sign(csr, ttl));
    assert.equal(err.code, 'InvalidArgument');
    assert.match(err.message, /validity_duration/);
  }
});

test('a certificate never outlives its signer; leaves are backdated 2 minutes for clock skew', async () => {
  let clock = now;
  const shortCa = await createSelfSignedWorkloadCa({ trustDomain: 'cluster.local', now: () => clock, rootKeyType: 'ec-p256', rootTtlSeconds: 3600 });
  try {
    clock = new Date(now.getTime() + 10 * 60 * 1000);
    const chain = await shortCa.sign({ csrPem: createCsr(testKeys.p256()), identity, requestedTtlSeconds: 0 });
    const leaf = new X509Certificate(chain[0]!);
    assert.equal(leaf.validTo, new X509Certificate(chain[1]!).validTo);
    assert.equal(Date.parse(leaf.validFrom), clock.getTime() - 120_000);
  } finally {
    await shortCa.close();
  }
});

test('an identity that is not a valid namespace / service account is refused', async () => {
  const csrPem = createCsr(testKeys.p256());
  for (const bad of [{ namespace: 'a/b', serviceAccount: 'x' }, { namespace: 'default', serviceAccount: '' }, { namespace: '', serviceAccount: 'x' }]) {
    const err = await rejection((await ca()).sign({ csrPem, identity: bad, requestedTtlSeconds: 0 }));
    assert.equal(err.code, 'InvalidArgument');
    assert.match(err.message, /identity\./);
  }
});

function derOf(pem: string): Buffer {
  return Buffer.from(pem.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, ''), 'base64');
}

function pemOfDer(der: Buffer): string {
  return `-----BEGIN CERTIFICATE REQUEST-----\n${der.toString('base64').match(/.{1,64}/g)!.join('\n')}\n-----END CERTIFICATE REQUEST-----\n`;
}

function tamperSignature(pem: string): string {
  const der = derOf(pem);
  der[der.length - 5]! ^= 0x01;
  return pemOfDer(der);
}

/** `info`'s request body (its key, its subject) carrying `sig`'s signature. */
function spliceInfo(info: string, sig: string): string {
  const a = AsnConvert.parse(derOf(info), CertificationRequest);
  const b = AsnConvert.parse(derOf(sig), CertificationRequest);
  const spliced = new CertificationRequest({ certificationRequestInfo: a.certificationRequestInfo, signatureAlgorithm: b.signatureAlgorithm, signature: b.signature });
  return pemOfDer(Buffer.from(AsnConvert.serialize(spliced)));
}
