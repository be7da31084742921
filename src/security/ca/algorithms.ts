/**
 * Signature algorithms and key policy. Workload keys: RSA ≥ 2048 bits or ECDSA P-256/P-384 only
 * (what Istio's agents generate); a signing CA may also use P-521.
 */
import type { KeyObject } from 'node:crypto';
import { AlgorithmIdentifier } from '@peculiar/asn1-x509';

interface SignatureAlgorithm {
  readonly oid: string;
  /** The digest for node:crypto sign/verify; null for Ed25519 (no separate digest). */
  readonly hash: string | null;
  /** RSA PKCS#1 v1.5 identifiers carry an explicit NULL parameter; ECDSA ones carry none. */
  readonly nullParams: boolean;
}

const SIGNATURE_ALGORITHMS: readonly SignatureAlgorithm[] = [
  { oid: '1.2.840.113549.1.1.11', hash: 'sha256', nullParams: true },
  { oid: '1.2.840.113549.1.1.12', hash: 'sha384', nullParams: true },
  { oid: '1.2.840.113549.1.1.13', hash: 'sha512', nullParams: true },
  { oid: '1.2.840.10045.4.3.2', hash: 'sha256', nullParams: false },
  { oid: '1.2.840.10045.4.3.3', hash: 'sha384', nullParams: false },
  { oid: '1.2.840.10045.4.3.4', hash: 'sha512', nullParams: false },
  { oid: '1.3.101.112', hash: null, nullParams: false },
];

const MIN_RSA_BITS = 2048;
/** Bounds the cost of verifying a hostile key's signature. */
const MAX_RSA_BITS = 8192;
const WORKLOAD_CURVES = new Set(['prime256v1', 'secp384r1']);
const CA_CURVES = new Set(['prime256v1', 'secp384r1', 'secp521r1']);

/** The digest to verify a signature made with `oid`; throws for unsupported or weak algorithms (SHA-1, PSS). */
export function hashForSignatureOid(oid: string): string | null {
  const alg = SIGNATURE_ALGORITHMS.find((a) => a.oid === oid);
  if (!alg) throw new Error(`unsupported signature algorithm ${oid}`);
  return alg.hash;
}

/** The algorithm a certificate signed by `key` declares, and the digest to sign with. */
export function signatureAlgorithmFor(key: KeyObject): { identifier: AlgorithmIdentifier; hash: string | null } {
  const oid = signatureOidFor(key);
  const alg = SIGNATURE_ALGORITHMS.find((a) => a.oid === oid)!;
  const identifier = new AlgorithmIdentifier(alg.nullParams ? { algorithm: oid, parameters: null } : { algorithm: oid });
  return { identifier, hash: alg.hash };
}

function signatureOidFor(key: KeyObject): string {
  const type = key.asymmetricKeyType;
  if (type === 'rsa') return '1.2.840.113549.1.1.11';
  if (type === 'ed25519') return '1.3.101.112';
  if (type === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    if (curve === 'secp384r1') return '1.2.840.10045.4.3.3';
    if (curve === 'secp521r1') return '1.2.840.10045.4.3.4';
    return '1.2.840.10045.4.3.2';
  }
  throw new Error(`cannot sign with a ${type ?? 'unknown'} key`);
}

/** A short description such as "RSA 2048" or "EC prime256v1", for errors and debug views. */
export function describeKey(key: KeyObject): string {
  const details = key.asymmetricKeyDetails;
  if (key.asymmetricKeyType === 'rsa') return `RSA ${details?.modulusLength ?? '?'}`;
  if (key.asymmetricKeyType === 'ec') return `EC ${details?.namedCurve ?? '?'}`;
  return key.asymmetricKeyType ?? 'unknown';
}

/** Throws unless `key` is an acceptable workload public key. */
export function checkWorkloadKey(key: KeyObject): void {
  checkKey(key, WORKLOAD_CURVES, 'workload keys must be RSA (2048–8192 bits) or ECDSA P-256/P-384');
}

/** Throws unless `key` may sign certificates for this CA. */
export function checkCaKey(key: KeyObject): void {
  checkKey(key, CA_CURVES, 'CA keys must be RSA (2048–8192 bits) or ECDSA P-256/P-384/P-521');
}

function checkKey(key: KeyObject, curves: ReadonlySet<string>, rule: string): void {
  const type = key.asymmetricKeyType;
  if (type === 'rsa') {
    const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
    if (bits >= MIN_RSA_BITS && bits <= MAX_RSA_BITS) return;
  } else if (type === 'ec') {
    if (curves.has(key.asymmetricKeyDetails?.namedCurve ?? '')) return;
  }
  throw new Error(`${describeKey(key)} key refused: ${rule}`);
}
