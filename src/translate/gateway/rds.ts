/**
 * Gateway route configurations (RDS) `http.<port>` and `https.<port>.<portName>.<gw>.<ns>`, as
 * Istio's buildGatewayHTTPRouteConfig makes them: for each server behind the name, each
 * VirtualService bound to its gateway (oldest first) whose hosts intersect the server hosts
 * its namespace may use gives its routes (built once per gateway and VirtualService, for the
 * server's port) to a virtual host per intersecting host: VirtualServices for the same host are
 * merged by appending their routes, then catch-all routes move to the end. httpsRedirect servers
 * mark their virtual hosts require_tls ALL (and get one per host even without routes, so plain
 * HTTP is redirected). Virtual hosts whose routes come from the same VirtualServices are
 * collapsed into the alphabetically first (Istio's route collapse). No virtual host at all:
 * `blackhole:<port>` with no routes, so Envoy answers 404.
 */
import { shared } from '../common/shared.js';
import { isCatchAll } from '../sidecar/rds/match.js';
import type { IndexedVirtualService } from '../../model/index/virtual-service-index.js';
import { routeConfiguration } from '../sidecar/rds/index.js';
import { buildVirtualServiceRoutes } from '../sidecar/rds/routes.js';
import type { XdsResource } from '../types.js';
import { virtualServicesForGateway } from './bindings.js';
import type { GatewayContext } from './context.js';
import { hostPart, hostsForNamespace, intersectHosts } from './hosts.js';
import type { GatewayServer } from './merge.js';

type Json = Record<string, unknown>;


interface VHostDraft {
  readonly host: string;
  readonly port: number;
  /**
   * The route lists of the (gateway, VirtualService, port) triples that built it, in order. Each
   * list is built once per generate() call, so equal lists (by identity) mean equal routes.
   */
  readonly sources: Json[][];
  requireTls: boolean;
}

type RoutesByPort = Map<number, Json[]>;

/** The routes one VirtualService gives one gateway server port, built once per generate() call. */
function routesFor(ctx: GatewayContext, gs: GatewayServer, vs: IndexedVirtualService): Json[] {
  const byGateway = ctx.memo('gw.routes', () => new Map<string, Map<IndexedVirtualService, RoutesByPort>>());
  let byVs = byGateway.get(gs.gatewayName);
  if (!byVs) byGateway.set(gs.gatewayName, (byVs = new Map()));
  let byPort = byVs.get(vs);
  if (!byPort) byVs.set(vs, (byPort = new Map()));
  const port = gs.server.port.number;
  let routes = byPort.get(port);
  if (!routes) byPort.set(port, (routes = buildVirtualServiceRoutes(ctx, vs, port, gs.gatewayName)));
  return routes;
}

/** VirtualService hosts lower-cased once per generate() call (server hosts already are). */
function lowerHosts(ctx: GatewayContext, vs: IndexedVirtualService): readonly string[] {
  const byVs = ctx.memo('gw.vshosts', () => new Map<IndexedVirtualService, readonly string[]>());
  let hosts = byVs.get(vs);
  if (!hosts) byVs.set(vs, (hosts = vs.hosts.map((h) => h.toLowerCase())));
  return hosts;
}

function addServer(ctx: GatewayContext, gs: GatewayServer, drafts: Map<string, VHostDraft>): void {
  const port = gs.server.port.number;
  const redirect = gs.server.tls?.httpsRedirect === true;
  for (const vs of virtualServicesForGateway(ctx, gs.gatewayName)) {
    const hosts = intersectHosts(hostsForNamespace(gs.hosts, vs.config.metadata.namespace), lowerHosts(ctx, vs));
    if (hosts.length === 0) continue;
    const routes = routesFor(ctx, gs, vs);
    for (const host of hosts) {
      const found = drafts.get(host);
      if (found) {
        found.sources.push(routes);
        found.requireTls ||= redirect;
      } else drafts.set(host, { host, port, sources: [routes], requireTls: redirect });
    }
  }
  if (!redirect) return;
  for (const raw of gs.hosts) {
    const host = hostPart(raw);
    const found = drafts.get(host);
    if (found) found.requireTls = true;
    else drafts.set(host, { host, port, sources: [], requireTls: true });
  }
}

/** The routes of a draft, catch-all routes last, each group in order (Istio's SortVHostRoutes). */
function draftRoutes(d: VHostDraft): Json[] {
  const out: Json[] = [];
  const catchAll: Json[] = [];
  for (const routes of d.sources) {
    for (const r of routes) (isCatchAll(r.match as Json) ? catchAll : out).push(r);
  }
  for (const r of catchAll) out.push(r);
  return out;
}

/** Identity key of a draft's route lists (ids of the lists, in order) and its TLS requirement. */
function sourceKey(d: VHostDraft, ids: Map<Json[], number>): string {
  let key = d.requireTls ? 'tls' : 'plain';
  for (const routes of d.sources) {
    let id = ids.get(routes);
    if (id === undefined) ids.set(routes, (id = ids.size));
    key += `,${id}`;
  }
  return key;
}

/**
 * Virtual hosts by what they are made of. Most drafts have one route list: those are found by
 * the list itself (and the TLS flag), without building a key string per host.
 */
class VirtualHostsBySource {
  private readonly byList = [new Map<Json[], Json>(), new Map<Json[], Json>()];
  private readonly byKey = new Map<string, Json>();
  private readonly ids = new Map<Json[], number>();

  get(d: VHostDraft): Json | undefined {
    return d.sources.length === 1 ? this.byList[d.requireTls ? 1 : 0]!.get(d.sources[0]!) : this.byKey.get(sourceKey(d, this.ids));
  }

  set(d: VHostDraft, vh: Json): void {
    if (d.sources.length === 1) this.byList[d.requireTls ? 1 : 0]!.set(d.sources[0]!, vh);
    else this.byKey.set(sourceKey(d, this.ids), vh);
  }
}

/** `attemptCount`: ProxyConfig proxyHeaders.attemptCount not disabled (x-envoy-attempt-count). */
function toVirtualHosts(drafts: Map<string, VHostDraft>, attemptCount: boolean): Json[] {
  const made = new VirtualHostsBySource();
  const uses = new Map<Json[], number>();
  const out: { name: string; vh: Json }[] = [];
  for (const host of [...drafts.keys()].sort()) {
    const d = drafts.get(host)!;
    const same = made.get(d);
    if (same) { (same.domains as string[]).push(host); continue; }
    const name = `${host}:${d.port}`;
    const vh: Json = { name, domains: [host], routes: draftRoutes(d), ...(attemptCount ? { include_request_attempt_count: true } : {}) };
    if (d.requireTls) vh.require_tls = 'ALL';
    made.set(d, vh);
    out.push({ name, vh });
    for (const routes of d.sources) uses.set(routes, (uses.get(routes) ?? 0) + 1);
  }
  // A route list in several virtual hosts: shared, so the encoder copies each route's bytes.
  for (const [routes, n] of uses) if (n > 1) shared(routes);
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).map((o) => o.vh);
}

export function buildGatewayRouteConfiguration(ctx: GatewayContext, name: string): XdsResource | undefined {
  const servers = ctx.merged.serversByRouteName.get(name);
  if (!servers || servers.length === 0) return undefined;
  const drafts = new Map<string, VHostDraft>();
  for (const gs of servers) addServer(ctx, gs, drafts);
  let virtualHosts = toVirtualHosts(drafts, ctx.proxyHeaders('gateway').includeAttemptCount);
  if (virtualHosts.length === 0) {
    const first = servers[0]!;
    ctx.diags.warn(first.gateway, `${first.path}.hosts`, `no VirtualService bound to the gateway routes these hosts: requests get 404 (virtual host blackhole:${first.server.port.number})`, name);
    virtualHosts = [{ name: `blackhole:${servers[0]!.server.port.number}`, domains: ['*'], routes: [] }];
  }
  return routeConfiguration(name, virtualHosts);
}
