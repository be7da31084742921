/**
 * gRPC's xDS bootstrap (the JSON at GRPC_XDS_BOOTSTRAP) for a proxyless workload, shaped like
 * the one Istio's agent writes: one xDS server with `insecure` channel creds (gRPC's xDS clients
 * speak plaintext to the control plane), node id `sidecar~<ip>~<pod>.<ns>~<ns>.svc.<domain>`
 * with GENERATOR=grpc metadata, a `default` file_watcher certificate provider reading the
 * agent's files, and Istio's server listener name template. Pure.
 */
import type { CertFilePaths } from './cert-files.js';

export const SERVER_LISTENER_NAME_TEMPLATE = 'xds.istio.io/grpc/lds/inbound/%s';

export interface BootstrapWorkload {
  readonly ip: string;
  readonly podName: string;
  readonly namespace: string;
  /** The node id's last part; default `<namespace>.svc.cluster.local`. */
  readonly domain?: string;
  readonly serviceAccount?: string;
  readonly clusterId: string;
  /** Extra node metadata (ISTIO_META_* / ISTIO_METAJSON_*); the identity keys above win. */
  readonly extraMetadata?: Readonly<Record<string, unknown>>;
}

export interface BootstrapInputs {
  readonly discoveryAddress: string;
  readonly certFiles: CertFilePaths;
  readonly certRefreshIntervalMs: number;
  readonly workload: BootstrapWorkload;
}

export function proxylessNodeId(w: Pick<BootstrapWorkload, 'ip' | 'podName' | 'namespace' | 'domain'>): string {
  return `sidecar~${w.ip}~${w.podName}.${w.namespace}~${w.domain ?? `${w.namespace}.svc.cluster.local`}`;
}

/** proto3 JSON Duration text: seconds with up to nanosecond precision, e.g. "900s", "0.25s". */
export function durationJson(ms: number): string {
  const nanos = BigInt(Math.round(ms * 1e6));
  const seconds = nanos / 1_000_000_000n;
  const frac = nanos % 1_000_000_000n;
  return frac === 0n ? `${seconds}s` : `${seconds}.${frac.toString().padStart(9, '0').replace(/0+$/, '')}s`;
}

export function buildGrpcBootstrap(inputs: BootstrapInputs): Record<string, unknown> {
  const w = inputs.workload;
  const metadata: Record<string, unknown> = {
    ...(w.extraMetadata ?? {}),
    GENERATOR: 'grpc',
    NAMESPACE: w.namespace,
    INSTANCE_IPS: w.ip,
    CLUSTER_ID: w.clusterId,
    ...(w.serviceAccount ? { SERVICE_ACCOUNT: w.serviceAccount } : {}),
  };
  return {
    xds_servers: [{ server_uri: inputs.discoveryAddress, channel_creds: [{ type: 'insecure' }], server_features: ['xds_v3'] }],
    // gRPC's xDS clients refuse a node without locality; Istio fills it from the pod's node when known.
    node: { id: proxylessNodeId(w), locality: {}, metadata },
    certificate_providers: {
      default: {
        plugin_name: 'file_watcher',
        config: {
          certificate_file: inputs.certFiles.certChain,
          private_key_file: inputs.certFiles.key,
          ca_certificate_file: inputs.certFiles.root,
          refresh_interval: durationJson(inputs.certRefreshIntervalMs),
        },
      },
    },
    server_listener_resource_name_template: SERVER_LISTENER_NAME_TEMPLATE,
  };
}
