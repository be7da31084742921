/**
 * Options of the daemon: one typed, frozen value built from argv and env by cli/ and passed to
 * bootstrap. Names follow pilot-discovery's flags and env vars so operators' knowledge carries over.
 */
export interface Options {
  readonly configDir?: string;
  readonly meshConfigFile?: string;
  /** --meshNetworks: MeshNetworks YAML (networks, their endpoints and gateways); the ConfigMap `istio` key meshNetworks wins when set. */
  readonly meshNetworksFile?: string;
  /** PILOT_REMOTE_CLUSTER_TIMEOUT: a remote cluster that has not synced by then no longer holds back readiness. */
  readonly remoteClusterTimeoutMs?: number;
  readonly kubeconfig?: string;
  /** KUBERNETES_SERVICE_HOST / _PORT: set in a pod; select in-cluster client config when no --kubeconfig. */
  readonly kubernetesServiceHost?: string;
  readonly kubernetesServicePort?: string;
  readonly grpcAddr: string;
  readonly secureGRPCAddr: string;
  readonly httpAddr: string;
  readonly monitoringAddr: string;
  /** --httpsAddr: the admission webhooks (/inject, /validate) over TLS; '' disables them. */
  readonly httpsAddr: string;
  /** REVISION: the istio.io/rev this istiod serves ('' = default): injector ConfigMap and webhook names. */
  readonly revision?: string;
  /** --injectionDir: the istio-sidecar-injector files (config, values); used instead of the ConfigMap when `config` exists. */
  readonly injectionDir: string;
  /** ENABLE_NATIVE_SIDECARS: inject the proxy as an init container with restartPolicy Always. */
  readonly enableNativeSidecars: boolean;
  readonly domain: string;
  readonly clusterID: string;
  /** Istio's `--log_output_level`: `info` or `default:info,ads:debug`. */
  readonly logLevels: Readonly<Record<string, LogLevel>>;
  /** PILOT_DEBOUNCE_AFTER: quiet period before a batch of changes becomes a snapshot. */
  readonly debounceAfterMs: number;
  /** PILOT_DEBOUNCE_MAX: the longest a change waits while changes keep coming. */
  readonly debounceMaxMs: number;
  /** --keepaliveMaxServerConnectionAge: xDS connections are told to reconnect after this (rebalancing). */
  readonly keepaliveMaxServerConnectionAgeMs: number;
  /** --keepaliveInterval / --keepaliveTimeout: HTTP/2 pings on xDS connections. */
  readonly keepaliveIntervalMs: number;
  readonly keepaliveTimeoutMs: number;
  /** PILOT_PUSH_THROTTLE: pushes in flight at once across all connections. */
  readonly pushThrottle: number;
  /** PILOT_XDS_SEND_TIMEOUT: a response not flushed in time disconnects that proxy (0 = never). */
  readonly xdsSendTimeoutMs: number;
  /** PILOT_MAX_REQUESTS_PER_SECOND: new xDS streams admitted per second (0 = the built-in default). */
  readonly maxRequestsPerSecond: number;
  /** ISTIO_GPRC_MAXRECVMSGSIZE (sic, Istio's spelling): largest gRPC request accepted, bytes. */
  readonly grpcMaxRecvMsgSize: number;
  /** ENABLE_TLS_ON_SIDECAR_INGRESS: honour Sidecar `ingress[].tls` (off by default, as in Istio). */
  readonly enableTlsOnSidecarIngress: boolean;
  /** PILOT_SCOPE_GATEWAY_TO_NAMESPACE: a Gateway selects only gateway proxies of its own namespace (off, as in Istio). */
  readonly scopeGatewayToNamespace: boolean;
  /** --caDir: a plugged-in CA bundle (Istio's /etc/cacerts); a missing or empty dir → a self-signed root. */
  readonly caDir: string;
  /**
   * --caStateDir (file mode): where the self-signed root persists (ca-cert.pem, ca-key.pem, as
   * the istio-ca-secret keys) and where the trusted roots are published (root-cert.pem).
   */
  readonly caStateDir: string;
  /** --istiodHost and ISTIOD_CUSTOM_HOST: extra DNS SANs of istiod's serving certificate. */
  readonly istiodHosts: readonly string[];
  /** POD_NAMESPACE: istiod's own namespace (its serving certificate's DNS names). */
  readonly podNamespace: string;
  /** JWT_RULE as set (Istio's JSON JWTRule); parsed and checked at start by bootstrap/. */
  readonly jwtRule?: string;
  /** CITADEL_SELF_SIGNED_CA_CERT_TTL: lifetime of a self-signed root. */
  readonly selfSignedCaCertTtlSeconds: number;
  /** CITADEL_SELF_SIGNED_ROOT_CERT_CHECK_INTERVAL: how often the root's expiry is checked. */
  readonly selfSignedRootCertCheckIntervalMs: number;
  /** CITADEL_SELF_SIGNED_ROOT_CERT_GRACE_PERIOD_PERCENTILE: rotate when less than this % of the lifetime is left. */
  readonly selfSignedRootCertGracePeriodPercentile: number;
  /** DEFAULT_WORKLOAD_CERT_TTL: a certificate's lifetime when the request names none. */
  readonly defaultWorkloadCertTtlSeconds: number;
  /** MAX_WORKLOAD_CERT_TTL: longer requests are refused. */
  readonly maxWorkloadCertTtlSeconds: number;
  /** POD_NAME: this replica, the leader-election holderIdentity (default: unknown-<hostname>-<pid>). */
  readonly podName?: string;
  /** Leader election for singleton duties (status writes, istio-ca-root-cert, webhook caBundle). */
  readonly leaderElection: LeaderElectionOptions;
  /** PILOT_ENABLE_STATUS: the leader writes validationMessages to Istio objects' status (on by default here). */
  readonly enableStatus: boolean;
  /** PILOT_STATUS_QPS / PILOT_STATUS_BURST: status writes per second, and at once. */
  readonly statusQps: number;
  readonly statusBurst: number;
  /**
   * PILOT_ENABLE_GATEWAY_API_DEPLOYMENT_CONTROLLER: the leader creates a ServiceAccount,
   * Deployment and Service for each Gateway API Gateway of class `istio` (Istio's default: true).
   */
  readonly enableGatewayDeploymentController: boolean;
  /** PILOT_JWT_PUB_KEY_REFRESH_INTERVAL: how often istiod refetches RequestAuthentication key sets (jwksUri). */
  readonly jwtPubKeyRefreshIntervalMs: number;
  /**
   * BLOCKED_CIDRS_IN_JWKS_URIS: CIDRs a jwksUri (or discovered jwks_uri) may not resolve into,
   * on top of the always-refused link-local and cloud metadata ranges. Private and loopback
   * ranges are reachable unless listed here, as in Istio.
   */
  readonly blockedCidrsInJwksUris: readonly string[];
}

/** Istio's 30 s ttl with renew deadline ttl/2 and retry period ttl/4 by default. */
export interface LeaderElectionOptions {
  /** ENABLE_LEADER_ELECTION: false = this replica always leads (a single replica). */
  readonly enabled: boolean;
  /** LEADER_ELECTION_NAMESPACE: where the Leases live (default POD_NAMESPACE). */
  readonly namespace?: string;
  /** LEADER_ELECTION_LEASE_NAME: one Lease for every duty instead of Istio's per-duty election IDs. */
  readonly leaseName?: string;
  /** LEADER_ELECTION_LEASE_DURATION, LEADER_ELECTION_RENEW_DEADLINE, LEADER_ELECTION_RETRY_PERIOD. */
  readonly leaseDurationMs: number;
  readonly renewDeadlineMs: number;
  readonly retryPeriodMs: number;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'none';

export const DEFAULT_OPTIONS: Options = Object.freeze({
  grpcAddr: ':15010',
  secureGRPCAddr: ':15012',
  httpAddr: ':8080',
  monitoringAddr: ':15014',
  httpsAddr: ':15017',
  injectionDir: './var/lib/istio/inject',
  enableNativeSidecars: false,
  domain: 'cluster.local',
  clusterID: 'Kubernetes',
  logLevels: Object.freeze({ default: 'info' as LogLevel }),
  debounceAfterMs: 100,
  debounceMaxMs: 10_000,
  keepaliveMaxServerConnectionAgeMs: 30 * 60_000,
  keepaliveIntervalMs: 30_000,
  keepaliveTimeoutMs: 10_000,
  pushThrottle: 100,
  xdsSendTimeoutMs: 10_000,
  maxRequestsPerSecond: 0,
  grpcMaxRecvMsgSize: 4 * 1024 * 1024,
  enableTlsOnSidecarIngress: false,
  scopeGatewayToNamespace: false,
  caDir: '/etc/cacerts',
  caStateDir: 'var/istiod-ca',
  istiodHosts: Object.freeze([]),
  podNamespace: 'istio-system',
  selfSignedCaCertTtlSeconds: 87_600 * 3600,
  selfSignedRootCertCheckIntervalMs: 3600_000,
  selfSignedRootCertGracePeriodPercentile: 20,
  defaultWorkloadCertTtlSeconds: 24 * 3600,
  maxWorkloadCertTtlSeconds: 90 * 24 * 3600,
  leaderElection: Object.freeze({ enabled: true, leaseDurationMs: 30_000, renewDeadlineMs: 15_000, retryPeriodMs: 7_500 }),
  enableStatus: true,
  statusQps: 100,
  statusBurst: 500,
  enableGatewayDeploymentController: true,
  jwtPubKeyRefreshIntervalMs: 20 * 60_000,
  blockedCidrsInJwksUris: Object.freeze([]),
});

/** `host:port`, `:port` or `[v6]:port`, as Go's net.Listen takes it. */
export interface ListenAddress {
  readonly host: string;
  readonly port: number;
}

export function parseListenAddress(value: string): ListenAddress | undefined {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(value);
  if (!m) return undefined;
  const port = Number(m[3]);
  if (port > 65535) return undefined;
  return { host: m[1] ?? m[2] ?? '', port };
}
