/**
 * Self-signed root certificates, as Istio's self-signed CA makes them: organization = trust
 * domain, CA:TRUE, 10-year default lifetime. Re-issuing with the same key and subject keeps every
 * certificate signed earlier verifiable against the new root.
 */
import { createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { KeyUsageFlags, type Name } from '@peculiar/asn1-x509';
import { buildCertificate, buildName, ext, keyIdentifierOf } from './cert-builder.js';
import { encodePem } from './pem.js';

/** Istio's CITADEL_SELF_SIGNED_CA_CERT_TTL default: 3650 days. */
export const SELF_SIGNED_ROOT_TTL_SECONDS = 3650 * 24 * 3600;

export type RootKeyType = 'rsa-2048' | 'ec-p256';

/** Istio generates a 2048-bit RSA root key; P-256 is offered for speed (tests, small meshes). */
export function generateRootKey(type: RootKeyType = 'rsa-2048'): KeyObject {
  const pair = type === 'ec-p256' ? generateKeyPairSync('ec', { namedCurve: 'prime256v1' }) : generateKeyPairSync('rsa', { modulusLength: 2048 });
  return pair.privateKey;
}

export interface RootOptions {
  readonly key: KeyObject;
  readonly organization: string;
  readonly now: Date;
  readonly ttlSeconds?: number;
  /** Re-issuing keeps the previous subject so earlier leaves' issuer names still match. */
  readonly subject?: Name;
}

/** A self-signed CA certificate (PEM) for `key`. */
export function createSelfSignedRoot(opts: RootOptions): string {
  const publicKey = createPublicKey(opts.key);
  const name = opts.subject ?? buildName({ organization: opts.organization });
  const keyId = keyIdentifierOf(publicKey);
  const der = buildCertificate({
    publicKey,
    subject: name,
    issuer: name,
    signingKey: opts.key,
    notBefore: opts.now,
    notAfter: new Date(opts.now.getTime() + (opts.ttlSeconds ?? SELF_SIGNED_ROOT_TTL_SECONDS) * 1000),
    extensions: [
      ext.basicConstraints(true),
      ext.keyUsage(KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign),
      ext.subjectKeyId(keyId),
    ],
  });
  return encodePem('CERTIFICATE', der);
}
