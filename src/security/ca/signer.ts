/**
 * The signing material of the CA: key, signing certificate, the chain up to the root and the
 * trusted roots. A SignerSpec is plain PEM text so it can be posted to signing workers.
 */
import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import { Certificate, SubjectKeyIdentifier, id_ce_subjectKeyIdentifier, type Name } from '@peculiar/asn1-x509';
import { keyIdentifierOf } from './cert-builder.js';
import { decodeCertificates, encodePem } from './pem.js';

export interface SignerSpec {
  /** The certificate that signs workload certificates (the root itself when self-signed). */
  readonly certPem: string;
  /** Its private key (PKCS#8, PKCS#1 or SEC1 PEM). */
  readonly keyPem: string;
  /** Certificates between the signing certificate and the root, nearest first (root excluded). */
  readonly intermediatePems: readonly string[];
  /** Roots to trust: the signing root first, then any additional trusted roots. */
  readonly rootPems: readonly string[];
}

export interface Signer {
  readonly spec: SignerSpec;
  readonly key: KeyObject;
  readonly cert: X509Certificate;
  /** The signing certificate's subject, reused as the issuer of what it signs. */
  readonly subject: Name;
  /** Written as the authority key identifier of what it signs. */
  readonly keyId: Buffer;
  /** The earliest expiry along the chain: nothing signed may outlive it. */
  readonly notAfter: Date;
  /** What follows a leaf in a chain: signing cert (unless it is the root), intermediates, root. */
  readonly chainPems: readonly string[];
}

export function loadSigner(spec: SignerSpec): Signer {
  const key = createPrivateKey(spec.keyPem);
  const certDer = single(spec.certPem, 'signing certificate');
  const cert = new X509Certificate(certDer);
  const parsed = AsnConvert.parse(certDer, Certificate);
  const intermediates = spec.intermediatePems.map((p) => single(p, 'intermediate certificate'));
  const root = single(spec.rootPems[0] ?? '', 'root certificate');
  const chainDers = [certDer, ...intermediates, root].filter((der, i, all) => all.findIndex((o) => o.equals(der)) === i);
  const chainCerts = chainDers.map((der) => new X509Certificate(der));
  const notAfter = new Date(Math.min(...chainCerts.map((c) => Date.parse(c.validTo))));
  return {
    spec,
    key,
    cert,
    subject: parsed.tbsCertificate.subject,
    keyId: subjectKeyIdOf(parsed) ?? keyIdentifierOf(cert.publicKey),
    notAfter,
    chainPems: chainDers.map((der) => encodePem('CERTIFICATE', der)),
  };
}

function single(pem: string, what: string): Buffer {
  const ders = decodeCertificates(pem);
  if (ders.length !== 1) throw new Error(`${what}: expected one certificate, found ${ders.length}`);
  return ders[0]!;
}

export function subjectKeyIdOf(cert: Certificate): Buffer | undefined {
  const found = cert.tbsCertificate.extensions?.find((e) => e.extnID === id_ce_subjectKeyIdentifier);
  if (!found) return undefined;
  return Buffer.from(AsnConvert.parse(found.extnValue.buffer, SubjectKeyIdentifier).buffer);
}

/** Where the current signer comes from (self-signed root, plugged-in directory); it may change at runtime. */
export interface SignerSource {
  current(): Signer;
  /** Called after the signer changed (rotation, hot reload). Returns an unsubscribe function. */
  onChange(listener: (signer: Signer) => void): () => void;
  close(): Promise<void>;
}

/** A tiny listener list shared by the signer sources. */
export class ChangeListeners<T> {
  private readonly listeners = new Set<(value: T) => void>();
  add(listener: (value: T) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  emit(value: T): void {
    for (const l of this.listeners) l(value);
  }
}
