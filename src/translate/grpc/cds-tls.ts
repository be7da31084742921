/**
 * Client-side mTLS of a proxyless gRPC cluster (Istio grpcgen's applyTLS, plus automatic mTLS):
 * - DestinationRule tls ISTIO_MUTUAL: mTLS through the `default` certificate provider, with the
 *   service's SPIFFE identities as exact SAN matches.
 * - DISABLE: plaintext. SIMPLE / MUTUAL: Istio's grpcgen does not support them either; the
 *   cluster stays plaintext and a warning names the field.
 * - No tls in the rule: automatic mTLS (meshConfig.enableAutoMtls) when the service is in the
 *   mesh and every endpoint of the cluster is labelled security.istio.io/tlsMode=istio and not
 *   DISABLEd by PeerAuthentication. gRPC has no transport_socket_matches, so a cluster mixing
 *   such endpoints with others stays plaintext. Istio's grpcgen has no automatic mTLS; it is
 *   added here because a labelled proxyless server in PERMISSIVE mode serves only mTLS (see
 *   lds-server.ts), so without it a client would fail against the mesh's defaults.
 */
import type { MeshEndpoint, MeshService, MeshServicePort } from '../../model/registry/types.js';
import { effectiveMtls } from '../common/peer-authentication.js';
import { serviceIdentities } from '../common/service-identities.js';
import type { ClusterPolicy } from '../common/traffic-policy.js';
import type { Origin } from './cds-policy.js';
import type { GrpcContext } from './context.js';
import { clusterEndpoints } from './eds.js';
import type { Json } from './rds-match.js';
import { upstreamMtlsSocket } from './tls-context.js';

export interface ClusterTlsInput {
  readonly name: string;
  readonly service: MeshService;
  readonly port: MeshServicePort;
  readonly subsetLabels: Readonly<Record<string, string>> | undefined;
  readonly policy: ClusterPolicy;
  /** Where the policy's fields came from; absent without a DestinationRule. */
  readonly origin: Origin | undefined;
}

/** An endpoint that serves mTLS: it has the agent (tlsMode istio) and PeerAuthentication does not disable mTLS on its port. */
export function servesMtls(ctx: GrpcContext, ep: MeshEndpoint): boolean {
  return ep.tlsMode === 'istio' && effectiveMtls(ctx.snapshot, ep.namespace, ep.labels, ep.port).mode !== 'DISABLE';
}

function autoMtls(ctx: GrpcContext, input: ClusterTlsInput): boolean {
  if (!ctx.mesh.enableAutoMtls || input.service.meshExternal) return false;
  const endpoints = clusterEndpoints(ctx, input.service, input.port, input.subsetLabels);
  return endpoints.length > 0 && endpoints.every((ep) => servesMtls(ctx, ep));
}

/** `{ transport_socket }` when the cluster uses mTLS, else nothing. */
export function clusterTlsFields(ctx: GrpcContext, input: ClusterTlsInput): Json {
  const mode = input.policy.tls?.mode;
  const identities = () => serviceIdentities(ctx.snapshot, ctx.mesh.trustDomain, input.service);
  if (mode === 'ISTIO_MUTUAL') return { transport_socket: upstreamMtlsSocket(identities()) };
  if (mode === 'SIMPLE' || mode === 'MUTUAL') {
    const at = input.origin?.('tls');
    ctx.diags.warn(at?.source, at ? `${at.path}.mode` : undefined, `TLS mode ${mode} is not supported for proxyless gRPC (only ISTIO_MUTUAL and DISABLE, as in Istio): cluster left in plaintext`, input.name);
    return {};
  }
  if (input.policy.tls !== undefined) return {}; // DISABLE, or a tls block without a mode (DISABLE by default)
  return autoMtls(ctx, input) ? { transport_socket: upstreamMtlsSocket(identities()) } : {};
}
