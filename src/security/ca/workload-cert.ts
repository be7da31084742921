/**
 * Issues a workload certificate: identity from the authenticated caller, public key from the
 * verified CSR, everything else decided here. Synchronous and free of I/O so it runs the same in
 * a signing worker or in-process.
 */
import type { KeyObject } from 'node:crypto';
import { isDns1123Label, isDns1123Subdomain } from '../../lib/k8s-names.js';
import { verifyCsrForSigning } from './csr.js';
import { buildLeafDer, type SubjectAltNames } from './leaf-template.js';
import { encodePem } from './pem.js';
import type { Signer } from './signer.js';
import { resolveTtlSeconds, type TtlPolicy } from './ttl.js';
import { CaError, type SignRequest, type WorkloadIdentity } from './types.js';

/** Istio backdates leaves by this much so a workload whose clock lags still accepts them. */
export const CLOCK_SKEW_GRACE_MS = 2 * 60 * 1000;

const TRUST_DOMAIN = /^[a-z0-9._-]+$/;

/** spiffe://<trustDomain>/ns/<namespace>/sa/<serviceAccount>, after checking each part. */
export function spiffeIdOf(trustDomain: string, identity: WorkloadIdentity): string {
  if (!TRUST_DOMAIN.test(trustDomain)) throw new CaError('InvalidArgument', `trust domain "${trustDomain}" is not a valid SPIFFE trust domain`);
  if (!isDns1123Label(identity.namespace)) {
    throw new CaError('InvalidArgument', `identity.namespace "${identity.namespace}" is not a valid namespace name`);
  }
  if (!isDns1123Subdomain(identity.serviceAccount)) {
    throw new CaError('InvalidArgument', `identity.serviceAccount "${identity.serviceAccount}" is not a valid service account name`);
  }
  return `spiffe://${trustDomain}/ns/${identity.namespace}/sa/${identity.serviceAccount}`;
}

export interface IssueContext {
  readonly signer: Signer;
  readonly trustDomain: string;
  readonly ttlPolicy: TtlPolicy;
  readonly now: Date;
}

/** The chain (leaf, intermediates, root) as PEM blocks. Throws CaError. */
export function issueWorkloadCertificate(ctx: IssueContext, request: SignRequest): string[] {
  const spiffeId = spiffeIdOf(ctx.trustDomain, request.identity);
  const ttlSeconds = resolveTtlSeconds(request.requestedTtlSeconds, ctx.ttlPolicy);
  const { spkiDer } = verifyCsrForSigning(request.csrPem);
  return [issueLeafForSpki(ctx, spkiDer, { uris: [spiffeId] }, ttlSeconds), ...ctx.signer.chainPems];
}

/** A leaf for `publicKey` with exactly `sans`, Istio's key usages, not a CA. Returns the PEM. */
export function issueLeaf(ctx: { signer: Signer; now: Date }, publicKey: KeyObject, sans: SubjectAltNames, ttlSeconds: number): string {
  return issueLeafForSpki(ctx, publicKey.export({ type: 'spki', format: 'der' }), sans, ttlSeconds);
}

/** issueLeaf for a key given as its DER SubjectPublicKeyInfo (the CSR path: no key export). */
export function issueLeafForSpki(ctx: { signer: Signer; now: Date }, spkiDer: Uint8Array, sans: SubjectAltNames, ttlSeconds: number): string {
  const { notBefore, notAfter } = validityWithin(ctx, ttlSeconds);
  return encodePem('CERTIFICATE', buildLeafDer(ctx.signer, { spkiDer, sans, notBefore, notAfter }));
}

/** Backdated for clock skew, and never past the signing chain's expiry. */
export function validityWithin(ctx: { signer: Signer; now: Date }, ttlSeconds: number): { notBefore: Date; notAfter: Date } {
  const now = ctx.now.getTime();
  const signerEnd = ctx.signer.notAfter.getTime();
  if (signerEnd <= now) throw new CaError('Unavailable', `the signing certificate chain expired at ${ctx.signer.notAfter.toISOString()}`);
  const notBefore = new Date(Math.max(now - CLOCK_SKEW_GRACE_MS, Date.parse(ctx.signer.cert.validFrom)));
  return { notBefore, notAfter: new Date(Math.min(now + ttlSeconds * 1000, signerEnd)) };
}
