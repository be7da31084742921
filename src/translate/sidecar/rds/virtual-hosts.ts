/**
 * The virtual hosts of route configuration `<port>`: one `<fqdn>:<port>` per in-scope service
 * with an HTTP (or sniffed) port of that number, routed by its VirtualService or by the default
 * route; plus, as Istio does, a `<host>:<port>` virtual host for each VirtualService host that
 * is no service on this port (on port 80 also for VirtualServices that route no service here).
 * Envoy rejects a route configuration with a duplicate domain or virtual host name, so the
 * first claim wins (VirtualService hosts oldest first, then plain services) and later ones are
 * reported and dropped. The services and VirtualServices come from a RouteView (the Sidecar
 * egress listener the route configuration serves); `withPort` adds the `<domain>:<port>` form of
 * each service domain, as Istio does for route configurations that span ports (HTTP_PROXY and
 * Unix socket egress listeners).
 */
import { shared } from '../../common/shared.js';
import type { IndexedVirtualService } from '../../../model/index/virtual-service-index.js';
import type { MeshService } from '../../../model/registry/types.js';
import { configMetadata } from '../../common/provenance.js';
import type { Source } from '../../common/diagnostics.js';
import type { SidecarContext } from '../context.js';
import { carriesHttp } from '../protocol.js';
import { buildDefaultRoute } from './default-route.js';
import { hostDomains, serviceDomains } from './domains.js';
import { buildVirtualServiceRoutes } from './routes.js';
import { covers, hostSelectsAny, proxyView, selectingHost, selectsAny, virtualServiceFor, type RouteView } from './select.js';
import type { Json } from './types.js';

interface Candidate {
  readonly name: string;
  readonly domains: string[];
  /** Short forms, dropped when equal to another service's FQDN. */
  readonly alt: readonly string[];
  readonly routes: Json[];
  readonly source: Source;
  readonly vs?: IndexedVirtualService;
}

const hasPort = (svc: MeshService, port: number) => svc.ports.some((p) => p.port === port);

/** In-scope services with an HTTP-carrying `port`; one per hostname (the one this proxy resolves the host to). */
function httpServices(view: RouteView, port: number): MeshService[] {
  return view.services.filter((svc) => {
    if (!svc.ports.some((p) => p.port === port && carriesHttp(p.protocol))) return false;
    const preferred = view.serviceForHost(svc.hostname);
    return preferred === undefined || preferred === svc || !hasPort(preferred, port);
  });
}

class VirtualHostSet {
  private readonly names = new Set<string>();
  private readonly domains = new Set<string>(['*']);
  readonly out: Json[] = [];

  constructor(private readonly ctx: SidecarContext, private readonly port: number, private readonly knownFqdns: ReadonlySet<string>) {}

  add(c: Candidate): void {
    const resource = `${this.port}`;
    if (this.names.has(c.name)) {
      this.ctx.diags.warn(c.source, c.vs ? 'spec.hosts' : undefined, `duplicate virtual host ${c.name}: left out`, resource);
      return;
    }
    this.names.add(c.name);
    const kept = c.domains.filter((d) => !this.domains.has(d.toLowerCase()) && !(c.alt.includes(d) && this.knownFqdns.has(d)));
    if (kept.length !== c.domains.length) {
      const dropped = c.domains.filter((d) => !kept.includes(d));
      this.ctx.diags.warn(c.source, c.vs ? 'spec.hosts' : undefined, `virtual host ${c.name}: domains ${dropped.join(', ')} already belong to another virtual host: left out`, resource);
    }
    if (kept.length === 0) return;
    for (const d of kept) this.domains.add(d.toLowerCase());
    this.out.push({
      name: c.name,
      domains: kept,
      routes: c.routes,
      ...(this.ctx.proxyHeaders('sidecar-outbound').includeAttemptCount ? { include_request_attempt_count: true } : {}),
      ...(c.vs ? { metadata: configMetadata(c.vs.config) } : {}),
    });
  }
}

/** VirtualService hosts that are no service on this port (Istio's non-registry hosts). */
function nonServiceHosts(vs: IndexedVirtualService, onPort: ReadonlySet<string>): string[] {
  return vs.hosts.filter((h) => !hostSelectsAny(h, onPort));
}

/** `d` and `d:<port>` for each domain (IPv6 VIPs are already bracketed). */
function portVariants(domains: readonly string[], port: number): string[] {
  return domains.flatMap((d) => [d, `${d}:${port}`]);
}

/** The service's own domains, then those of the ExternalName aliases pointing at it. */
function withAliases(ctx: SidecarContext, svc: MeshService): { domains: string[]; alt: readonly string[] } {
  const own = serviceDomains(svc, ctx.namespace, ctx.domain);
  const aliases = ctx.aliasesOf(svc.hostname);
  if (aliases.length === 0) return own;
  const domains = [...own.domains];
  const alt = [...own.alt];
  for (const alias of aliases) {
    const d = serviceDomains(alias, ctx.namespace, ctx.domain);
    domains.push(...d.domains.filter((x) => !domains.includes(x)));
    alt.push(...d.alt);
  }
  return { domains, alt };
}

function domainsOf(ctx: SidecarContext, svc: MeshService, port: number, withPort: boolean): { domains: string[]; alt: readonly string[] } {
  const d = withAliases(ctx, svc);
  return withPort ? { domains: portVariants(d.domains, port), alt: portVariants(d.alt, port) } : d;
}

export function buildVirtualHosts(ctx: SidecarContext, port: number, view: RouteView = proxyView(ctx), withPort = false): Json[] {
  const services = httpServices(view, port);
  const onPort = new Set(view.services.filter((svc) => hasPort(svc, port)).map((svc) => svc.hostname));
  const serviceHosts = new Set(services.map((svc) => svc.hostname));
  const set = new VirtualHostSet(ctx, port, new Set(view.services.map((s) => s.hostname)));
  const routesOf = new Map<IndexedVirtualService, Json[]>();
  const routesFor = (vs: IndexedVirtualService) => {
    let routes = routesOf.get(vs);
    if (!routes) routesOf.set(vs, (routes = buildVirtualServiceRoutes(ctx, vs, port)));
    return routes;
  };
  const usedBy = new Map<Json[], number>();
  const placed = (routes: Json[]) => (usedBy.set(routes, (usedBy.get(routes) ?? 0) + 1), routes);
  const claimed = new Map<IndexedVirtualService, MeshService[]>();
  const unclaimed: MeshService[] = [];
  for (const svc of services) {
    const vs = virtualServiceFor(ctx, svc, port, view);
    if (vs && routesFor(vs).length > 0) claimed.set(vs, [...(claimed.get(vs) ?? []), svc]);
    else unclaimed.push(svc);
  }
  for (const vs of view.virtualServices) {
    const owned = claimed.get(vs) ?? [];
    const extra = owned.length > 0 || (port === 80 && !selectsAny(vs, serviceHosts)) ? nonServiceHosts(vs, onPort) : [];
    if (extra.length > 0 && routesFor(vs).length === 0) continue;
    for (const host of extra) set.add({ name: `${host}:${port}`, domains: hostDomains(host), alt: [], routes: placed(routesFor(vs)), source: vs.config, vs });
    for (const svc of owned) set.add({ name: `${svc.hostname}:${port}`, ...domainsOf(ctx, svc, port, withPort), routes: placed(routesFor(vs)), source: vs.config, vs });
  }
  // A route list in several virtual hosts: shared, so the encoder copies each route's bytes.
  for (const [routes, uses] of usedBy) if (uses > 1) shared(routes);
  for (const svc of unclaimed) {
    set.add({ name: `${svc.hostname}:${port}`, ...domainsOf(ctx, svc, port, withPort), routes: [buildDefaultRoute(ctx, svc, port)], source: svc.origin });
  }
  return set.out.sort((a, b) => (String(a.name) < String(b.name) ? -1 : String(a.name) > String(b.name) ? 1 : 0));
}
