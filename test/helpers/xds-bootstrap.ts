/**
 * gRPC xDS bootstrap files (the JSON both grpc-js-xds and gRPC C-core read from
 * GRPC_XDS_BOOTSTRAP) for a proxyless workload talking to istiod-ts over plaintext ADS,
 * shaped like the ones Istio's agent writes: node id `sidecar~<ip>~<pod>.<ns>~<ns>.svc.<domain>`,
 * metadata with GENERATOR=grpc, and a locality (gRPC's xDS clients need one).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Istio's name for the listener of an xDS-enabled gRPC server (`%s` = `IP:port`). */
export const ISTIO_SERVER_LISTENER_TEMPLATE = 'xds.istio.io/grpc/lds/inbound/%s';
/** The gRFC A36 example template. */
export const A36_SERVER_LISTENER_TEMPLATE = 'grpc/server?xds.resource.listening_address=%s';

export interface WorkloadIdentity {
  /** xDS server port (the daemon's --grpcAddr). */
  readonly grpcPort: number;
  /** The workload's IP (node id and INSTANCE_IPS). */
  readonly ip: string;
  readonly pod: string;
  readonly namespace?: string;
  readonly domain?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly serverListenerTemplate?: string;
  /** Extra or overriding node metadata. */
  readonly metadata?: Readonly<Record<string, unknown>>;
}

export function nodeId(w: Pick<WorkloadIdentity, 'ip' | 'pod' | 'namespace' | 'domain'>): string {
  const ns = w.namespace ?? 'default';
  return `sidecar~${w.ip}~${w.pod}.${ns}~${ns}.svc.${w.domain ?? 'cluster.local'}`;
}

export function xdsBootstrap(w: WorkloadIdentity): Record<string, unknown> {
  const ns = w.namespace ?? 'default';
  return {
    xds_servers: [{
      server_uri: `127.0.0.1:${w.grpcPort}`,
      channel_creds: [{ type: 'insecure' }],
      server_features: ['xds_v3'],
    }],
    node: {
      id: nodeId(w),
      cluster: `${w.labels?.app ?? w.pod}.${ns}`,
      locality: { region: 'test-region', zone: 'test-zone', sub_zone: 'test-subzone' },
      metadata: {
        GENERATOR: 'grpc',
        NAMESPACE: ns,
        CLUSTER_ID: 'Kubernetes',
        INSTANCE_IPS: w.ip,
        ISTIO_VERSION: '1.24.0',
        WORKLOAD_NAME: w.labels?.app ?? w.pod,
        LABELS: { ...(w.labels ?? {}) },
        ...(w.metadata ?? {}),
      },
    },
    server_listener_resource_name_template: w.serverListenerTemplate ?? ISTIO_SERVER_LISTENER_TEMPLATE,
  };
}

/** Writes the bootstrap to `<dir>/<pod>-bootstrap.json` and returns its path. */
export function writeXdsBootstrap(dir: string, w: WorkloadIdentity): string {
  const path = join(dir, `${w.pod}-bootstrap.json`);
  writeFileSync(path, JSON.stringify(xdsBootstrap(w), null, 2));
  return path;
}
