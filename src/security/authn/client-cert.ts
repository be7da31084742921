/**
 * Renewal: a workload that already holds a certificate from this CA authenticates with it. The
 * TLS handshake has verified the chain; this re-checks the leaf on its own terms — issued and
 * signed by one of the CA's certificates, within its validity, not a CA, and carrying exactly
 * one URI SAN, spiffe://<trustDomain>/ns/<ns>/sa/<sa>.
 */
import { X509Certificate } from 'node:crypto';
import { fail, ok, type Result } from '../../lib/result.js';
import { parseSpiffeId } from './identity.js';
import type { Authenticator, AuthnResult } from './types.js';

export interface ClientCertAuthenticatorOptions {
  readonly trustDomain: string;
  /**
   * PEM certificates that may have issued workload certificates: the CA's roots and, for a
   * plugged-in intermediate, its signing certificate. Read per call so rotation is seen.
   */
  readonly issuers: () => readonly string[];
  readonly now?: () => number;
}

function uriSans(cert: X509Certificate): Result<string[], string> {
  const san = cert.subjectAltName;
  if (!san) return ok([]);
  const entries = san.split(', ');
  // Node quotes entries holding separators; a SPIFFE ID never needs that, so such a SAN is refused.
  if (entries.some((e) => e.includes('"'))) return fail('client certificate has a quoted (unusual) subjectAltName entry');
  return ok(entries.filter((e) => e.startsWith('URI:')).map((e) => e.slice(4)));
}

function issuedByOneOf(leaf: X509Certificate, issuers: readonly string[]): boolean {
  for (const pem of issuers) {
    try {
      const issuer = new X509Certificate(pem);
      if (issuer.ca && leaf.checkIssued(issuer) && leaf.verify(issuer.publicKey)) return true;
    } catch {
      // An unparsable trust anchor cannot vouch for anything; the others still may.
    }
  }
  return false;
}

export function judgeClientCertificate(der: Buffer, options: ClientCertAuthenticatorOptions): AuthnResult {
  let leaf: X509Certificate;
  try {
    leaf = new X509Certificate(der);
  } catch (error) {
    return fail(`client certificate does not parse: ${(error as Error).message}`);
  }
  if (leaf.ca) return fail('client certificate is a CA certificate');
  const now = (options.now ?? Date.now)();
  if (now < Date.parse(leaf.validFrom) || now > Date.parse(leaf.validTo)) return fail(`client certificate is outside its validity (${leaf.validFrom} – ${leaf.validTo})`);
  if (!issuedByOneOf(leaf, options.issuers())) return fail(`client certificate (serial ${leaf.serialNumber}) was not issued by this CA`);
  const uris = uriSans(leaf);
  if (!uris.ok) return uris;
  if (uris.value.length !== 1) return fail(`client certificate has ${uris.value.length} URI SANs, expected exactly one SPIFFE ID`);
  const identity = parseSpiffeId(uris.value[0]!, options.trustDomain);
  return identity.ok ? ok({ identity: identity.value, method: 'client-certificate' }) : identity;
}

export function createClientCertAuthenticator(options: ClientCertAuthenticatorOptions): Authenticator {
  return {
    method: 'client-certificate',
    async authenticate(credentials) {
      return credentials.peerCertificateDer ? judgeClientCertificate(credentials.peerCertificateDer, options) : undefined;
    },
  };
}
