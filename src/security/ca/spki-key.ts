/**
 * Public keys from a CSR's SubjectPublicKeyInfo, cheaply. When the SPKI is already in the one
 * canonical form node:crypto itself exports (RSA with a NULL parameter and minimal integers;
 * named P-256/P-384 with an uncompressed point), the key is imported from its components (far
 * cheaper than OpenSSL's DER decoder) and the caller's bytes can be reused verbatim in the
 * certificate. Anything else takes the general path: OpenSSL decodes it and re-exports it.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { integerContent, readChildren, readTlv, type Tlv } from './der-reader.js';

export interface ImportedKey {
  readonly publicKey: KeyObject;
  /** The DER SPKI to write into a certificate: exactly what publicKey.export({ type: 'spki' }) gives. */
  readonly spkiDer: Buffer;
}

/** AlgorithmIdentifier rsaEncryption with its NULL parameter. */
const RSA_ALGORITHM = Buffer.from('300d06092a864886f70d0101010500', 'hex');
/** id-ecPublicKey with the named curve; the BIT STRING header for its uncompressed point; the JWK curve name. */
const EC_CURVES = [
  { prefix: Buffer.from('3059301306072a8648ce3d020106082a8648ce3d030107034200', 'hex'), coordinate: 32, crv: 'P-256' },
  { prefix: Buffer.from('3076301006072a8648ce3d020106052b81040022036200', 'hex'), coordinate: 48, crv: 'P-384' },
] as const;

/** Throws (node:crypto's message) when OpenSSL cannot read the key. */
export function importSpki(spkiDer: Buffer): ImportedKey {
  const canonical = importCanonicalEc(spkiDer) ?? importCanonicalRsa(spkiDer);
  if (canonical) return { publicKey: canonical, spkiDer };
  const publicKey = createPublicKey({ key: spkiDer, format: 'der', type: 'spki' });
  return { publicKey, spkiDer: publicKey.export({ type: 'spki', format: 'der' }) };
}

function importCanonicalEc(spki: Buffer): KeyObject | undefined {
  for (const curve of EC_CURVES) {
    const pointAt = curve.prefix.length;
    if (spki.length !== pointAt + 1 + 2 * curve.coordinate || !spki.subarray(0, pointAt).equals(curve.prefix) || spki[pointAt] !== 0x04) continue;
    const x = spki.subarray(pointAt + 1, pointAt + 1 + curve.coordinate);
    const y = spki.subarray(pointAt + 1 + curve.coordinate);
    // The import checks the point is on the curve, as decoding the DER would.
    return createPublicKey({ key: { kty: 'EC', crv: curve.crv, x: x.toString('base64url'), y: y.toString('base64url') }, format: 'jwk' });
  }
  return undefined;
}

/** SEQUENCE { rsaEncryption NULL, BIT STRING { SEQUENCE { INTEGER n, INTEGER e } } }, all strict DER, n and e positive. */
function importCanonicalRsa(spki: Buffer): KeyObject | undefined {
  const top = readTlv(spki, 0, spki.length);
  if (!top || top.tag !== 0x30 || top.end !== spki.length) return undefined;
  const [alg, bits, ...extra] = readChildren(spki, top) ?? [];
  if (!alg || !bits || extra.length > 0 || !spki.subarray(alg.start, alg.end).equals(RSA_ALGORITHM)) return undefined;
  if (bits.tag !== 0x03 || spki[bits.contentStart] !== 0 || bits.end === bits.contentStart) return undefined;
  const inner = readTlv(spki, bits.contentStart + 1, bits.end);
  if (!inner || inner.tag !== 0x30 || inner.end !== bits.end) return undefined;
  const [n, e, ...more] = readChildren(spki, inner) ?? [];
  if (!n || !e || more.length > 0) return undefined;
  const modulus = positiveMagnitude(spki, n);
  const exponent = positiveMagnitude(spki, e);
  if (!modulus || !exponent) return undefined;
  return createPublicKey({ key: { kty: 'RSA', n: modulus.toString('base64url'), e: exponent.toString('base64url') }, format: 'jwk' });
}

/** The big-endian magnitude of a minimal, positive, non-zero INTEGER. */
function positiveMagnitude(der: Buffer, tlv: Tlv): Buffer | undefined {
  const c = integerContent(der, tlv);
  if (!c || (c[0]! & 0x80) !== 0) return undefined;
  const magnitude = c[0] === 0 ? c.subarray(1) : c;
  if (magnitude.length === 0 || magnitude[0] === 0) return undefined;
  return Buffer.from(magnitude.buffer, magnitude.byteOffset, magnitude.length);
}
