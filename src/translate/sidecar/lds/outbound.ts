/**
 * All per-port outbound listeners. Services are visited oldest first (then by hostname), so the
 * older service wins a contended listener, as in Istio. Where a listener binds: HTTP ports share
 * 0.0.0.0; TCP and sniffed ports bind to the service VIP, to 0.0.0.0 with a prefix match for a
 * CIDR address, to each endpoint IP for headless (Passthrough) services, and to 0.0.0.0 for
 * address-less services otherwise.
 */
import { isIP } from 'node:net';
import type { MeshService, MeshServicePort } from '../../../model/registry/types.js';
import type { SidecarContext } from '../context.js';
import { portKind } from '../protocol.js';
import { WILDCARD } from './outbound-chains.js';
import { addServicePort, type EntryMap } from './outbound-entries.js';
import { buildOutboundListener } from './outbound-listener.js';
import type { Json } from './filters.js';
import { byServiceAge } from './service-age.js';

/** Endpoint IPs of a headless service's port, except the proxy's own (that is inbound traffic). */
function endpointBinds(ctx: SidecarContext, svc: MeshService, port: MeshServicePort): string[] {
  const own = ctx.proxy.ipAddresses[0];
  const ips = ctx.snapshot.endpointsOf(svc)
    .filter((ep) => ep.servicePortName === port.name && isIP(ep.address) !== 0 && ep.address !== own)
    .map((ep) => ep.address);
  return [...new Set(ips)];
}

interface Binding { readonly bind: string; readonly cidrs: readonly string[] }

function l4Bindings(ctx: SidecarContext, svc: MeshService, port: MeshServicePort): Binding[] {
  const address = svc.addresses[0];
  if (address) return address.includes('/') ? [{ bind: WILDCARD, cidrs: [address] }] : [{ bind: address, cidrs: [] }];
  if (svc.resolution !== 'Passthrough') return [{ bind: WILDCARD, cidrs: [] }];
  const binds = endpointBinds(ctx, svc, port);
  if (binds.length > 0) return binds.map((bind) => ({ bind, cidrs: [] }));
  // A plain ServiceEntry with resolution NONE (no endpoints, no selector) falls back to 0.0.0.0.
  const selectorless = svc.source !== 'Kubernetes' && !svc.selector;
  const hasEndpoints = ctx.snapshot.endpointsOf(svc).some((ep) => ep.servicePortName === port.name);
  return selectorless && !hasEndpoints ? [{ bind: WILDCARD, cidrs: [] }] : [];
}

function addService(ctx: SidecarContext, map: EntryMap, svc: MeshService): void {
  for (const port of svc.ports) {
    const kind = portKind(port.protocol);
    if (kind === 'none') continue;
    const bindings = kind === 'http' ? [{ bind: WILDCARD, cidrs: [] }] : l4Bindings(ctx, svc, port);
    for (const b of bindings) {
      addServicePort(ctx, map, { service: svc, port, cidrs: b.cidrs, wildcardBind: b.bind === WILDCARD }, b.bind);
    }
  }
}

export function buildOutboundListeners(ctx: SidecarContext): Json[] {
  const map: EntryMap = new Map();
  for (const svc of [...ctx.services()].sort(byServiceAge(ctx))) addService(ctx, map, svc);
  return [...map.values()].map((entry) => buildOutboundListener(ctx, entry));
}
