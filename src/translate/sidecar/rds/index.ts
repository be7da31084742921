/**
 * Sidecar route configurations (RDS), named by outbound port: `<port>` serves the
 * `0.0.0.0_<port>` HTTP listener. Virtual hosts for every service on that port (see
 * virtual-hosts.ts), then the catch-all `allow_any` / `block_all`; the route configuration
 * fields Istio sets for sidecars (no cluster validation, ports ignored in host matching,
 * 1 MiB direct response bodies). A sniffed (auto) port's filter chain asks for `<host>:<port>`
 * instead, as in Istio: only that service's virtual host, answering every authority (domains
 * ['*']), and no catch-all. Any other name is not ours: undefined.
 */
import { TypeUrl } from '../../type-urls.js';
import type { XdsResource } from '../../types.js';
import type { SidecarContext } from '../context.js';
import { buildCatchAllVirtualHost } from './default-route.js';
import { buildVirtualHosts } from './virtual-hosts.js';

const MAX_DIRECT_RESPONSE_BODY_BYTES = 1024 * 1024;

function routePort(name: string): number | undefined {
  if (!/^\d{1,5}$/.test(name)) return undefined;
  const port = Number(name);
  return port >= 1 && port <= 65535 && String(port) === name ? port : undefined;
}

/** `<host>:<port>` (a sniffed port's route name) → its parts. */
function sniffedRoute(name: string): { host: string; port: number } | undefined {
  const colon = name.lastIndexOf(':');
  if (colon <= 0) return undefined;
  const port = routePort(name.slice(colon + 1));
  return port === undefined ? undefined : { host: name.slice(0, colon), port };
}

function sniffedVirtualHosts(ctx: SidecarContext, host: string, port: number): Record<string, unknown>[] {
  const matching = buildVirtualHosts(ctx, port).filter((vh) => (vh.domains as string[]).some((d) => d === host || d === `${host}:${port}`));
  return matching.length === 1 ? [{ ...matching[0], domains: ['*'] }] : matching;
}

export function buildRouteConfiguration(ctx: SidecarContext, name: string): XdsResource | undefined {
  const port = routePort(name);
  const sniffed = port === undefined ? sniffedRoute(name) : undefined;
  if (port === undefined && !sniffed) return undefined;
  const virtualHosts = sniffed ? sniffedVirtualHosts(ctx, sniffed.host, sniffed.port) : [...buildVirtualHosts(ctx, port!), buildCatchAllVirtualHost(ctx)];
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
