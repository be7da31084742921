/**
 * The workload CA: the current signer (from a self-signed or plugged-in source) plus a signing
 * backend. What callers get through the WorkloadCa contract, and a few extras for istiod itself.
 */
import { X509Certificate } from 'node:crypto';
import { CaError, type RootInfo, type SignRequest, type WorkloadCa } from './types.js';
import type { SigningBackend } from './signing-backend.js';
import type { Signer, SignerSource } from './signer.js';

export interface ManagedWorkloadCa extends WorkloadCa {
  /** Subject, serial and validity of each trusted root, signing root first. */
  rootsInfo(): RootInfo[];
  /** The material that signs right now (istiod's own serving certificate uses it). */
  currentSigner(): Signer;
  /** Called after the signer or the roots changed (rotation, hot reload). Returns an unsubscribe function. */
  onChange(listener: (signer: Signer) => void): () => void;
  close(): Promise<void>;
}

export interface WorkloadCaParts {
  readonly trustDomain: string;
  readonly source: SignerSource;
  readonly backend: SigningBackend;
  readonly now: () => Date;
}

export function assembleWorkloadCa(parts: WorkloadCaParts): ManagedWorkloadCa {
  let closed = false;
  return {
    trustDomain: parts.trustDomain,
    async sign(request: SignRequest) {
      if (closed) throw new CaError('Unavailable', 'the CA is shut down');
      return parts.backend.sign(parts.source.current(), request, parts.now());
    },
    roots: () => parts.source.current().spec.rootPems,
    rootsInfo: () => describeRoots(parts.source.current()),
    currentSigner: () => parts.source.current(),
    onChange: (listener) => parts.source.onChange(listener),
    async close() {
      if (closed) return;
      closed = true;
      await Promise.all([parts.backend.close(), parts.source.close()]);
    },
  };
}

function describeRoots(signer: Signer): RootInfo[] {
  return signer.spec.rootPems.map((pem, i) => {
    const cert = new X509Certificate(pem);
    return {
      subject: cert.subject.replace(/\n/g, ', '),
      serialNumber: cert.serialNumber,
      notBefore: new Date(cert.validFrom).toISOString(),
      notAfter: new Date(cert.validTo).toISOString(),
      signing: i === 0,
    };
  });
}
