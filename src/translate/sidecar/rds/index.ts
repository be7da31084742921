/**
 * Sidecar route configurations (RDS), named as the outbound listeners ask for them, and built
 * from the Sidecar egress listener each serves (Istio's GetEgressListenerForRDS: the first
 * egress listener with that port, else the catch-all one; for a Unix socket, the one with that
 * bind):
 * - `<port>`: virtual hosts for every service of the listener on that port (see
 *   virtual-hosts.ts), then the catch-all `allow_any` / `block_all`;
 * - `<host>:<port>`: a sniffed (auto) port's own configuration: only that service's virtual
 *   host, answering every authority (domains ['*']), and no catch-all;
 * - an HTTP_PROXY egress listener's `<port>` and a Unix socket's `unix://<path>` span every
 *   port: each service HTTP port's virtual host with `:<port>` domains (port 80's also without),
 *   then the catch-all.
 * The fields Istio sets for sidecars: no cluster validation, ports ignored in host matching,
 * 1 MiB direct response bodies. Any other name is not ours: undefined.
 */
import { shared } from '../../common/shared.js';
import { TypeUrl } from '../../type-urls.js';
import type { XdsResource } from '../../types.js';
import type { SidecarContext } from '../context.js';
import { carriesHttp } from '../protocol.js';
import type { EgressListenerScope } from '../scope.js';
import { buildCatchAllVirtualHost } from './default-route.js';
import { listView, proxyView, type RouteView } from './select.js';
import type { Json } from './types.js';
import { buildVirtualHosts } from './virtual-hosts.js';

// On every route configuration: shared, so the encoder copies their bytes.
const VALIDATE_CLUSTERS = shared({ value: false });
const MAX_DIRECT_RESPONSE_BODY_BYTES = shared({ value: 1024 * 1024 });
const UNIX_PREFIX = 'unix://';

function routePort(name: string): number | undefined {
  if (!/^\d{1,5}$/.test(name)) return undefined;
  const port = Number(name);
  return port >= 1 && port <= 65535 && String(port) === name ? port : undefined;
}

interface ParsedName {
  /** The listener port the name refers to (0 for a Unix socket). */
  readonly port: number;
  /** Set for a sniffed port's `<host>:<port>`. */
  readonly sniffedHost?: string;
}

function parseRouteName(name: string): ParsedName | undefined {
  if (name.startsWith(UNIX_PREFIX)) return name.length > UNIX_PREFIX.length ? { port: 0 } : undefined;
  const port = routePort(name);
  if (port !== undefined) return { port };
  const colon = name.lastIndexOf(':');
  if (colon <= 0) return undefined;
  const sniffedPort = routePort(name.slice(colon + 1));
  return sniffedPort === undefined ? undefined : { port: sniffedPort, sniffedHost: name.slice(0, colon) };
}

/** Istio's GetEgressListenerForRDS, with the listener's index. */
function egressListenerFor(ctx: SidecarContext, port: number, name: string): { el: EgressListenerScope; index: number } | undefined {
  const listeners = ctx.scope.egressListeners;
  for (let index = 0; index < listeners.length; index++) {
    const el = listeners[index]!;
    const declared = el.listener?.port;
    if (!el.listener || !declared) return { el, index };
    if ((declared.number ?? 0) !== port) continue;
    if (port !== 0 || el.listener.bind === name) return { el, index };
  }
  return undefined;
}

function viewOf(ctx: SidecarContext, el: EgressListenerScope, index: number): RouteView {
  return el.listener ? ctx.memo(`rds.view:egress${index}`, () => listView(`egress${index}`, el.services.filter((svc) => svc.externalName === undefined), el.virtualServices)) : proxyView(ctx);
}

const spansPorts = (el: EgressListenerScope, port: number) => port === 0 || el.listener?.port?.protocol?.toUpperCase() === 'HTTP_PROXY';

const byName = (a: Json, b: Json) => (String(a.name) < String(b.name) ? -1 : String(a.name) > String(b.name) ? 1 : 0);

/** Every HTTP port's virtual hosts with port-qualified domains; off port 80 only those (Istio's merge). */
function allPortVirtualHosts(ctx: SidecarContext, view: RouteView): Json[] {
  const ports = [...new Set(view.services.flatMap((s) => s.ports.filter((p) => carriesHttp(p.protocol)).map((p) => p.port)))].sort((a, b) => a - b);
  const names = new Set<string>();
  const domains = new Set<string>(['*']);
  const out: Json[] = [];
  for (const port of ports) {
    for (const vh of buildVirtualHosts(ctx, port, view, true)) {
      const kept = (vh.domains as string[]).filter((d) => (port === 80 || d.includes(':')) && !domains.has(d.toLowerCase()));
      if (kept.length === 0 || names.has(String(vh.name))) continue;
      names.add(String(vh.name));
      for (const d of kept) domains.add(d.toLowerCase());
      out.push({ ...vh, domains: kept });
    }
  }
  return out.sort(byName);
}

/** A port's virtual hosts for a view, built once per generate() (every sniffed `<host>:<port>` name reads them). */
function portVirtualHosts(ctx: SidecarContext, view: RouteView, port: number): Json[] {
  return ctx.memo(`rds.vhosts:${view.key}:${port}`, () => buildVirtualHosts(ctx, port, view));
}

/** The port's virtual hosts by each of their domains. */
function virtualHostsByDomain(ctx: SidecarContext, view: RouteView, port: number): Map<string, Json[]> {
  return ctx.memo(`rds.vhostsByDomain:${view.key}:${port}`, () => {
    const index = new Map<string, Json[]>();
    for (const vh of portVirtualHosts(ctx, view, port)) {
      for (const d of new Set(vh.domains as string[])) index.set(d, [...(index.get(d) ?? []), vh]);
    }
    return index;
  });
}

function sniffedVirtualHosts(ctx: SidecarContext, view: RouteView, host: string, port: number): Json[] {
  const index = virtualHostsByDomain(ctx, view, port);
  const matching = [...new Set([...(index.get(host) ?? []), ...(index.get(`${host}:${port}`) ?? [])])];
  matching.sort(byName);
  return matching.length === 1 ? [{ ...matching[0], domains: ['*'] }] : matching;
}

function virtualHostsFor(ctx: SidecarContext, name: string, parsed: ParsedName): Json[] | undefined {
  const found = egressListenerFor(ctx, parsed.port, name);
  if (!found) return undefined;
  const view = viewOf(ctx, found.el, found.index);
  if (parsed.sniffedHost !== undefined) return sniffedVirtualHosts(ctx, view, parsed.sniffedHost, parsed.port);
  const hosts = spansPorts(found.el, parsed.port) ? allPortVirtualHosts(ctx, view) : portVirtualHosts(ctx, view, parsed.port);
  return [...hosts, buildCatchAllVirtualHost(ctx)];
}

export function buildRouteConfiguration(ctx: SidecarContext, name: string): XdsResource | undefined {
  const parsed = parseRouteName(name);
  const virtualHosts = parsed ? virtualHostsFor(ctx, name, parsed) : undefined;
  if (!virtualHosts) return undefined;
  return routeConfiguration(name, virtualHosts);
}

/** A RouteConfiguration with Istio's settings (sidecars and gateways alike). */
export function routeConfiguration(name: string, virtualHosts: readonly Json[]): XdsResource {
  return {
    name,
    body: {
      '@type': TypeUrl.RouteConfiguration,
      name,
      virtual_hosts: virtualHosts,
      validate_clusters: VALIDATE_CLUSTERS,
      max_direct_response_body_size_bytes: MAX_DIRECT_RESPONSE_BODY_BYTES,
      ignore_port_in_host_matching: true,
    },
  };
}
