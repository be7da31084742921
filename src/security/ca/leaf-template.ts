/**
 * Leaf certificates from a per-signer template. Everything a signer's leaves share (issuer name,
 * signature algorithm, key usage, extended key usage, basic constraints, authority key id) is
 * encoded once with the general ASN.1 library; each leaf then only writes its serial, validity,
 * public key and SAN extension with the small DER writer and concatenates.
 *
 * TBSCertificate (RFC 5280 §4.1): version v3, serial, signature, issuer, validity, empty subject,
 * subjectPublicKeyInfo, extensions [keyUsage, extKeyUsage, basicConstraints, authorityKeyId,
 * subjectAltName (critical, since the subject is empty)].
 */
import { sign } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import { KeyUsageFlags } from '@peculiar/asn1-x509';
import { signatureAlgorithmFor } from './algorithms.js';
import { ext, EKU_CLIENT_AUTH, EKU_SERVER_AUTH, randomSerial } from './cert-builder.js';
import { derBitString, derBoolean, derContextString, derOctetString, derOid, derSequence, derTime, derTlv, derUnsignedInteger } from './der-writer.js';
import type { Signer } from './signer.js';

export interface SubjectAltNames {
  readonly uris?: readonly string[];
  readonly dnsNames?: readonly string[];
}

export interface LeafParams {
  /** DER SubjectPublicKeyInfo of the leaf's key. */
  readonly spkiDer: Uint8Array;
  readonly sans: SubjectAltNames;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** Positive big-endian serial; default a fresh random one. */
  readonly serial?: Uint8Array;
}

interface LeafTemplate {
  /** version [0] EXPLICIT v3. */
  readonly version: Buffer;
  readonly signatureAlgorithm: Buffer;
  readonly hash: string | null;
  readonly issuer: Buffer;
  /** The extensions before the SAN, already encoded. */
  readonly fixedExtensions: Buffer;
}

const VERSION_V3 = Buffer.from([0xa0, 0x03, 0x02, 0x01, 0x02]);
const EMPTY_NAME = Buffer.from([0x30, 0x00]);
const SAN_OID = derOid('2.5.29.17');
const CRITICAL = derBoolean(true);
const GENERAL_NAME_DNS = 2;
const GENERAL_NAME_URI = 6;

const templates = new WeakMap<Signer, LeafTemplate>();

function templateFor(signer: Signer): LeafTemplate {
  let t = templates.get(signer);
  if (!t) templates.set(signer, (t = makeTemplate(signer)));
  return t;
}

function makeTemplate(signer: Signer): LeafTemplate {
  const { identifier, hash } = signatureAlgorithmFor(signer.key);
  const fixed = [
    ext.keyUsage(KeyUsageFlags.digitalSignature | KeyUsageFlags.keyEncipherment),
    ext.extKeyUsage([EKU_SERVER_AUTH, EKU_CLIENT_AUTH]),
    ext.basicConstraints(false),
    ext.authorityKeyId(signer.keyId),
  ];
  return {
    version: VERSION_V3,
    signatureAlgorithm: Buffer.from(AsnConvert.serialize(identifier)),
    hash,
    issuer: Buffer.from(AsnConvert.serialize(signer.subject)),
    fixedExtensions: Buffer.concat(fixed.map((e) => Buffer.from(AsnConvert.serialize(e)))),
  };
}

/** The critical subjectAltName extension: DNS names first, then URIs. */
function sanExtension(sans: SubjectAltNames): Buffer {
  const names = [
    ...(sans.dnsNames ?? []).map((n) => derContextString(GENERAL_NAME_DNS, n)),
    ...(sans.uris ?? []).map((u) => derContextString(GENERAL_NAME_URI, u)),
  ];
  return derSequence(SAN_OID, CRITICAL, derOctetString(derSequence(...names)));
}

/** The DER TBSCertificate of a leaf signed by `signer`. */
export function leafTbsDer(signer: Signer, p: LeafParams): Buffer {
  const t = templateFor(signer);
  return derSequence(
    t.version,
    derUnsignedInteger(p.serial ?? randomSerial()),
    t.signatureAlgorithm,
    t.issuer,
    derSequence(derTime(p.notBefore), derTime(p.notAfter)),
    EMPTY_NAME,
    p.spkiDer,
    derTlv(0xa3, derSequence(t.fixedExtensions, sanExtension(p.sans))),
  );
}

/** Builds and signs a leaf certificate; returns its DER. */
export function buildLeafDer(signer: Signer, p: LeafParams): Buffer {
  const t = templateFor(signer);
  const tbs = leafTbsDer(signer, p);
  return derSequence(tbs, t.signatureAlgorithm, derBitString(sign(t.hash, tbs, signer.key)));
}
