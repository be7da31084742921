/**
 * Gateway clusters (CDS), as Istio builds them for routers: the outbound clusters of every
 * service visible from the gateway's namespace (Istio's default, PILOT_FILTER_GATEWAY_CLUSTER_CONFIG
 * off), the BlackHoleCluster (no PassthroughCluster: gateways have no original-destination
 * listeners), and, when a server is AUTO_PASSTHROUGH, the SNI-DNAT clusters its chains proxy to:
 * each in-mesh service port (and subset) as `outbound_.<port>_.<subset>_.<fqdn>`, the outbound
 * cluster without TLS origination (the client's own mTLS passes through).
 */
import { buildClusterName } from '../common/cluster-name.js';
import { buildSni } from '../common/sni.js';
import { buildOutboundClusters } from '../sidecar/cds/outbound.js';
import { buildBlackHoleCluster } from '../sidecar/cds/special.js';
import type { XdsResource } from '../types.js';
import { autoPassthroughTargets } from './auto-passthrough.js';
import type { GatewayContext } from './context.js';

type Json = Record<string, unknown>;

function sniDnatCluster(outbound: XdsResource, name: string): XdsResource {
  const { transport_socket: _ts, transport_socket_matches: _tsm, ...rest } = outbound.body as Json;
  const body: Json = { ...rest, name };
  if (rest.alt_stat_name === `${outbound.name};`) body.alt_stat_name = `${name};`;
  const eds = rest.eds_cluster_config as Json | undefined;
  if (eds) body.eds_cluster_config = { ...eds, service_name: name };
  return { name, body };
}

function sniDnatClusters(ctx: GatewayContext, outbound: ReadonlyMap<string, XdsResource>): XdsResource[] {
  const hosts = [...new Set(ctx.merged.listeners.flatMap((l) => l.servers.filter((s) => s.server.tls?.mode === 'AUTO_PASSTHROUGH').flatMap((s) => s.sniHosts)))];
  const out: XdsResource[] = [];
  for (const { service, subsets } of autoPassthroughTargets(ctx, hosts)) {
    for (const port of service.ports) {
      for (const subset of subsets) {
        const base = outbound.get(buildClusterName(port.port, subset, service.hostname));
        if (base) out.push(sniDnatCluster(base, buildSni(port.port, subset, service.hostname)));
      }
    }
  }
  return out;
}

export function buildGatewayClusters(ctx: GatewayContext): XdsResource[] {
  const outbound = buildOutboundClusters(ctx);
  const extra = [buildBlackHoleCluster(ctx.mesh)];
  if (ctx.merged.hasAutoPassthrough) extra.push(...sniDnatClusters(ctx, new Map(outbound.map((c) => [c.name, c]))));
  const seen = new Set<string>();
  const out: XdsResource[] = [];
  for (const list of [outbound, extra]) {
    for (const r of list) if (!seen.has(r.name)) (seen.add(r.name), out.push(r));
  }
  return out;
}
