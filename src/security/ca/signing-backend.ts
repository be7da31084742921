/** Where CSRs are verified and certificates signed: in-process (simple) or a worker pool (off the event loop). */
import type { Signer } from './signer.js';
import type { TtlPolicy } from './ttl.js';
import type { SignRequest } from './types.js';
import { issueWorkloadCertificate } from './workload-cert.js';

export interface SigningBackend {
  sign(signer: Signer, request: SignRequest, now: Date): Promise<string[]>;
  close(): Promise<void>;
}

export function inProcessBackend(trustDomain: string, ttlPolicy: TtlPolicy): SigningBackend {
  return {
    sign: async (signer, request, now) => issueWorkloadCertificate({ signer, trustDomain, ttlPolicy, now }, request),
    close: async () => undefined,
  };
}
