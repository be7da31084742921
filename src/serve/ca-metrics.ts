/**
 * What the CreateCertificate service counts, under Istio's citadel_server_* names (the debug
 * layer registers them with prom-client; see src/debug/metrics.ts).
 */
export interface CaMetrics {
  /** citadel_server_csr_count: every CreateCertificate call. */
  csrReceived(): void;
  /** citadel_server_authentication_failure_count. */
  authenticationFailed(): void;
  /** citadel_server_csr_parsing_err_count: the csr field holds no PEM certificate request. */
  csrParsingFailed(): void;
  /** citadel_server_csr_sign_err_count{error}: the CA refused or failed to sign. */
  signFailed(error: string): void;
  /** citadel_server_success_cert_issuance_count. */
  certIssued(): void;
}

export const noopCaMetrics: CaMetrics = {
  csrReceived: () => undefined,
  authenticationFailed: () => undefined,
  csrParsingFailed: () => undefined,
  signFailed: () => undefined,
  certIssued: () => undefined,
};

/**
 * The CA's root-of-trust gauges (citadel_server_root_cert_expiry_timestamp and _seconds), set at
 * start and whenever the CA's roots change (rotation, hot reload). Separate from CaMetrics so
 * recording doubles of the per-request counters need not change.
 */
export interface CaRootMetrics {
  /** The first (signing) root's notAfter, in seconds since the epoch. */
  rootCertExpiry(notAfterEpochSeconds: number): void;
}
