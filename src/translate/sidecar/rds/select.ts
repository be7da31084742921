/**
 * Which VirtualService routes a service on a sidecar, as Istio decides it: the oldest one
 * naming the host exactly, else the oldest with the most specific wildcard host covering it,
 * among the VirtualServices of the route configuration's view (its Sidecar egress listener).
 * VirtualServices for the same host are not merged for sidecars: the others are reported.
 */
import type { IndexedVirtualService } from '../../../model/index/virtual-service-index.js';
import type { MeshService } from '../../../model/registry/types.js';
import type { SidecarContext } from '../context.js';

/** Does VirtualService host `pattern` ('*', '*.suffix' or exact) cover `host`? */
export const covers = (pattern: string, host: string) => pattern === host || pattern === '*' || (pattern.startsWith('*') && host.endsWith(pattern.slice(1)));

/** The host of `vs` that selects `host` (exact, else its longest covering wildcard), if any. */
export function selectingHost(vs: IndexedVirtualService, host: string): string | undefined {
  if (vs.hosts.includes(host)) return host;
  let best: string | undefined;
  for (const h of vs.hosts) if (covers(h, host) && (best === undefined || h.length > best.length)) best = h;
  return best;
}

const rank = (selector: string, host: string) => (selector === host ? Number.MAX_SAFE_INTEGER : selector.length);

/**
 * What one route configuration is built from: the services and VirtualServices of the Sidecar
 * egress listener it serves (Istio builds RDS per egress listener), or everything the proxy sees.
 */
export interface RouteView {
  /** Distinguishes views in per-call memos. */
  readonly key: string;
  /** One service per hostname, sorted by hostname. */
  readonly services: readonly MeshService[];
  /** Oldest first. */
  readonly virtualServices: readonly IndexedVirtualService[];
  serviceForHost(host: string): MeshService | undefined;
}

/** Everything the proxy may see (no Sidecar, or its implicit catch-all egress listener). */
export function proxyView(ctx: SidecarContext): RouteView {
  return ctx.memo('rds.view:proxy', () => ({
    key: 'proxy',
    services: ctx.services(),
    virtualServices: ctx.virtualServices(),
    serviceForHost: (host: string) => ctx.serviceForHost(host),
  }));
}

/** A view over an explicit list (a Sidecar egress listener's imports). */
export function listView(key: string, services: readonly MeshService[], virtualServices: readonly IndexedVirtualService[]): RouteView {
  const byHost = new Map<string, MeshService>();
  for (const svc of services) if (!byHost.has(svc.hostname)) byHost.set(svc.hostname, svc);
  const sorted = [...byHost.values()].sort((a, b) => (a.hostname < b.hostname ? -1 : a.hostname > b.hostname ? 1 : 0));
  return { key, services: sorted, virtualServices, serviceForHost: (host) => byHost.get(host) };
}

/**
 * A view's VirtualServices indexed by exact host (wildcard hosts kept apart), so choosing a
 * VirtualService per service is not a scan over every VirtualService.
 */
interface VirtualServiceHosts {
  readonly byExactHost: ReadonlyMap<string, readonly IndexedVirtualService[]>;
  readonly withWildcard: readonly IndexedVirtualService[];
}

function hostsIndex(ctx: SidecarContext, view: RouteView): VirtualServiceHosts {
  return ctx.memo(`rds.virtualServiceHosts:${view.key}`, () => buildHostsIndex(view));
}

function buildHostsIndex(view: RouteView): VirtualServiceHosts {
  const byExactHost = new Map<string, IndexedVirtualService[]>();
  const withWildcard: IndexedVirtualService[] = [];
  for (const vs of view.virtualServices) {
    for (const h of new Set(vs.hosts)) {
      if (h.startsWith('*')) {
        if (withWildcard[withWildcard.length - 1] !== vs) withWildcard.push(vs);
      } else byExactHost.set(h, [...(byExactHost.get(h) ?? []), vs]);
    }
  }
  return { byExactHost, withWildcard };
}

/** VirtualServices with a host selecting `host`, oldest first. */
function candidatesFor(ctx: SidecarContext, view: RouteView, host: string): IndexedVirtualService[] {
  const { byExactHost, withWildcard } = hostsIndex(ctx, view);
  const exact = byExactHost.get(host) ?? [];
  const wild = withWildcard.filter((vs) => !exact.includes(vs) && selectingHost(vs, host) !== undefined);
  if (wild.length === 0) return [...exact];
  const order = new Map(view.virtualServices.map((vs, i) => [vs, i]));
  return [...exact, ...wild].sort((a, b) => order.get(a)! - order.get(b)!);
}

/** The VirtualService for `service` (or undefined), reporting the ones it shadows. */
export function virtualServiceFor(ctx: SidecarContext, service: MeshService, port: number, view: RouteView = proxyView(ctx)): IndexedVirtualService | undefined {
  const host = service.hostname;
  let chosen: { vs: IndexedVirtualService; selector: string } | undefined;
  const shadowed: { vs: IndexedVirtualService; selector: string }[] = [];
  for (const vs of candidatesFor(ctx, view, host)) {
    const selector = selectingHost(vs, host)!;
    if (!chosen || rank(selector, host) > rank(chosen.selector, host)) {
      if (chosen) shadowed.push(chosen);
      chosen = { vs, selector };
    } else shadowed.push({ vs, selector });
  }
  for (const other of shadowed) {
    if (!chosen || other.selector !== chosen.selector) continue;
    const winner = chosen.vs.config.metadata;
    ctx.diags.warn(other.vs.config, 'spec.hosts', `host ${other.selector} is also routed by the older VirtualService ${winner.namespace}/${winner.name}; sidecars use only that one for ${host}`, `${port}`);
  }
  return chosen?.vs;
}

/** Does any host of `vs` select one of `hostnames` (a set of exact service hostnames)? */
export function selectsAny(vs: IndexedVirtualService, hostnames: ReadonlySet<string>): boolean {
  return vs.hosts.some((h) => hostSelectsAny(h, hostnames));
}

/** Whether one VirtualService host (exact or `*` wildcard) names any of `hostnames`. */
export function hostSelectsAny(host: string, hostnames: ReadonlySet<string>): boolean {
  if (!host.startsWith('*')) return hostnames.has(host);
  for (const s of hostnames) if (covers(host, s)) return true;
  return false;
}
