/**
 * The CSR fast path (strict DER reader + canonical SPKI import) against the general path it
 * shortcuts: same key, same SPKI bytes in the certificate, same refusals; and the unusual
 * encodings that must fall back to the general parser / OpenSSL.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ECDH, createPublicKey, sign, type KeyObject } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import { Attributes, CertificationRequest, CertificationRequestInfo } from '@peculiar/asn1-csr';
import { AlgorithmIdentifier, Name, SubjectPublicKeyInfo } from '@peculiar/asn1-x509';
import { toArrayBuffer } from '../../../src/security/ca/cert-builder.js';
import { createCsr, verifyCsrForSigning } from '../../../src/security/ca/csr.js';
import { readCsrStrict } from '../../../src/security/ca/csr-reader.js';
import { derLength, derOid, derTime } from '../../../src/security/ca/der-writer.js';
import { decodeSinglePem, encodePem } from '../../../src/security/ca/pem.js';
import { importSpki } from '../../../src/security/ca/spki-key.js';
import { CaError } from '../../../src/security/ca/types.js';
import { testKeys, type KeyPair } from '../../helpers/ca-fixtures.js';

const spkiOf = (key: KeyObject): Buffer => key.export({ type: 'spki', format: 'der' });
const derOfCsr = (pem: string): Buffer => decodeSinglePem(pem, 'CERTIFICATE REQUEST');
const csrPem = (der: Uint8Array): string => encodePem('CERTIFICATE REQUEST', der);

/** A CSR carrying `spki` verbatim, signed by `pair`'s private key. */
function csrWithSpki(pair: KeyPair, spki: Buffer, hash = 'sha256'): string {
  const info = new CertificationRequestInfo({ version: 0, subject: new Name([]), subjectPKInfo: AsnConvert.parse(spki, SubjectPublicKeyInfo), attributes: new Attributes() });
  const signature = sign(hash, Buffer.from(AsnConvert.serialize(info)), pair.privateKey);
  const algorithm = pair.privateKey.asymmetricKeyType === 'rsa' ? '1.2.840.113549.1.1.11' : '1.2.840.10045.4.3.2';
  const identifier = new AlgorithmIdentifier(algorithm.startsWith('1.2.840.113549') ? { algorithm, parameters: null } : { algorithm });
  return csrPem(new Uint8Array(AsnConvert.serialize(new CertificationRequest({ certificationRequestInfo: info, signatureAlgorithm: identifier, signature: toArrayBuffer(signature) }))));
}

function refusal(pem: string): CaError {
  try {
    verifyCsrForSigning(pem);
  } catch (err) {
    assert.ok(err instanceof CaError);
    return err;
  }
  assert.fail('expected the CSR to be refused');
}

test('plain-DER CSRs take the fast path and yield exactly the key and SPKI bytes node:crypto exports', () => {
  for (const [name, keys] of Object.entries({ 'RSA-2048': testKeys.rsa2048, 'P-256': testKeys.p256, 'P-384': testKeys.p384 })) {
    const pem = createCsr(keys(), { organization: 'o', commonName: 'cn', dnsNames: ['a.example'], uris: ['spiffe://td/ns/a/sa/b'], requestCa: true });
    const parts = readCsrStrict(derOfCsr(pem));
    assert.ok(parts, `${name}: strict reader`);
    assert.ok(parts.spki.equals(spkiOf(keys().publicKey)), name);
    const { publicKey, spkiDer } = verifyCsrForSigning(pem);
    assert.ok(spkiDer.equals(spkiOf(keys().publicKey)), name);
    assert.ok(spkiOf(publicKey).equals(spkiDer), `${name}: the imported key exports to the same bytes`);
    assert.deepEqual(publicKey.asymmetricKeyDetails, keys().publicKey.asymmetricKeyDetails, name);
  }
});

test('a BER (non-minimal length) CSR is not read by the strict reader but accepted by the general parser, same key', () => {
  const der = derOfCsr(createCsr(testKeys.p256()));
  assert.equal(der[1], 0x81, 'short CSR: one length octet');
  const ber = Buffer.concat([Buffer.from([0x30, 0x82, 0x00]), der.subarray(2)]);
  assert.equal(readCsrStrict(ber), undefined);
  assert.ok(verifyCsrForSigning(csrPem(ber)).spkiDer.equals(spkiOf(testKeys.p256().publicKey)));
});

test('a compressed EC point falls back to OpenSSL, and the certificate gets what the key exports', () => {
  const pair = testKeys.p256();
  const jwk = pair.publicKey.export({ format: 'jwk' });
  const uncompressed = Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x!, 'base64url'), Buffer.from(jwk.y!, 'base64url')]);
  const point = ECDH.convertKey(uncompressed, 'prime256v1', undefined, undefined, 'compressed') as Buffer;
  const spki = Buffer.concat([Buffer.from('3039301306072a8648ce3d020106082a8648ce3d030107032200', 'hex'), point]);
  const imported = importSpki(spki);
  assert.ok(imported.spkiDer.equals(spkiOf(createPublicKey({ key: spki, format: 'der', type: 'spki' }))));
  const { spkiDer } = verifyCsrForSigning(csrWithSpki(pair, spki));
  assert.ok(spkiDer.equals(imported.spkiDer));
});

test('an RSA SPKI without the NULL parameter falls back to OpenSSL and is written as node:crypto exports it', () => {
  const canonical = spkiOf(testKeys.rsa2048().publicKey);
  // 30 82 01 22 | 30 0d 06 09 <rsaEncryption> 05 00 | 03 82 01 0f ...  →  drop "05 00", fix the lengths.
  const noNull = Buffer.concat([Buffer.from([0x30, 0x82, 0x01, 0x20, 0x30, 0x0b]), canonical.subarray(6, 17), canonical.subarray(19)]);
  const imported = importSpki(noNull);
  assert.ok(imported.spkiDer.equals(canonical));
  assert.ok(verifyCsrForSigning(csrWithSpki(testKeys.rsa2048(), noNull)).spkiDer.equals(canonical));
});

test('refusals are unchanged on the fast path: a point off the curve, a tampered request, a weak key', () => {
  const spki = Buffer.from(spkiOf(testKeys.p256().publicKey));
  spki[spki.length - 1]! ^= 0x01;
  assert.match(refusal(csrWithSpki(testKeys.p256(), spki)).message, /^csr: unreadable public key/);
  const tampered = derOfCsr(createCsr(testKeys.p256()));
  tampered[tampered.length - 3]! ^= 0x01;
  assert.ok(readCsrStrict(tampered), 'still plain DER');
  assert.match(refusal(csrPem(tampered)).message, /^csr: (signature|signature check)/);
  assert.match(refusal(createCsr(testKeys.rsa1024())).message, /^csr: key refused/);
  assert.match(refusal(createCsr(testKeys.p521())).message, /^csr: (key refused|unreadable)/);
  const truncated = derOfCsr(createCsr(testKeys.p256())).subarray(0, 60);
  assert.match(refusal(csrPem(truncated)).message, /^csr: malformed PKCS#10/);
});

test('DER writer: shortest lengths, OIDs and X.509 times as the general encoder writes them', () => {
  assert.deepEqual([...derLength(0x7f)], [0x7f]);
  assert.deepEqual([...derLength(0x80)], [0x81, 0x80]);
  assert.deepEqual([...derLength(0x100)], [0x82, 0x01, 0x00]);
  assert.equal(derOid('2.5.29.17').toString('hex'), '0603551d11');
  assert.equal(derOid('1.2.840.113549.1.1.11').toString('hex'), '06092a864886f70d01010b');
  assert.equal(derTime(new Date('2049-12-31T23:59:59.999Z')).toString('latin1'), '\x17\x0d491231235959Z');
  assert.equal(derTime(new Date('2050-01-01T00:00:00Z')).toString('latin1'), '\x18\x0f20500101000000Z');
});
