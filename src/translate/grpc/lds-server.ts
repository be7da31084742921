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
 * mTLS is not configured yet: where Istio would serve mTLS (PeerAuthentication STRICT, or
 * PERMISSIVE on a workload labelled for auto-mTLS, which gRPC cannot serve both ways), the
 * listener stays plaintext and a diagnostic says so.
 */
import type { MeshEndpoint, MeshService } from '../../model/registry/types.js';
import { TypeUrl } from '../type-urls.js';
import type { XdsResource } from '../types.js';
import { AnyType, FilterName } from '../common/any-types.js';
import type { GrpcContext } from './context.js';
import type { ListenerName } from './listener-names.js';
import { effectiveMtls } from '../common/peer-authentication.js';

const TLS_MODE_LABEL = 'security.istio.io/tlsMode';
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

function inboundHcm(): Record<string, unknown> {
  return {
    '@type': AnyType.HttpConnectionManager,
    stat_prefix: 'inbound_grpc', // ignored by gRPC; required by Envoy's validate rules
    route_config: {
      name: 'inbound',
      virtual_hosts: [{ name: 'inbound', domains: ['*'], routes: [{ match: { prefix: '/' }, non_forwarding_action: {} }] }],
    },
    http_filters: [{ name: FilterName.Router, typed_config: { '@type': AnyType.Router } }],
  };
}

export function buildServerListener(name: string, ip: string, port: number): XdsResource {
  return {
    name,
    body: {
      '@type': TypeUrl.Listener,
      name,
      address: { socket_address: { address: ip, port_value: port } },
      filter_chains: [{ name: 'inbound-plaintext', filters: [{ name: 'inbound-hcmplaintext', typed_config: inboundHcm() }] }],
    },
  };
}

function reportMtls(ctx: GrpcContext, name: string, workload: Workload): void {
  const { endpoint } = workload;
  const mtls = effectiveMtls(ctx.snapshot, endpoint.namespace, endpoint.labels, endpoint.port);
  const autoMtls = endpoint.labels[TLS_MODE_LABEL] === 'istio';
  if (mtls.mode === 'STRICT' || (mtls.mode === 'PERMISSIVE' && autoMtls)) {
    const why = mtls.mode === 'STRICT' ? 'PeerAuthentication requires mTLS (STRICT)' : `the workload is labelled ${TLS_MODE_LABEL}=istio and the mode is PERMISSIVE, which Istio serves to proxyless gRPC as STRICT`;
    ctx.diags.warn(mtls.source, mtls.source ? 'spec.mtls.mode' : undefined, `${why}, but mTLS for proxyless gRPC servers is not supported yet: listener served in plaintext`, name);
  }
}

export function serverListenerFor(ctx: GrpcContext, requested: Extract<ListenerName, { kind: 'server' }>): XdsResource | undefined {
  const ips = UNSPECIFIED.has(requested.ip) ? ctx.proxy.ipAddresses : [requested.ip];
  const workload = findWorkload(ctx, ips, requested.port);
  if (!workload) return undefined;
  reportMtls(ctx, requested.name, workload);
  return buildServerListener(requested.name, requested.ip, requested.port);
}
