/** Help texts. The README's CLI reference says the same; keep them together when flags change. */
export const HELP: Readonly<Record<string, string>> = {
  root: `istiod-ts: a service-mesh control plane that does istiod's job.

Usage:
  istiod-ts discovery [flags]        run the control plane daemon
  istiod-ts agent [flags]            get and renew a workload certificate for proxyless gRPC
  istiod-ts validate -f FILE|DIR...  validate Istio and Kubernetes manifests
  istiod-ts kube-inject -f FILE|-    inject the sidecar into a manifest offline
  istiod-ts version                  print the version
  istiod-ts help [command]           show help
`,
  discovery: `Usage: istiod-ts discovery [flags]

Flags (pilot-discovery's names):
  --configDir DIR              load config from every .yaml/.yml/.json below DIR and watch it
  --meshConfig FILE            mesh config file (MeshConfig YAML); istiod's defaults otherwise
  --meshNetworks FILE          MeshNetworks YAML (multi-network endpoints and gateways); the istio ConfigMap's meshNetworks key wins
  --kubeconfig FILE            watch this Kubernetes cluster (in a pod without it: the service account)
  --grpcAddr ADDR              xDS over plaintext gRPC (default :15010)
  --secureGRPCAddr ADDR        xDS and CA over TLS, callers authorized (default :15012; "" disables it and the CA)
  --httpAddr ADDR              /ready and /debug/* (default :8080)
  --monitoringAddr ADDR        /metrics and /debug/* (default :15014)
  --httpsAddr ADDR             admission webhooks /inject and /validate over TLS with istiod's serving
                               certificate (default :15017; needs the CA on --secureGRPCAddr; "" disables)
  --injectionDir DIR           injector config files config and values (the istio-sidecar-injector ConfigMap
                               mounted; default ./var/lib/istio/inject); absent: the ConfigMap, else defaults
  --domain DOMAIN              cluster DNS domain (default cluster.local)
  --clusterID ID               this cluster's ID (default Kubernetes)
  --log_output_level LEVELS    info, or per scope: default:info,file-source:debug
  --keepaliveMaxServerConnectionAge DUR   xDS connections reconnect after this, to rebalance (default 30m)
  --keepaliveInterval DUR      HTTP/2 keepalive ping interval on xDS connections (default 30s)
  --keepaliveTimeout DUR       keepalive ping timeout (default 10s)
  --caDir DIR                  plugged-in CA bundle: ca-cert.pem, ca-key.pem, cert-chain.pem, root-cert.pem
                               or tls.crt, tls.key, ca.crt (default /etc/cacerts; no CA files = self-signed root)
  --caStateDir DIR             self-signed root (ca-cert.pem, ca-key.pem) and the published roots
                               (root-cert.pem), relative to the working dir (default var/istiod-ca)
  --istiodHost HOST            extra DNS name for istiod's serving certificate (repeatable, comma-separated)

Environment:
  PILOT_DEBOUNCE_AFTER         quiet period before a config change is applied (default 100ms)
  PILOT_DEBOUNCE_MAX           longest delay while changes keep coming (default 10s)
  PILOT_PUSH_THROTTLE          xDS pushes in flight at once (default 100)
  REVISION                     the istio.io/rev served (injector ConfigMap and webhook configuration names)
  ENABLE_NATIVE_SIDECARS       webhook injects istio-proxy as a native sidecar (default false)
  PILOT_REMOTE_CLUSTER_TIMEOUT  readiness stops waiting for a remote cluster's first sync after this (default 30s)
  ENABLE_TLS_ON_SIDECAR_INGRESS  honour Sidecar ingress[].tls (default false)
  PILOT_SCOPE_GATEWAY_TO_NAMESPACE  a Gateway selects only gateway proxies in its own namespace (default false)
  PILOT_ENABLE_GATEWAY_API_DEPLOYMENT_CONTROLLER  the leader deploys a ServiceAccount, Deployment and Service
                               per Gateway API Gateway of class istio (default true)
  PILOT_XDS_SEND_TIMEOUT       disconnect a proxy whose response is not flushed in time (default 10s; 0 = never)
  PILOT_MAX_REQUESTS_PER_SECOND  new xDS streams admitted per second (default 0 = 200/s, burst 400)
  ISTIO_GPRC_MAXRECVMSGSIZE    largest xDS request in bytes (default 4194304)
  POD_NAMESPACE                istiod's namespace, in its certificate's DNS names (default istio-system)
  ISTIOD_CUSTOM_HOST           extra DNS names for istiod's certificate, comma-separated
  JWT_RULE                     JSON JWTRule {issuer, audiences, jwksUri | jwks}: OIDC tokens that
                               authenticate CA and secure-xDS callers (sub system:serviceaccount:<ns>:<sa>)
  CITADEL_SELF_SIGNED_CA_CERT_TTL                       self-signed root lifetime (default 87600h)
  CITADEL_SELF_SIGNED_ROOT_CERT_CHECK_INTERVAL          how often the root's expiry is checked (default 1h)
  CITADEL_SELF_SIGNED_ROOT_CERT_GRACE_PERIOD_PERCENTILE rotate the root (same key) when less than this % is left (default 20)
  DEFAULT_WORKLOAD_CERT_TTL    workload certificate lifetime when none is asked for (default 24h)
  MAX_WORKLOAD_CERT_TTL        longest workload certificate lifetime (default 2160h)
  PILOT_JWT_PUB_KEY_REFRESH_INTERVAL  how often RequestAuthentication jwksUri key sets are refetched (default 20m;
                               a failed refresh keeps the last good set and retries sooner)
  BLOCKED_CIDRS_IN_JWKS_URIS   comma-separated CIDRs a jwksUri host may not resolve into (default none; link-local
                               169.254.0.0/16, fe80::/10 and cloud metadata addresses are always refused)
`,
  agent: `Usage: istiod-ts agent [flags]

The proxyless part of istio-agent: generates a key and CSR, gets a certificate from istiod's CA
(CreateCertificate over TLS, the token as "authorization: Bearer"), writes cert-chain.pem,
key.pem (0600) and root-cert.pem for gRPC's file_watcher provider, renews between 50% and 80% of
the lifetime, retries failures with backoff, and optionally writes the gRPC xDS bootstrap. Runs
until SIGTERM. A flag wins over its environment variable.

Flags (environment variable):
  --caAddr HOST:PORT           istiod's CA (CA_ADDR; default istiod.istio-system.svc:15012)
  --caRootCert FILE            roots that verify the CA (CA_ROOT_CA; default /var/run/secrets/istio/root-cert.pem)
  --caServerName NAME          TLS name to verify when it differs from the CA_ADDR host
  --tokenFile FILE             service-account token (CA_AUTH_TOKEN; default /var/run/secrets/tokens/istio-token)
  --outputCerts DIR            where the files go (OUTPUT_CERTS; default /var/lib/istio/data)
  --grpcXdsBootstrap FILE      write gRPC's xDS bootstrap here (GRPC_XDS_BOOTSTRAP; default: none)
  --discoveryAddress HOST:PORT the bootstrap's xDS server (XDS_ADDRESS; default istiod.istio-system.svc:15010)
  --certRefreshInterval DUR    the bootstrap's file_watcher refresh_interval (default 15m)
  --secretTTL DUR              lifetime to request (SECRET_TTL; default 24h)
  --domain DOMAIN              node id DNS suffix (default <namespace>.svc.cluster.local)
  --log_output_level LEVELS    info, or per scope: default:info,agent:debug

Environment:
  SECRET_GRACE_PERIOD_RATIO         renew when this fraction of the lifetime is left (default 0.35)
  SECRET_GRACE_PERIOD_RATIO_JITTER  random ± on that ratio per certificate (default 0.15)
  ECC_SIGNATURE_ALGORITHM           ECDSA (default) or RSA; ECC_CURVE P256 (default) or P384;
                                    WORKLOAD_RSA_KEY_SIZE (default 2048)
  INITIAL_BACKOFF_MSEC              first retry delay after a failure (default 1000; doubles to 30s)
  POD_NAME, POD_NAMESPACE, INSTANCE_IP, SERVICE_ACCOUNT, ISTIO_META_CLUSTER_ID
                                    the workload, for the bootstrap's node (defaults: the issued
                                    identity, the host name and address)
  ISTIO_META_<K>=v, ISTIO_METAJSON_<K>={...}   extra node metadata
`,
  validate: `Usage: istiod-ts validate -f FILE|DIR [-f FILE|DIR ...] [-o text|json] [--domain DOMAIN]

Validates every document (CRD schema, Istio's semantic rules, duplicates). Exit code 0 when all
are valid, 1 when any is not, 2 on a usage error.
`,
  'kube-inject': `Usage: istiod-ts kube-inject -f FILE|- [-o FILE] [--injectConfigFile FILE] [--valuesFile FILE]
                             [--meshConfigFile FILE] [--revision REV]

Injects istio-init and istio-proxy into every Pod and workload pod template (Deployment,
StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob, List items) of a
multi-document manifest, like istioctl kube-inject; other documents pass through unchanged.
Templates: sidecar (default), gateway, grpc-agent, grpc-simple (annotation inject.istio.io/templates);
custom templates must be static YAML (Go template actions are not rendered).

Flags:
  -f, --filename FILE      the manifest; - reads stdin
  -o, --output FILE        write here instead of stdout
  --injectConfigFile FILE  the istio-sidecar-injector ConfigMap, or its "config" key (policy, templates...)
  --valuesFile FILE        its "values" key (global.hub, global.tag, global.proxy...)
  --meshConfigFile FILE    mesh config (the istio ConfigMap or its "mesh" key); istiod's defaults otherwise
  --revision REV           the istio.io/rev the pods are injected for

Environment:
  ENABLE_NATIVE_SIDECARS   inject istio-proxy as a native sidecar (init container, restartPolicy Always)
`,
};
