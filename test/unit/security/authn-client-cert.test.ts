import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCsr, createSelfSignedWorkloadCa, type ManagedWorkloadCa } from '../../../src/security/ca/index.js';
import { createClientCertAuthenticator, judgeClientCertificate } from '../../../src/security/authn/index.js';
import { makeOpensslCa, openssl, pemOf, testKeys } from '../../helpers/ca-fixtures.js';

const TD = 'cluster.local';
let ca: ManagedWorkloadCa;
let leafPem: string;
let dir: string;

const der = (pem: string) => new X509Certificate(pem).raw;

/** A leaf signed by the openssl root in `dir`, with the given subjectAltName extension value. */
function opensslLeaf(name: string, san: string): string {
  writeFileSync(join(dir, `${name}.cnf`), `[v3]\nbasicConstraints=critical,CA:FALSE\nsubjectAltName=${san}\n`);
  writeFileSync(join(dir, `${name}-key.pem`), pemOf(testKeys.p256b().privateKey));
  openssl(['req', '-new', '-key', `${name}-key.pem`, '-subj', `/O=test`, '-out', `${name}.csr`], dir);
  openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', 'root-cert.pem', '-CAkey', 'root-key.pem', '-set_serial', '7', '-days', '1', '-extfile', `${name}.cnf`, '-extensions', 'v3', '-out', `${name}.pem`], dir);
  return readFileSync(join(dir, `${name}.pem`), 'utf8');
}

before(async () => {
  ca = await createSelfSignedWorkloadCa({ trustDomain: TD, rootKeyType: 'ec-p256' });
  const chain = await ca.sign({ csrPem: createCsr(testKeys.p256()), identity: { namespace: 'ns1', serviceAccount: 'sa1' }, requestedTtlSeconds: 3600 });
  leafPem = chain[0]!;
  dir = mkdtempSync(join(tmpdir(), 'authn-cert-'));
  makeOpensslCa(dir);
});
after(async () => {
  await ca.close();
  rmSync(dir, { recursive: true, force: true });
});

test('a certificate this CA issued authenticates as its SPIFFE identity', async () => {
  const authn = createClientCertAuthenticator({ trustDomain: TD, issuers: () => ca.roots() });
  assert.deepEqual(await authn.authenticate({ authorization: [], peerCertificateDer: der(leafPem) }), { ok: true, value: { identity: { namespace: 'ns1', serviceAccount: 'sa1' }, method: 'client-certificate' } });
  assert.equal(await authn.authenticate({ authorization: [] }), undefined, 'no certificate: not this authenticator\'s business');
});

test('refused: another trust domain, another issuer, a CA certificate, outside validity, garbage', () => {
  const opts = { trustDomain: TD, issuers: () => ca.roots() };
  assert.equal(judgeClientCertificate(der(leafPem), { ...opts, trustDomain: 'other.domain' }).ok, false);
  assert.equal(judgeClientCertificate(der(leafPem), { ...opts, issuers: () => [readFileSync(join(dir, 'root-cert.pem'), 'utf8')] }).ok, false);
  assert.equal(judgeClientCertificate(der(ca.roots()[0]!), opts).ok, false);
  assert.equal(judgeClientCertificate(der(leafPem), { ...opts, now: () => Date.now() + 400 * 86_400_000 }).ok, false);
  assert.equal(judgeClientCertificate(Buffer.from('not a certificate'), opts).ok, false);
});

test('refused: zero or two URI SANs, or a URI SAN that is not a workload SPIFFE ID', () => {
  const opts = { trustDomain: TD, issuers: () => [readFileSync(join(dir, 'root-cert.pem'), 'utf8')] };
  const one = opensslLeaf('one', `URI:spiffe://${TD}/ns/a/sa/b`);
  assert.equal(judgeClientCertificate(der(one), opts).ok, true, 'control: the openssl-issued leaf is accepted against its own root');
  assert.equal(judgeClientCertificate(der(opensslLeaf('two', `URI:spiffe://${TD}/ns/a/sa/b,URI:spiffe://${TD}/ns/c/sa/d`)), opts).ok, false);
  assert.equal(judgeClientCertificate(der(opensslLeaf('none', 'DNS:a.example')), opts).ok, false);
  assert.equal(judgeClientCertificate(der(opensslLeaf('odd', `URI:spiffe://${TD}/ns/a/sa/b/extra`)), opts).ok, false);
});
