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

/** One trusted root, for debug views (/debug/cert). */
export interface RootInfo {
  readonly subject: string;
  /** Hexadecimal, as openssl prints it. */
  readonly serialNumber: string;
  readonly notBefore: string;
  readonly notAfter: string;
  /** True for the root that signs (directly or through intermediates) what this CA issues. */
  readonly signing: boolean;
}

/** A plugged-in CA bundle that cannot be used: names the directory, the file and the reason. */
export class CaBundleError extends Error {
  constructor(readonly dir: string, readonly file: string, readonly reason: string) {
    super(`CA bundle in ${dir}: ${file}: ${reason}`);
    this.name = 'CaBundleError';
  }
}
