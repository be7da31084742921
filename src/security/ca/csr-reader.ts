/**
 * The fast way to read a PKCS#10 request: a strict DER walk of the structure (RFC 2986) that
 * returns the signed bytes, the public key info and the signature without building objects.
 * Anything that is not plain DER answers `undefined` and goes to the general ASN.1 parser
 * (csr.ts), so unusual but valid requests are judged exactly as before.
 */
import { decodeOid, integerContent, isWellFormed, readChildren, readTlv, type Tlv } from './der-reader.js';

export interface CsrParts {
  /** The DER certificationRequestInfo: the bytes the signature covers. */
  readonly info: Buffer;
  /** The DER subjectPKInfo, as the caller encoded it. */
  readonly spki: Buffer;
  readonly signatureOid: string;
  readonly signature: Buffer;
}

const SEQUENCE = 0x30;
const SET = 0x31;
const OID = 0x06;
const BIT_STRING = 0x03;
const ATTRIBUTES = 0xa0;

/** The parts of a strict-DER CertificationRequest, or undefined (not DER, or not that shape). */
export function readCsrStrict(der: Buffer): CsrParts | undefined {
  const top = readTlv(der, 0, der.length);
  if (!top || top.tag !== SEQUENCE || top.end !== der.length) return undefined;
  const [info, alg, sig, ...extra] = readChildren(der, top) ?? [];
  if (!info || !alg || !sig || extra.length > 0 || info.tag !== SEQUENCE) return undefined;
  const signatureOid = algorithmOid(der, alg);
  const signature = bitStringBytes(der, sig);
  const spki = infoSpki(der, info);
  if (signatureOid === undefined || !signature || !spki) return undefined;
  return { info: slice(der, info), spki: slice(der, spki), signatureOid, signature };
}

/** version INTEGER, subject Name, subjectPKInfo, [0] attributes (optional, as the general parser allows). */
function infoSpki(der: Buffer, info: Tlv): Tlv | undefined {
  const [version, subject, spki, attributes, ...extra] = readChildren(der, info) ?? [];
  if (!version || !subject || !spki || extra.length > 0) return undefined;
  if (!integerContent(der, version) || !isName(der, subject) || !isSpki(der, spki)) return undefined;
  if (attributes && !isAttributes(der, attributes)) return undefined;
  return spki;
}

/** SEQUENCE OF SET OF SEQUENCE { type OID, value ANY }. */
function isName(der: Buffer, name: Tlv): boolean {
  if (name.tag !== SEQUENCE) return false;
  const rdns = readChildren(der, name);
  return rdns !== undefined && rdns.every((rdn) => rdn.tag === SET && everyChild(der, rdn, (atv) => isTypeAndValue(der, atv)));
}

function isTypeAndValue(der: Buffer, atv: Tlv): boolean {
  if (atv.tag !== SEQUENCE) return false;
  const kids = readChildren(der, atv);
  return kids?.length === 2 && decodeOid(der, kids[0]!) !== undefined && isWellFormed(der, kids[1]!);
}

/** [0] IMPLICIT SET OF SEQUENCE { type OID, values SET OF ANY }. */
function isAttributes(der: Buffer, attributes: Tlv): boolean {
  if (attributes.tag !== ATTRIBUTES) return false;
  return everyChild(der, attributes, (attr) => {
    if (attr.tag !== SEQUENCE) return false;
    const kids = readChildren(der, attr);
    return kids?.length === 2 && decodeOid(der, kids[0]!) !== undefined && kids[1]!.tag === SET && isWellFormed(der, kids[1]!);
  });
}

function isSpki(der: Buffer, spki: Tlv): boolean {
  if (spki.tag !== SEQUENCE) return false;
  const kids = readChildren(der, spki);
  return kids?.length === 2 && algorithmOid(der, kids[0]!) !== undefined && bitStringBytes(der, kids[1]!) !== undefined;
}

/** AlgorithmIdentifier: SEQUENCE { algorithm OID, parameters ANY OPTIONAL }. */
function algorithmOid(der: Buffer, alg: Tlv): string | undefined {
  if (alg.tag !== SEQUENCE) return undefined;
  const [oid, params, ...extra] = readChildren(der, alg) ?? [];
  if (!oid || extra.length > 0 || (params && !isWellFormed(der, params))) return undefined;
  return decodeOid(der, oid);
}

/** The bytes of a BIT STRING with no unused bits. */
function bitStringBytes(der: Buffer, tlv: Tlv): Buffer | undefined {
  if (tlv.tag !== BIT_STRING || tlv.end === tlv.contentStart || der[tlv.contentStart] !== 0) return undefined;
  return der.subarray(tlv.contentStart + 1, tlv.end);
}

function everyChild(der: Buffer, parent: Tlv, check: (child: Tlv) => boolean): boolean {
  const kids = readChildren(der, parent);
  return kids !== undefined && kids.every(check);
}

function slice(der: Buffer, tlv: Tlv): Buffer {
  return der.subarray(tlv.start, tlv.end);
}
