/**
 * Builds and signs X.509 v3 certificates from ASN.1 structures; the signature itself is
 * node:crypto's (native). Only the extensions this CA decides on are ever written: nothing is
 * copied from a request. This general builder makes the rare certificates (roots); workload and
 * serving leaves, the hot path, come from per-signer templates (leaf-template.ts).
 */
import { createHash, randomBytes, sign, type KeyObject } from 'node:crypto';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import {
  AttributeTypeAndValue,
  AttributeValue,
  AuthorityKeyIdentifier,
  BasicConstraints,
  Certificate,
  ExtendedKeyUsage,
  Extension,
  Extensions,
  GeneralName,
  KeyIdentifier,
  KeyUsage,
  Name,
  RelativeDistinguishedName,
  SubjectAlternativeName,
  SubjectKeyIdentifier,
  SubjectPublicKeyInfo,
  TBSCertificate,
  Validity,
  Version,
  id_ce_authorityKeyIdentifier,
  id_ce_basicConstraints,
  id_ce_extKeyUsage,
  id_ce_keyUsage,
  id_ce_subjectAltName,
  id_ce_subjectKeyIdentifier,
} from '@peculiar/asn1-x509';
import { signatureAlgorithmFor } from './algorithms.js';

export const OID_ORGANIZATION = '2.5.4.10';
export const OID_COMMON_NAME = '2.5.4.3';
export const EKU_SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
export const EKU_CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';

export interface NameParts {
  readonly organization?: string;
  readonly commonName?: string;
}

export function buildName(parts: NameParts): Name {
  const rdns: RelativeDistinguishedName[] = [];
  const add = (type: string, value: string | undefined): void => {
    if (value) rdns.push(new RelativeDistinguishedName([new AttributeTypeAndValue({ type, value: new AttributeValue({ utf8String: value }) })]));
  };
  add(OID_ORGANIZATION, parts.organization);
  add(OID_COMMON_NAME, parts.commonName);
  return new Name(rdns);
}

/** RFC 5280 §4.2.1.2 method 1: SHA-1 of the subjectPublicKey bits. */
export function keyIdentifierOf(publicKey: KeyObject): Buffer {
  const spki = AsnConvert.parse(publicKey.export({ type: 'spki', format: 'der' }), SubjectPublicKeyInfo);
  return createHash('sha1').update(Buffer.from(spki.subjectPublicKey)).digest();
}

/** A positive 126-bit random serial whose DER encoding is always 16 bytes. */
export function randomSerial(): Buffer {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0]! & 0x3f) | 0x40;
  return bytes;
}

function extension(extnID: string, critical: boolean, value: unknown): Extension {
  return new Extension({ extnID, critical, extnValue: new OctetString(AsnConvert.serialize(value)) });
}

export const ext = {
  basicConstraints: (cA: boolean): Extension => extension(id_ce_basicConstraints, true, new BasicConstraints({ cA })),
  keyUsage: (flags: number): Extension => extension(id_ce_keyUsage, true, new KeyUsage(flags)),
  extKeyUsage: (oids: readonly string[]): Extension => extension(id_ce_extKeyUsage, false, new ExtendedKeyUsage([...oids])),
  subjectAltName(names: { uris?: readonly string[]; dnsNames?: readonly string[] }, critical: boolean): Extension {
    const general = [
      ...(names.dnsNames ?? []).map((dNSName) => new GeneralName({ dNSName })),
      ...(names.uris ?? []).map((uniformResourceIdentifier) => new GeneralName({ uniformResourceIdentifier })),
    ];
    return extension(id_ce_subjectAltName, critical, new SubjectAlternativeName(general));
  },
  subjectKeyId: (id: Buffer): Extension => extension(id_ce_subjectKeyIdentifier, false, new SubjectKeyIdentifier(id)),
  authorityKeyId: (id: Buffer): Extension =>
    extension(id_ce_authorityKeyIdentifier, false, new AuthorityKeyIdentifier({ keyIdentifier: new KeyIdentifier(id) })),
};

export interface CertificateParams {
  readonly publicKey: KeyObject;
  readonly subject: Name;
  readonly issuer: Name;
  readonly signingKey: KeyObject;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly extensions: readonly Extension[];
  readonly serial?: Buffer;
}

/** Encodes, signs and returns the certificate DER. */
export function buildCertificate(p: CertificateParams): Buffer {
  const { identifier, hash } = signatureAlgorithmFor(p.signingKey);
  const spki = AsnConvert.parse(p.publicKey.export({ type: 'spki', format: 'der' }), SubjectPublicKeyInfo);
  const tbs = new TBSCertificate({
    version: Version.v3,
    serialNumber: toArrayBuffer(p.serial ?? randomSerial()),
    signature: identifier,
    issuer: p.issuer,
    validity: new Validity({ notBefore: wholeSeconds(p.notBefore), notAfter: wholeSeconds(p.notAfter) }),
    subject: p.subject,
    subjectPublicKeyInfo: spki,
    extensions: new Extensions([...p.extensions]),
  });
  const tbsDer = Buffer.from(AsnConvert.serialize(tbs));
  const signature = sign(hash, tbsDer, p.signingKey);
  const cert = new Certificate({ tbsCertificate: tbs, signatureAlgorithm: identifier, signatureValue: toArrayBuffer(signature) });
  return Buffer.from(AsnConvert.serialize(cert));
}

/** X.509 times have whole seconds; truncating keeps what we compute equal to what is parsed back. */
function wholeSeconds(d: Date): Date {
  return new Date(Math.floor(d.getTime() / 1000) * 1000);
}

export function toArrayBuffer(b: Uint8Array): ArrayBuffer {
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
}
