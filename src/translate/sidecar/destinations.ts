/**
 * Resolves a VirtualService destination (host, optional port and subset) to the outbound
 * cluster a route sends to, as this proxy sees the mesh. An unknown host, a port the service
 * does not have, or an undefined subset is an error value naming the reason: callers repair
 * the route and report it (Envoy would answer 503 "no cluster" for it).
 */
import { resolveShortName } from '../../model/index/host.js';
import type { MeshService, MeshServicePort } from '../../model/registry/types.js';
import type { Destination } from '../../model/types/common.js';
import { buildClusterName } from '../common/cluster-name.js';
import type { SidecarContext } from './context.js';

export type ResolvedDestination =
  | { readonly ok: true; readonly cluster: string; readonly service: MeshService; readonly port: MeshServicePort; readonly subset: string }
  | { readonly ok: false; readonly reason: string };

/**
 * `vsNamespace`: where the VirtualService lives (short hosts resolve there). `listenerPort`: the
 * port the request arrived on, used when the destination names no port and the service has several.
 */
export function resolveDestination(ctx: SidecarContext, dest: Destination, vsNamespace: string, listenerPort?: number): ResolvedDestination {
  const host = resolveShortName(dest.host, vsNamespace, ctx.domain);
  const service = ctx.serviceForHost(host) ?? ctx.aliasTarget(host);
  if (!service) return { ok: false, reason: `host "${host}" is not a service this proxy can reach` };
  const port = pickPort(service, dest.port?.number, listenerPort);
  if (!port) {
    const wanted = dest.port?.number ?? listenerPort;
    return { ok: false, reason: `service "${service.hostname}" has no port ${wanted ?? '(none given and it has several)'}` };
  }
  const subset = dest.subset ?? '';
  if (subset !== '' && !ctx.subsetOf(ctx.destinationRuleFor(service), subset)) {
    return { ok: false, reason: `subset "${subset}" of "${service.hostname}" is not defined by any DestinationRule this proxy sees` };
  }
  return { ok: true, cluster: buildClusterName(port.port, subset, service.hostname), service, port, subset };
}

function pickPort(service: MeshService, wanted: number | undefined, listenerPort: number | undefined): MeshServicePort | undefined {
  if (wanted !== undefined) return service.ports.find((p) => p.port === wanted);
  if (service.ports.length === 1) return service.ports[0];
  return listenerPort === undefined ? undefined : service.ports.find((p) => p.port === listenerPort);
}
