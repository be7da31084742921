/**
 * Options of `istiod-ts agent` (the proxyless part of istio-agent): one frozen value built from
 * argv and env by agent-args.ts. Env names are pilot-agent's where a counterpart exists.
 */

export type WorkloadKeyType = { readonly algorithm: 'ECDSA'; readonly curve: 'P256' | 'P384' } | { readonly algorithm: 'RSA'; readonly bits: number };

export interface AgentOptions {
  /** CA_ADDR: istiod's CreateCertificate endpoint (TLS). */
  readonly caAddr: string;
  /** CA_ROOT_CA: the PEM roots that verify the CA's serving certificate. */
  readonly caRootCertFile: string;
  /** The TLS server name to verify (and send as SNI) when it differs from CA_ADDR's host. */
  readonly caServerName?: string;
  /** The service-account token file, sent as `authorization: Bearer` on every request. */
  readonly tokenFile: string;
  /** OUTPUT_CERTS: where cert-chain.pem, key.pem and root-cert.pem are written. */
  readonly outputCertsDir: string;
  /** GRPC_XDS_BOOTSTRAP: where to write gRPC's xDS bootstrap; unset → none is written. */
  readonly grpcXdsBootstrapFile?: string;
  /** The xDS server the bootstrap names (gRPC's xDS channel is plaintext: 15010). */
  readonly discoveryAddress: string;
  /** The file_watcher provider's refresh_interval in the bootstrap. */
  readonly certRefreshIntervalMs: number;
  /** SECRET_TTL: the lifetime requested for each certificate. */
  readonly secretTtlSeconds: number;
  /** SECRET_GRACE_PERIOD_RATIO: renew when this fraction of the lifetime remains. */
  readonly gracePeriodRatio: number;
  /** SECRET_GRACE_PERIOD_RATIO_JITTER: the ratio moves by a uniform random ±this per certificate. */
  readonly gracePeriodRatioJitter: number;
  /** ECC_SIGNATURE_ALGORITHM / ECC_CURVE / WORKLOAD_RSA_KEY_SIZE. */
  readonly keyType: WorkloadKeyType;
  /** INITIAL_BACKOFF_MSEC: first retry delay after a failed request; doubles up to maxBackoffMs. */
  readonly initialBackoffMs: number;
  readonly maxBackoffMs: number;
  /** The workload (node id, bootstrap metadata). Unset parts come from the issued identity or the host. */
  readonly podName?: string;
  readonly podNamespace?: string;
  readonly instanceIp?: string;
  readonly serviceAccount?: string;
  readonly clusterId: string;
  /** --domain: the node id's DNS suffix; default `<namespace>.svc.cluster.local`. */
  readonly domain?: string;
  /** ISTIO_META_* (strings) and ISTIO_METAJSON_* (JSON) env vars, passed into the node metadata. */
  readonly extraMetadata: Readonly<Record<string, unknown>>;
}

/** Istio's mount points and defaults. */
export const AGENT_DEFAULTS = Object.freeze({
  caAddr: 'istiod.istio-system.svc:15012',
  caRootCertFile: '/var/run/secrets/istio/root-cert.pem',
  tokenFile: '/var/run/secrets/tokens/istio-token',
  outputCertsDir: '/var/lib/istio/data',
  discoveryAddress: 'istiod.istio-system.svc:15010',
  certRefreshIntervalMs: 15 * 60_000,
  secretTtlSeconds: 24 * 3600,
  // Istio's defaults are 0.5 ± 0.01 (renew at ~50%); this project spreads renewals over 50–80%
  // of the lifetime (issue 5), with the same meaning of the two settings.
  gracePeriodRatio: 0.35,
  gracePeriodRatioJitter: 0.15,
  keyType: Object.freeze({ algorithm: 'ECDSA', curve: 'P256' }) as WorkloadKeyType,
  initialBackoffMs: 1000,
  maxBackoffMs: 30_000,
  clusterId: 'Kubernetes',
});

/** The file names gRPC's file_watcher provider is pointed at (Istio's grpc agent uses the same). */
export const CERT_FILES = Object.freeze({ certChain: 'cert-chain.pem', key: 'key.pem', root: 'root-cert.pem' });
