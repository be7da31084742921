/**
 * Checks a CreateCertificate response before anything is written: a chain of at least a leaf
 * and a root, every block a certificate, the leaf for the key this agent generated, each link
 * signed by the next, and a SPIFFE identity as the leaf's URI SAN.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { fail, ok, type Result } from '../lib/result.js';

export interface IssuedCert {
  /** Leaf and intermediates, PEM (what cert-chain.pem holds). */
  readonly certChainPem: string;
  readonly rootPem: string;
  readonly spiffeId: string;
  readonly namespace: string;
  readonly serviceAccount: string;
  readonly serialNumber: string;
  readonly notAfterMs: number;
}

const SPIFFE = /^spiffe:\/\/([^/]+)\/ns\/([^/]+)\/sa\/([^/]+)$/;

function uriSans(cert: X509Certificate): string[] {
  return (cert.subjectAltName ?? '').split(', ').filter((s) => s.startsWith('URI:')).map((s) => s.slice(4));
}

function parseChain(chain: readonly string[]): Result<X509Certificate[], string> {
  try {
    return ok(chain.map((pem) => new X509Certificate(pem)));
  } catch (err) {
    return fail(`cert_chain holds something that is not a PEM certificate: ${(err as Error).message}`);
  }
}

export function checkIssuedCert(chain: readonly string[], privateKeyPem: string): Result<IssuedCert, string> {
  if (chain.length < 2) return fail(`cert_chain has ${chain.length} certificate(s); expected the leaf and at least the root`);
  const parsed = parseChain(chain);
  if (!parsed.ok) return parsed;
  const certs = parsed.value;
  const leaf = certs[0]!;
  if (!leaf.checkPrivateKey(createPrivateKey(privateKeyPem))) return fail('the leaf certificate is not for the key in the request');
  for (let i = 0; i + 1 < certs.length; i++) {
    if (!certs[i]!.verify(certs[i + 1]!.publicKey)) return fail(`cert_chain[${i}] is not signed by cert_chain[${i + 1}]`);
  }
  const uri = uriSans(leaf).find((u) => SPIFFE.test(u));
  const m = uri ? SPIFFE.exec(uri) : null;
  if (!uri || !m) return fail(`the leaf has no SPIFFE identity (subjectAltName ${JSON.stringify(leaf.subjectAltName ?? '')})`);
  return ok({
    certChainPem: chain.slice(0, -1).map(withNewline).join(''),
    rootPem: withNewline(chain.at(-1)!),
    spiffeId: uri,
    namespace: m[2]!,
    serviceAccount: m[3]!,
    serialNumber: leaf.serialNumber,
    notAfterMs: Date.parse(leaf.validTo),
  });
}

function withNewline(pem: string): string {
  return pem.endsWith('\n') ? pem : `${pem}\n`;
}
