/**
 * Differential test of the template leaf builder (leaf-template.ts) against the general
 * @peculiar-based builder it replaced on the hot path (kept here as the reference): same
 * TBSCertificate bytes, and the same fields through node:crypto and `openssl x509 -text`.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AsnConvert } from '@peculiar/asn1-schema';
import { Certificate, KeyUsageFlags, Name } from '@peculiar/asn1-x509';
import { buildCertificate, ext, EKU_CLIENT_AUTH, EKU_SERVER_AUTH } from '../../../src/security/ca/cert-builder.js';
import { createCsr } from '../../../src/security/ca/csr.js';
import { buildLeafDer, leafTbsDer, type LeafParams } from '../../../src/security/ca/leaf-template.js';
import { encodePem } from '../../../src/security/ca/pem.js';
import { createSelfSignedRoot, generateRootKey } from '../../../src/security/ca/root-cert.js';
import { loadSigner, type Signer } from '../../../src/security/ca/signer.js';
import { issueWorkloadCertificate } from '../../../src/security/ca/workload-cert.js';
import { DEFAULT_TTL_POLICY } from '../../../src/security/ca/ttl.js';
import { makeOpensslCa, testKeys } from '../../helpers/ca-fixtures.js';

/** The previous production leaf builder, verbatim in behavior: the reference. */
function referenceLeaf(signer: Signer, publicKey: KeyObject, p: Omit<LeafParams, 'spkiDer'>): Buffer {
  return buildCertificate({
    publicKey,
    subject: new Name([]),
    issuer: signer.subject,
    signingKey: signer.key,
    notBefore: p.notBefore,
    notAfter: p.notAfter,
    serial: p.serial ? Buffer.from(p.serial) : undefined,
    extensions: [
      ext.keyUsage(KeyUsageFlags.digitalSignature | KeyUsageFlags.keyEncipherment),
      ext.extKeyUsage([EKU_SERVER_AUTH, EKU_CLIENT_AUTH]),
      ext.basicConstraints(false),
      ext.authorityKeyId(signer.keyId),
      ext.subjectAltName(p.sans, true),
    ],
  });
}

const tbsOf = (der: Buffer): Buffer => Buffer.from(AsnConvert.parse(der, Certificate).tbsCertificateRaw!);
const spkiOf = (key: KeyObject): Buffer => key.export({ type: 'spki', format: 'der' });

function selfSigned(type: 'rsa-2048' | 'ec-p256'): Signer {
  const key = generateRootKey(type);
  const certPem = createSelfSignedRoot({ key, organization: 'cluster.local', now: new Date(Date.now() - 3600_000) });
  return loadSigner({ certPem, keyPem: key.export({ type: 'pkcs8', format: 'pem' }) as string, intermediatePems: [], rootPems: [certPem] });
}

let dir = '';
const signers: Record<string, Signer> = {};
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'ca-leaf-'));
  // An openssl-made intermediate: an issuer name and key id this code did not write itself.
  makeOpensslCa(dir, { rootKey: testKeys.p384(), caKey: testKeys.rsa2048() });
  const read = (f: string) => readFileSync(join(dir, f), 'utf8');
  signers['RSA-2048 root'] = selfSigned('rsa-2048');
  signers['P-256 root'] = selfSigned('ec-p256');
  signers['openssl RSA intermediate'] = loadSigner({
    certPem: read('ca-cert.pem'),
    keyPem: createPrivateKey(read('ca-key.pem')).export({ type: 'pkcs8', format: 'pem' }) as string,
    intermediatePems: [],
    rootPems: [read('root-cert.pem')],
  });
});
after(() => rmSync(dir, { recursive: true, force: true }));

const leafKeys = { 'RSA-2048': testKeys.rsa2048, 'P-256': testKeys.p256, 'P-384': testKeys.p384 };
const sanShapes = [
  { uris: ['spiffe://cluster.local/ns/default/sa/bookinfo-productpage'] },
  { dnsNames: ['istiod.istio-system.svc', 'istiod-remote.istio-system.svc', 'istio-pilot.istio-system.svc'] },
  { dnsNames: ['a.example'], uris: ['spiffe://td/ns/x/sa/y'] },
  { uris: [`spiffe://cluster.local/ns/default/sa/${'s'.repeat(200)}`] },
];

test('template leaves have exactly the reference TBSCertificate bytes (signers × leaf keys × SAN shapes × dates)', () => {
  const dates = [
    { notBefore: new Date('2030-01-01T00:00:00.789Z'), notAfter: new Date('2030-01-02T00:00:00Z') },
    // After 2049 X.509 switches from UTCTime to GeneralizedTime.
    { notBefore: new Date('2049-12-31T23:59:59Z'), notAfter: new Date('2050-01-01T00:00:00.5Z') },
  ];
  const serial = Buffer.from('5a0102030405060708090a0b0c0d0e0f', 'hex');
  let compared = 0;
  for (const [signerName, signer] of Object.entries(signers)) {
    for (const [keyName, keys] of Object.entries(leafKeys)) {
      for (const sans of sanShapes) {
        for (const d of dates) {
          const p = { ...d, sans, serial };
          const ours = leafTbsDer(signer, { ...p, spkiDer: spkiOf(keys().publicKey) });
          const reference = tbsOf(referenceLeaf(signer, keys().publicKey, p));
          assert.ok(ours.equals(reference), `${signerName} / ${keyName} / ${JSON.stringify(sans)} / ${d.notAfter.toISOString()}`);
          compared++;
        }
      }
    }
  }
  assert.equal(compared, 3 * 3 * 4 * 2);
});

test('a whole RSA-signed leaf is byte-identical to the reference (PKCS#1 v1.5 signatures are deterministic)', () => {
  const signer = signers['RSA-2048 root']!;
  const p = { notBefore: new Date('2030-01-01T00:00:00Z'), notAfter: new Date('2030-01-02T00:00:00Z'), sans: sanShapes[0]!, serial: Buffer.from('7f'.repeat(16), 'hex') };
  const ours = buildLeafDer(signer, { ...p, spkiDer: spkiOf(testKeys.p256().publicKey) });
  assert.ok(ours.equals(referenceLeaf(signer, testKeys.p256().publicKey, p)));
});

test('an issued workload leaf decodes (node:crypto and openssl x509 -text) to the same fields as the reference would', () => {
  for (const [signerName, signer] of Object.entries(signers)) {
    for (const [keyName, keys] of Object.entries(leafKeys)) {
      const now = new Date(Date.now() + 1234);
      const request = { csrPem: createCsr(keys(), { commonName: 'ignored', dnsNames: ['*.evil'] }), identity: { namespace: 'ns', serviceAccount: 'sa' }, requestedTtlSeconds: 3600 };
      const [leafPem, ...rest] = issueWorkloadCertificate({ signer, trustDomain: 'cluster.local', ttlPolicy: DEFAULT_TTL_POLICY, now }, request);
      assert.deepEqual(rest, signer.chainPems);
      const issued = new X509Certificate(leafPem!);
      // Rebuild with the reference from what the issued leaf says (serial, validity) and the CSR's key.
      const refDer = referenceLeaf(signer, keys().publicKey, {
        sans: { uris: ['spiffe://cluster.local/ns/ns/sa/sa'] },
        notBefore: new Date(issued.validFrom),
        notAfter: new Date(issued.validTo),
        serial: Buffer.from(issued.serialNumber, 'hex'),
      });
      const what = `${signerName} / ${keyName}`;
      assert.ok(tbsOf(issued.raw).equals(tbsOf(refDer)), what);
      const reference = new X509Certificate(refDer);
      assert.deepEqual(x509Fields(issued), x509Fields(reference), what);
      assert.ok(issued.verify(signer.cert.publicKey) && issued.checkIssued(signer.cert), what);
      assert.equal(opensslText(leafPem!), opensslText(encodePem('CERTIFICATE', refDer)), what);
    }
  }
});

function x509Fields(c: X509Certificate): Record<string, unknown> {
  return {
    subject: c.subject,
    issuer: c.issuer,
    serialNumber: c.serialNumber,
    validFrom: c.validFrom,
    validTo: c.validTo,
    subjectAltName: c.subjectAltName,
    keyUsage: c.keyUsage,
    ca: c.ca,
    infoAccess: c.infoAccess,
    publicKey: spkiOf(c.publicKey).toString('hex'),
  };
}

/** `openssl x509 -text` without the signature value (ECDSA signatures are randomized). */
function opensslText(pem: string): string {
  const r = spawnSync('openssl', ['x509', '-noout', '-text', '-certopt', 'no_sigdump'], { input: pem, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /X509v3 Subject Alternative Name: critical/);
  return r.stdout;
}
