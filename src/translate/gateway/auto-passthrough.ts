/**
 * AUTO_PASSTHROUGH servers (the multi-network east-west gateway, port 15443), as current Istio
 * builds them: no TLS termination and no VirtualService; for every in-mesh service (not
 * MESH_EXTERNAL) whose hostname falls under the server's hosts, and each of its non-UDP ports,
 * a chain matching SNI `outbound_.<port>_._.<fqdn>` (plus one per DestinationRule subset,
 * `outbound_.<port>_.<subset>_.<fqdn>`) and Istio's mTLS ALPNs, proxying to the SNI-DNAT cluster
 * of the same name (plaintext to the workload's own mTLS port: the client's TLS passes through).
 */
import type { MeshService } from '../../model/registry/types.js';
import { buildSni } from '../common/sni.js';
import { serviceFilters } from '../sidecar/lds/l4-destinations.js';
import type { GatewayContext } from './context.js';
import { hostSubsetOf } from './hosts.js';
import type { GatewayServer } from './merge.js';
import type { GatewayChain } from './tcp-chains.js';

/** The ALPN values Istio's sidecars offer on mTLS connections. */
export const ISTIO_MTLS_ALPNS: readonly string[] = Object.freeze(['istio', 'istio-peer-exchange', 'istio-http/1.0', 'istio-http/1.1', 'istio-h2']);

/** In-mesh services an AUTO_PASSTHROUGH server with `sniHosts` reaches, with the subsets their DestinationRules define. */
export function autoPassthroughTargets(ctx: GatewayContext, sniHosts: readonly string[]): { service: MeshService; subsets: string[] }[] {
  return ctx.services()
    .filter((svc) => !svc.meshExternal && svc.externalName === undefined && sniHosts.some((h) => hostSubsetOf(svc.hostname, h)))
    .map((service) => ({ service, subsets: ['', ...(ctx.destinationRuleFor(service)?.spec.subsets ?? []).map((s) => s.name)] }));
}

export function autoPassthroughChains(ctx: GatewayContext, gs: GatewayServer): GatewayChain[] {
  const out: GatewayChain[] = [];
  for (const { service, subsets } of autoPassthroughTargets(ctx, gs.sniHosts)) {
    for (const port of service.ports) {
      if (port.protocol === 'UDP') continue;
      for (const subset of subsets) {
        const cluster = buildSni(port.port, subset, service.hostname);
        out.push({ sniHosts: [cluster], alpn: ISTIO_MTLS_ALPNS, filters: serviceFilters(ctx, service, cluster, port.protocol), source: service.origin });
      }
    }
  }
  return out;
}
