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
import { isCatchAll } from '../sidecar/rds/match.js';
import { buildVirtualServiceRoutes } from '../sidecar/rds/routes.js';
import { TypeUrl } from '../type-urls.js';
import type { XdsResource } from '../types.js';
import { forGateway, virtualServicesForGateway } from './bindings.js';
import type { GatewayContext } from './context.js';
import { hostPart, hostsForNamespace, intersectHosts } from './hosts.js';
import type { GatewayServer } from './merge.js';

type Json = Record<string, unknown>;

const MAX_DIRECT_RESPONSE_BODY_BYTES = 1024 * 1024;

interface VHostDraft {
  readonly host: string;
  readonly port: number;
  routes: Json[];
  /** Which (gateway, VirtualService) route lists built it, in order: equal keys mean equal routes. */
  sources: string[];
  requireTls: boolean;
}

function routesFor(ctx: GatewayContext, gs: GatewayServer, vsKey: string, build: () => Json[]): Json[] {
  return ctx.memo(`gw.routes:${gs.gatewayName}:${vsKey}:${gs.server.port.number}`, build);
}

function addServer(ctx: GatewayContext, gs: GatewayServer, drafts: Map<string, VHostDraft>): void {
  const port = gs.server.port.number;
  const redirect = gs.server.tls?.httpsRedirect === true;
  for (const vs of virtualServicesForGateway(ctx, gs.gatewayName)) {
    const ns = vs.config.metadata.namespace;
    const hosts = intersectHosts(hostsForNamespace(gs.hosts, ns), vs.hosts);
    if (hosts.length === 0) continue;
    const vsKey = `${ns}/${vs.config.metadata.name}`;
    const routes = routesFor(ctx, gs, vsKey, () => buildVirtualServiceRoutes(ctx, forGateway(ctx, vs, gs.gatewayName), port));
    for (const host of hosts) {
      const found = drafts.get(host);
      if (found) {
        found.routes.push(...routes);
        found.sources.push(`${gs.gatewayName}|${vsKey}|${port}`);
        found.requireTls ||= redirect;
      } else drafts.set(host, { host, port, routes: [...routes], sources: [`${gs.gatewayName}|${vsKey}|${port}`], requireTls: redirect });
    }
  }
  if (!redirect) return;
  for (const raw of gs.hosts) {
    const host = hostPart(raw);
    const found = drafts.get(host);
    if (found) found.requireTls = true;
    else drafts.set(host, { host, port, routes: [], sources: [], requireTls: true });
  }
}

/** Catch-all routes last, each group in order (Istio's SortVHostRoutes). */
function catchAllLast(routes: readonly Json[]): Json[] {
  const catchAll = routes.filter((r) => isCatchAll(r.match as Json));
  return [...routes.filter((r) => !isCatchAll(r.match as Json)), ...catchAll];
}

function toVirtualHosts(drafts: Map<string, VHostDraft>): Json[] {
  const byKey = new Map<string, Json>();
  const out: Json[] = [];
  for (const host of [...drafts.keys()].sort()) {
    const d = drafts.get(host)!;
    const key = `${d.sources.join(';')}|${d.requireTls}`;
    const same = byKey.get(key);
    if (same) { (same.domains as string[]).push(host); continue; }
    const vh: Json = { name: `${host}:${d.port}`, domains: [host], routes: catchAllLast(d.routes), include_request_attempt_count: true };
    if (d.requireTls) vh.require_tls = 'ALL';
    byKey.set(key, vh);
    out.push(vh);
  }
  return out.sort((a, b) => (String(a.name) < String(b.name) ? -1 : String(a.name) > String(b.name) ? 1 : 0));
}

export function buildGatewayRouteConfiguration(ctx: GatewayContext, name: string): XdsResource | undefined {
  const servers = ctx.merged.serversByRouteName.get(name);
  if (!servers || servers.length === 0) return undefined;
  const drafts = new Map<string, VHostDraft>();
  for (const gs of servers) addServer(ctx, gs, drafts);
  let virtualHosts = toVirtualHosts(drafts);
  if (virtualHosts.length === 0) {
    const first = servers[0]!;
    ctx.diags.warn(first.gateway, `${first.path}.hosts`, `no VirtualService bound to the gateway routes these hosts: requests get 404 (virtual host blackhole:${first.server.port.number})`, name);
    virtualHosts = [{ name: `blackhole:${servers[0]!.server.port.number}`, domains: ['*'], routes: [] }];
  }
  return {
    name,
    body: {
      '@type': TypeUrl.RouteConfiguration,
      name,
      virtual_hosts: virtualHosts,
      validate_clusters: { value: false },
      max_direct_response_body_size_bytes: { value: MAX_DIRECT_RESPONSE_BODY_BYTES },
      ignore_port_in_host_matching: true,
    },
  };
}
