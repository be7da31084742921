/**
 * The contract between the workload CA (src/security/ca/) and its callers (the
 * CreateCertificate service, istiod's own serving certificate, debug views). The caller has
 * already authenticated the identity: the CA never takes an identity from the CSR.
 */

/** A Kubernetes service account: the SPIFFE identity spiffe://<trustDomain>/ns/<namespace>/sa/<serviceAccount>. */
export interface WorkloadIdentity {
  readonly namespace: string;
  readonly serviceAccount: string;
}

export interface SignRequest {
  /** The PEM CERTIFICATE REQUEST as the caller sent it (untrusted). */
  readonly csrPem: string;
  /** Who the caller proved to be. The certificate's only SAN is this identity. */
  readonly identity: WorkloadIdentity;
  /** The requested validity in seconds as sent (≤ 0 → the default TTL). */
  readonly requestedTtlSeconds: number;
}

/** Why a request was refused, in gRPC status terms (the service maps these to status codes). */
export type CaErrorCode = 'InvalidArgument' | 'Unavailable' | 'Internal';

export class CaError extends Error {
  constructor(readonly code: CaErrorCode, message: string) {
    super(message);
    this.name = 'CaError';
  }
}

export interface WorkloadCa {
  readonly trustDomain: string;
  /** Signs a workload certificate: the chain as PEM blocks, leaf first, root last. Rejects with CaError. */
  sign(request: SignRequest): Promise<readonly string[]>;
  /** The roots workloads should trust (PEM), the signing root first. */
  roots(): readonly string[];
}
