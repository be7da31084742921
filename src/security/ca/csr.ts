/**
 * PKCS#10 certificate requests: parsing and verifying what callers send, and making requests
 * (for the agent and tests). From a CSR the CA takes only the public key, and only after the
 * request's signature proves possession of the private key.
 */
import { sign, verify, type KeyObject } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import { CertificationRequest, CertificationRequestInfo, Attributes } from '@peculiar/asn1-csr';
import { Attribute, Extensions, SubjectPublicKeyInfo, type Extension } from '@peculiar/asn1-x509';
import { checkWorkloadKey, hashForSignatureOid, signatureAlgorithmFor } from './algorithms.js';
import { buildName, ext, toArrayBuffer, type NameParts } from './cert-builder.js';
import { readCsrStrict, type CsrParts } from './csr-reader.js';
import { decodeSinglePem, encodePem } from './pem.js';
import { importSpki, type ImportedKey } from './spki-key.js';
import { CaError } from './types.js';

/** Istio's CreateCertificate bounds the whole request; a CSR is far smaller than this. */
export const MAX_CSR_PEM_BYTES = 64 * 1024;

/** Parses `csrPem`, verifies its self-signature and the key policy; returns the public key. */
export function verifyCsr(csrPem: string): KeyObject {
  return verifyCsrForSigning(csrPem).publicKey;
}

/**
 * verifyCsr, also returning the SPKI DER to write into the certificate (the same bytes as
 * exporting the key). Plain-DER requests take the fast reader; anything else the general parser.
 */
export function verifyCsrForSigning(csrPem: string): ImportedKey {
  if (typeof csrPem !== 'string' || csrPem.length === 0) throw invalid('csr is empty');
  if (csrPem.length > MAX_CSR_PEM_BYTES) throw invalid(`csr is ${csrPem.length} bytes, above the ${MAX_CSR_PEM_BYTES}-byte limit`);
  const der = attempt(() => decodeSinglePem(csrPem, 'CERTIFICATE REQUEST'), 'not a PEM CERTIFICATE REQUEST');
  const parts = readCsrStrict(der) ?? parseCsrGeneral(der);
  const key = attempt(() => importSpki(parts.spki), 'unreadable public key');
  attempt(() => checkWorkloadKey(key.publicKey), 'key refused');
  const hash = attempt(() => hashForSignatureOid(parts.signatureOid), 'signature algorithm refused');
  const ok = attempt(() => verify(hash, parts.info, key.publicKey, parts.signature), 'signature check failed');
  if (!ok) throw invalid('signature does not match the public key (tampered request or wrong key)');
  return key;
}

/** The general (BER-tolerant) parser, for requests that are not plain DER. */
function parseCsrGeneral(der: Buffer): CsrParts {
  const csr = attempt(() => AsnConvert.parse(der, CertificationRequest), 'malformed PKCS#10 structure');
  const info = csr.certificationRequestInfoRaw;
  if (!info) throw invalid('malformed PKCS#10 structure: no request info');
  return {
    info: Buffer.from(info),
    spki: attempt(() => Buffer.from(AsnConvert.serialize(csr.certificationRequestInfo.subjectPKInfo)), 'unreadable public key'),
    signatureOid: csr.signatureAlgorithm.algorithm,
    signature: Buffer.from(csr.signature),
  };
}

function attempt<T>(fn: () => T, what: string): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof CaError) throw err;
    throw invalid(`${what}: ${(err as Error).message}`);
  }
}

function invalid(reason: string): CaError {
  return new CaError('InvalidArgument', `csr: ${reason}`);
}

export interface CsrOptions extends NameParts {
  readonly dnsNames?: readonly string[];
  readonly uris?: readonly string[];
  /** Asks for CA:TRUE (the CA must ignore it; used by tests). */
  readonly requestCa?: boolean;
  /** Asks for these extended key usages (the CA must ignore them; used by tests). */
  readonly extKeyUsages?: readonly string[];
}

const OID_EXTENSION_REQUEST = '1.2.840.113549.1.9.14';

/** A PEM CERTIFICATE REQUEST for `keyPair`, signed with its private key. */
export function createCsr(keyPair: { readonly privateKey: KeyObject; readonly publicKey: KeyObject }, options: CsrOptions = {}): string {
  const extensions = requestedExtensions(options);
  const attributes = new Attributes(
    extensions.length === 0 ? [] : [new Attribute({ type: OID_EXTENSION_REQUEST, values: [AsnConvert.serialize(new Extensions(extensions))] })],
  );
  const info = new CertificationRequestInfo({
    version: 0,
    subject: buildName(options),
    subjectPKInfo: AsnConvert.parse(keyPair.publicKey.export({ type: 'spki', format: 'der' }), SubjectPublicKeyInfo),
    attributes,
  });
  const { identifier, hash } = signatureAlgorithmFor(keyPair.privateKey);
  const signature = sign(hash, Buffer.from(AsnConvert.serialize(info)), keyPair.privateKey);
  const csr = new CertificationRequest({ certificationRequestInfo: info, signatureAlgorithm: identifier, signature: toArrayBuffer(signature) });
  return encodePem('CERTIFICATE REQUEST', new Uint8Array(AsnConvert.serialize(csr)));
}

function requestedExtensions(options: CsrOptions): Extension[] {
  const out: Extension[] = [];
  if ((options.dnsNames?.length ?? 0) > 0 || (options.uris?.length ?? 0) > 0) {
    out.push(ext.subjectAltName({ dnsNames: options.dnsNames ?? [], uris: options.uris ?? [] }, false));
  }
  if (options.requestCa) {
    out.push(ext.basicConstraints(true));
  }
  if ((options.extKeyUsages?.length ?? 0) > 0) out.push(ext.extKeyUsage(options.extKeyUsages!));
  return out;
}
