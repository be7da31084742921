/**
 * Server listeners for xDS-enabled gRPC servers (gRFC A36). The listener keeps the requested
 * name, listens on the requested address, and has one filter chain whose HttpConnectionManager
 * carries an inline route configuration: any host, prefix "/", non_forwarding_action (the
 * server handles the call itself), then the router filter.
 *
 * As in Istio's grpcgen, a listener exists only for a workload the registry knows: some service
 * endpoint at that IP and port (for 0.0.0.0 / ::, at one of the proxy's own IPs). Otherwise it is
 * absent and the server keeps waiting (not serving), as with Istio.
 *
 * mTLS follows PeerAuthentication for the workload's port (mesh → namespace → workload,
 * portLevelMtls), as Istio's grpcgen applies it: STRICT gives one `inbound-mtls` chain (client
 * certificate required); DISABLE one `inbound-plaintext` chain; PERMISSIVE is served as STRICT
 * when the workload is labelled security.istio.io/tlsMode=istio (its clients use mTLS), else in
 * plaintext: gRPC's filter_chain_match cannot tell TLS from plaintext (gRFC A36 has no TLS
 * inspector, transport_protocol is only "raw_buffer"), so one port cannot accept both.
 * The labels and namespace are the registry endpoint's, the same ones a client's automatic
 * mTLS decision reads (cds-tls.ts), so both sides always agree.
 *
 * AuthorizationPolicies selecting the workload (by those same labels and namespace) become RBAC
 * HTTP filters in front of the router (gRFC A41; rbac.ts); gRPC servers evaluate them per call.
 */
import type { MeshEndpoint, MeshService } from '../../model/registry/types.js';
import { LABEL_TLS_MODE } from '../../model/registry/workload.js';
import { TypeUrl } from '../type-urls.js';
import type { XdsResource } from '../types.js';
import { AnyType, FilterName } from '../common/any-types.js';
import type { GrpcContext } from './context.js';
import type { ListenerName } from './listener-names.js';
import { effectiveMtls } from '../common/peer-authentication.js';
import { downstreamMtlsSocket } from './tls-context.js';
import type { Json } from './rds-match.js';
import { serverRbacFilters } from './rbac.js';

const UNSPECIFIED = new Set(['0.0.0.0', '::']);

interface Workload { readonly service: MeshService; readonly endpoint: MeshEndpoint }

/** The first service endpoint (registry order) at one of `ips` on `port`. */
function findWorkload(ctx: GrpcContext, ips: readonly string[], port: number): Workload | undefined {
  for (const service of ctx.snapshot.registry.services) {
    const endpoint = ctx.snapshot.endpointsOf(service).find((e) => e.port === port && ips.includes(e.address));
    if (endpoint) return { service, endpoint };
  }
  return undefined;
}

/**
 * `suffix` ("mtls" / "plaintext") goes into stat_prefix (ignored by gRPC) so the HCM bytes differ
 * between the two modes: grpc-js-xds (1.14) decides whether a listener update changed anything by
 * comparing filter bytes first, and its transport_socket comparison is wrong (mTLS → plaintext is
 * taken as "no change", plaintext → mTLS throws and kills the server process).
 */
function inboundHcm(suffix: string, rbac: readonly Json[]): Record<string, unknown> {
  return {
    '@type': AnyType.HttpConnectionManager,
    stat_prefix: `inbound_grpc_${suffix}`, // required by Envoy's validate rules
    route_config: {
      name: 'inbound',
      virtual_hosts: [{ name: 'inbound', domains: ['*'], routes: [{ match: { prefix: '/' }, non_forwarding_action: {} }] }],
    },
    // The router must be last (gRPC NACKs otherwise); RBAC filters come first, in evaluation order.
    http_filters: [...rbac, { name: FilterName.Router, typed_config: { '@type': AnyType.Router } }],
  };
}

/** One filter chain, `inbound-<suffix>`, with mTLS when `mtls`. No filter_chain_match: it takes every connection. */
function filterChain(mtls: boolean, rbac: readonly Json[]): Json {
  const suffix = mtls ? 'mtls' : 'plaintext';
  return {
    name: `inbound-${suffix}`,
    filters: [{ name: `inbound-hcm${suffix}`, typed_config: inboundHcm(suffix, rbac) }],
    ...(mtls ? { transport_socket: downstreamMtlsSocket() } : {}),
  };
}

export function buildServerListener(name: string, ip: string, port: number, mtls = false, rbac: readonly Json[] = []): XdsResource {
  return {
    name,
    body: {
      '@type': TypeUrl.Listener,
      name,
      address: { socket_address: { address: ip, port_value: port } },
      filter_chains: [filterChain(mtls, rbac)],
    },
  };
}

/** Whether the workload's server requires mTLS; explicit PERMISSIVE served in plaintext is reported. */
function serverMtls(ctx: GrpcContext, name: string, endpoint: MeshEndpoint): boolean {
  const mtls = effectiveMtls(ctx.snapshot, endpoint.namespace, endpoint.labels, endpoint.port);
  if (mtls.mode === 'STRICT') return true;
  if (mtls.mode !== 'PERMISSIVE') return false;
  if (endpoint.tlsMode === 'istio') return true;
  if (mtls.source) {
    const why = `gRPC servers cannot accept plaintext and mTLS on one port, and the workload is not labelled ${LABEL_TLS_MODE}=istio`;
    ctx.diags.warn(mtls.source, mtls.path, `PERMISSIVE served in plaintext: ${why}`, name);
  }
  return false;
}

export function serverListenerFor(ctx: GrpcContext, requested: Extract<ListenerName, { kind: 'server' }>): XdsResource | undefined {
  const ips = UNSPECIFIED.has(requested.ip) ? ctx.proxy.ipAddresses : [requested.ip];
  const workload = findWorkload(ctx, ips, requested.port);
  if (!workload) return undefined;
  const { endpoint } = workload;
  const rbac = serverRbacFilters(ctx, { namespace: endpoint.namespace, labels: endpoint.labels }, requested.name);
  return buildServerListener(requested.name, requested.ip, requested.port, serverMtls(ctx, requested.name, endpoint), rbac);
}
