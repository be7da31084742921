/**
 * Gateway endpoints (EDS): the sidecar's load assignments (the gateway's namespace decides which
 * DestinationRule and subsets apply; locality relative to the gateway), also for the SNI-DNAT
 * clusters `outbound_.<port>_.<subset>_.<fqdn>` of AUTO_PASSTHROUGH servers. Those carry the
 * endpoints of the matching `outbound|<port>|<subset>|<fqdn>` cluster under their own name, but
 * only endpoints that speak Istio mTLS (tlsMode=istio), as Istio filters them: the passed-through
 * connection is the client's mTLS, which a plaintext workload could not terminate, and this
 * keeps the gateway from being a way around mTLS.
 */
import { buildClusterName } from '../common/cluster-name.js';
import { buildLoadAssignment } from '../sidecar/eds/index.js';
import type { XdsResource } from '../types.js';
import type { GatewayContext } from './context.js';

type Json = Record<string, unknown>;

const SNI_FORM = /^outbound_\.(\d{1,5})_\.([^_]*)_\.(.+)$/;

function speaksMtls(lb: Json): boolean {
  const filterMetadata = (lb.metadata as Json | undefined)?.filter_metadata as Json | undefined;
  return (filterMetadata?.['envoy.transport_socket_match'] as Json | undefined)?.tlsMode === 'istio';
}

function mtlsOnly(groups: readonly Json[]): Json[] {
  return groups
    .map((g) => ({ ...g, lb_endpoints: ((g.lb_endpoints ?? []) as Json[]).filter(speaksMtls) }))
    .filter((g) => g.lb_endpoints.length > 0);
}

export function buildGatewayLoadAssignment(ctx: GatewayContext, name: string): XdsResource | undefined {
  const sni = SNI_FORM.exec(name);
  if (!sni) return buildLoadAssignment(ctx, name);
  const found = buildLoadAssignment(ctx, buildClusterName(Number(sni[1]), sni[2]!, sni[3]!));
  if (!found) return undefined;
  return { name, body: { ...found.body, cluster_name: name, endpoints: mtlsOnly((found.body.endpoints ?? []) as Json[]) } };
}
