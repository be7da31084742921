/**
 * What tcp/tls route matching needs about the listener being built, and the static part of an
 * L4 match (source labels, port, source namespace, gateways) that is decided at build time for
 * this proxy, as in Istio. Runtime parts (SNI, destination subnets) become filter chain matches.
 */
import { hostMatches } from '../../../model/index/host.js';
import type { IndexedVirtualService } from '../../../model/index/virtual-service-index.js';
import type { MeshService, MeshServicePort } from '../../../model/registry/types.js';
import type { L4MatchAttributes } from '../../../model/types/virtual-service.js';
import { buildClusterName } from '../../common/cluster-name.js';
import type { SidecarContext } from '../context.js';

export interface OutboundTarget {
  readonly service: MeshService;
  readonly port: MeshServicePort;
  /** The service's CIDR address when its listener is on 0.0.0.0 with a prefix match. */
  readonly cidrs: readonly string[];
  /** Listener bound to 0.0.0.0 rather than a VIP or endpoint IP. */
  readonly wildcardBind: boolean;
  /** The VirtualServices of the egress listener being built (default: every one the proxy sees). */
  readonly virtualServices?: readonly IndexedVirtualService[];
}

export function staticMatch(ctx: SidecarContext, m: L4MatchAttributes | undefined, port: number): boolean {
  if (!m) return true;
  const labels = ctx.proxy.metadata.labels;
  const gatewayOk = !m.gateways || m.gateways.length === 0 || m.gateways.includes('mesh');
  const labelsOk = Object.entries(m.sourceLabels ?? {}).every(([k, v]) => labels[k] === v);
  const portOk = !m.port || m.port === port;
  const nsOk = !m.sourceNamespace || m.sourceNamespace === ctx.namespace;
  return gatewayOk && labelsOk && portOk && nsOk;
}

/** VirtualServices (oldest first) of the target's egress listener with a host covering its service's hostname. */
export function virtualServicesFor(ctx: SidecarContext, t: OutboundTarget): IndexedVirtualService[] {
  return (t.virtualServices ?? ctx.virtualServices()).filter((vs) => vs.hosts.some((h) => hostMatches(h, t.service.hostname)));
}

/** The service's own cluster for the default chain (its only port when it has one, as Istio). */
export function defaultCluster(t: OutboundTarget): string {
  const port = t.service.ports.length === 1 ? (t.service.ports[0]?.port ?? t.port.port) : t.port.port;
  return buildClusterName(port, '', t.service.hostname);
}
