/** Help texts. The README's CLI reference says the same; keep them together when flags change. */
export const HELP: Readonly<Record<string, string>> = {
  root: `istiod-ts: a service-mesh control plane that does istiod's job.

Usage:
  istiod-ts discovery [flags]        run the control plane daemon
  istiod-ts validate -f FILE|DIR...  validate Istio and Kubernetes manifests
  istiod-ts version                  print the version
  istiod-ts help [command]           show help
`,
  discovery: `Usage: istiod-ts discovery [flags]

Flags (pilot-discovery's names):
  --configDir DIR              load config from every .yaml/.yml/.json below DIR and watch it
  --meshConfig FILE            mesh config file (MeshConfig YAML); istiod's defaults otherwise
  --kubeconfig FILE            Kubernetes client config (Kubernetes sources: not yet available)
  --grpcAddr ADDR              xDS over plaintext gRPC (default :15010)
  --secureGRPCAddr ADDR        xDS and CA over TLS (default :15012)
  --httpAddr ADDR              /ready and /debug/* (default :8080)
  --monitoringAddr ADDR        /metrics and /debug/* (default :15014)
  --httpsAddr ADDR             admission webhooks (default :15017)
  --domain DOMAIN              cluster DNS domain (default cluster.local)
  --clusterID ID               this cluster's ID (default Kubernetes)
  --log_output_level LEVELS    info, or per scope: default:info,file-source:debug
  --keepaliveMaxServerConnectionAge DUR   xDS connections reconnect after this, to rebalance (default 30m)
  --keepaliveInterval DUR      HTTP/2 keepalive ping interval on xDS connections (default 30s)
  --keepaliveTimeout DUR       keepalive ping timeout (default 10s)

Environment:
  PILOT_DEBOUNCE_AFTER         quiet period before a config change is applied (default 100ms)
  PILOT_DEBOUNCE_MAX           longest delay while changes keep coming (default 10s)
  PILOT_PUSH_THROTTLE          xDS pushes in flight at once (default 100)
  ENABLE_TLS_ON_SIDECAR_INGRESS  honour Sidecar ingress[].tls (default false)
  PILOT_XDS_SEND_TIMEOUT       disconnect a proxy whose response is not flushed in time (default 10s; 0 = never)
  PILOT_MAX_REQUESTS_PER_SECOND  new xDS streams admitted per second (default 0 = 200/s, burst 400)
  ISTIO_GPRC_MAXRECVMSGSIZE    largest xDS request in bytes (default 4194304)
`,
  validate: `Usage: istiod-ts validate -f FILE|DIR [-f FILE|DIR ...] [-o text|json] [--domain DOMAIN]

Validates every document (CRD schema, Istio's semantic rules, duplicates). Exit code 0 when all
are valid, 1 when any is not, 2 on a usage error.
`,
};
