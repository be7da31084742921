/**
 * All per-port outbound listeners, built per Sidecar egress listener as Istio does (the implicit
 * catch-all one when no Sidecar applies):
 * - an egress listener with a `port` gives each of its services a listener on that port, with
 *   that port's protocol, on its bind (see egress-binding.ts);
 * - the catch-all one (no port) gives one listener per service port, but adds nothing to a
 *   bind:port an earlier egress listener already claimed (the lock).
 * Services are visited oldest first (then by key), so the older service wins a contended
 * listener. Where a listener binds when the egress listener does not say: HTTP ports share
 * 0.0.0.0; TCP and sniffed ports bind to the service VIP, to 0.0.0.0 with a prefix match for a
 * CIDR address, to each endpoint IP for headless (Passthrough) services (catch-all only), and to
 * 0.0.0.0 for address-less services otherwise.
 */
import { isIP } from 'node:net';
import type { IndexedVirtualService } from '../../../model/index/virtual-service-index.js';
import { parseProtocol } from '../../../model/registry/protocol.js';
import type { MeshService, MeshServicePort } from '../../../model/registry/types.js';
import type { SidecarContext } from '../context.js';
import { portKind } from '../protocol.js';
import type { EgressListenerScope } from '../scope.js';
import { egressBinding, type EgressBinding } from './egress-binding.js';
import type { Json } from './filters.js';
import { WILDCARD } from './outbound-chains.js';
import { addServicePort, type EntryMap } from './outbound-entries.js';
import { buildOutboundListener } from './outbound-listener.js';
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

/** The service's own address: its VIP, or 0.0.0.0 with a prefix match for a CIDR, or 0.0.0.0. */
function addressBinding(svc: MeshService): Binding {
  const address = svc.addresses[0];
  if (!address) return { bind: WILDCARD, cidrs: [] };
  return address.includes('/') ? { bind: WILDCARD, cidrs: [address] } : { bind: address, cidrs: [] };
}

function l4Bindings(ctx: SidecarContext, svc: MeshService, port: MeshServicePort): Binding[] {
  if (svc.addresses[0] || svc.resolution !== 'Passthrough') return [addressBinding(svc)];
  const binds = endpointBinds(ctx, svc, port);
  if (binds.length > 0) return binds.map((bind) => ({ bind, cidrs: [] }));
  // A plain ServiceEntry with resolution NONE (no endpoints, no selector) falls back to 0.0.0.0.
  const selectorless = svc.source !== 'Kubernetes' && !svc.selector;
  const hasEndpoints = ctx.snapshot.endpointsOf(svc).some((ep) => ep.servicePortName === port.name);
  return selectorless && !hasEndpoints ? [{ bind: WILDCARD, cidrs: [] }] : [];
}

interface Visit {
  readonly binding: EgressBinding;
  readonly virtualServices: readonly IndexedVirtualService[] | undefined;
}

function addPort(ctx: SidecarContext, map: EntryMap, svc: MeshService, port: MeshServicePort, bindings: readonly Binding[], v: Visit): void {
  for (const b of bindings) {
    const target = { service: svc, port, cidrs: b.cidrs, wildcardBind: b.bind === WILDCARD, ...(v.virtualServices ? { virtualServices: v.virtualServices } : {}) };
    addServicePort(ctx, map, target, b.bind, v.binding.bindToPort);
  }
}

/** The catch-all egress listener: every port of every service. */
function addService(ctx: SidecarContext, map: EntryMap, svc: MeshService, v: Visit): void {
  for (const port of svc.ports) {
    const kind = portKind(port.protocol);
    if (kind === 'none') continue;
    const own = v.binding.bind;
    const bindings = own ? [{ bind: own, cidrs: [] }] : kind === 'http' ? [{ bind: WILDCARD, cidrs: [] }] : l4Bindings(ctx, svc, port);
    addPort(ctx, map, svc, port, bindings, v);
  }
}

/** An egress listener with a port: each service on that port, with the listener's protocol. */
function addOnListenerPort(ctx: SidecarContext, map: EntryMap, svc: MeshService, el: EgressListenerScope, v: Visit): void {
  const declared = el.listener?.port;
  const port: MeshServicePort = { name: declared?.name ?? '', port: declared?.number ?? 0, protocol: parseProtocol(declared?.protocol) };
  const kind = portKind(port.protocol);
  if (kind === 'none') return;
  const own = v.binding.bind;
  const binding = own ? { bind: own, cidrs: [] } : kind === 'http' ? { bind: WILDCARD, cidrs: [] } : addressBinding(svc);
  addPort(ctx, map, svc, port, [binding], v);
}

/**
 * Services and VirtualServices of one egress listener. The implicit catch-all (no Sidecar, or
 * no egress section) sees everything the proxy may reach (one service per hostname).
 */
function contentsOf(ctx: SidecarContext, el: EgressListenerScope): { services: readonly MeshService[]; virtualServices: readonly IndexedVirtualService[] | undefined } {
  if (!el.listener) return { services: ctx.services(), virtualServices: undefined };
  return { services: el.services.filter((svc) => svc.externalName === undefined), virtualServices: el.virtualServices }; // aliases get no listener
}

export function buildOutboundListeners(ctx: SidecarContext): Json[] {
  const map: EntryMap = new Map();
  const order = byServiceAge(ctx);
  for (const el of ctx.scope.egressListeners) {
    const { services, virtualServices } = contentsOf(ctx, el);
    const visit: Visit = { binding: egressBinding(ctx, el), virtualServices };
    const sorted = [...services].sort(order);
    if (el.listener?.port) {
      for (const svc of sorted) addOnListenerPort(ctx, map, svc, el, visit);
      continue;
    }
    for (const entry of map.values()) entry.locked = true;
    for (const svc of sorted) addService(ctx, map, svc, visit);
  }
  return [...map.values()].map((entry) => buildOutboundListener(ctx, entry));
}
