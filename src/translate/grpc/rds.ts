/**
 * Route configurations for proxyless gRPC, one per service port, named as the client listener
 * names them (`outbound|<port>||<fqdn>`; `<host>:<port>` is accepted too). One virtual host,
 * `<fqdn>:<port>`, whose domains hold every form a client in the proxy's namespace may have dialed
 * (gRPC picks the virtual host by the dialed authority), with routes from the VirtualService for
 * that host, or Istio's default route to `outbound|<port>||<fqdn>`.
 */
import { isIP } from 'node:net';
import type { IndexedVirtualService } from '../../model/index/virtual-service-index.js';
import type { MeshService, MeshServicePort } from '../../model/registry/types.js';
import { TypeUrl } from '../type-urls.js';
import type { XdsResource } from '../types.js';
import { buildClusterName, parseClusterName } from '../common/cluster-name.js';
import { portOf, type GrpcContext } from './context.js';
import { splitHostPort } from './listener-names.js';
import { consistentHashFor, hashPolicyFor } from './rds-hash.js';
import type { Json } from './rds-match.js';
import { buildRetryPolicy } from './rds-retry.js';
import { buildVirtualServiceRoutes } from './rds-routes.js';
import { ZERO_DURATION } from '../common/proto-values.js';

const withPort = (host: string, port: number) => `${host}:${port}`;
const bracketed = (ip: string) => (isIP(ip) === 6 ? `[${ip}]` : ip);

/**
 * Istio's alternative names for a Kubernetes service seen from namespace `proxyNs`: `name`,
 * `name.ns` and `name.ns.svc` in the same namespace; `name.ns` and `name.ns.svc` from others;
 * none for hosts outside `<ns>.svc.<domain>`. Each with and without the port.
 */
export function virtualHostDomains(service: MeshService, port: number, proxyNs: string, domain: string): string[] {
  const fqdn = service.hostname;
  const out = [fqdn, withPort(fqdn, port)];
  const suffix = `.svc.${domain}`;
  const local = fqdn.endsWith(suffix) ? fqdn.slice(0, -suffix.length).split('.') : [];
  if (local.length === 2) {
    const [name, ns] = local as [string, string];
    const forms = ns === proxyNs ? [name, `${name}.${ns}.svc`, `${name}.${ns}`] : [`${name}.${ns}`, `${name}.${ns}.svc`];
    for (const form of forms) out.push(form, withPort(form, port));
  }
  for (const vip of service.addresses.filter((a) => isIP(a) !== 0)) out.push(bracketed(vip), withPort(bracketed(vip), port));
  return [...new Set(out)];
}

/** The VirtualService for a host: one naming it exactly (oldest first), else the most specific wildcard. */
export function virtualServiceFor(ctx: GrpcContext, host: string): IndexedVirtualService | undefined {
  const forMesh = ctx.snapshot.virtualServices.forHost(ctx.namespace, host)
    .filter((vs) => vs.gateways.length === 0 || vs.gateways.includes('mesh'));
  const exact = forMesh.find((vs) => vs.hosts.includes(host));
  if (exact) return exact;
  let best: { vs: IndexedVirtualService; length: number } | undefined;
  for (const vs of forMesh) {
    for (const h of vs.hosts) {
      const covers = h === '*' || (h.startsWith('*') && host.endsWith(h.slice(1)));
      if (covers && (!best || h.length > best.length)) best = { vs, length: h.length };
    }
  }
  return best?.vs;
}

function defaultRoute(ctx: GrpcContext, service: MeshService, port: number): Json {
  const rule = ctx.destinationRuleFor(service);
  const hash = hashPolicyFor(ctx, rule, rule ? consistentHashFor(rule.spec, '', port) : undefined);
  const retry = buildRetryPolicy({ retry: ctx.mesh.defaultHttpRetryPolicy }, ctx.diags);
  return {
    name: 'default',
    match: { prefix: '/' },
    route: {
      cluster: buildClusterName(port, '', service.hostname),
      timeout: ZERO_DURATION,
      max_stream_duration: { max_stream_duration: ZERO_DURATION },
      ...(retry ? { retry_policy: retry } : {}),
      ...(hash ? { hash_policy: [hash] } : {}),
    },
  };
}

export function buildRouteConfiguration(ctx: GrpcContext, name: string, service: MeshService, port: MeshServicePort): XdsResource {
  const vs = virtualServiceFor(ctx, service.hostname);
  const fromVs = vs ? buildVirtualServiceRoutes(ctx, vs, port.port) : [];
  const routes = fromVs.length > 0 ? fromVs : [defaultRoute(ctx, service, port.port)];
  const virtualHost = { name: withPort(service.hostname, port.port), domains: virtualHostDomains(service, port.port, ctx.namespace, ctx.domain), routes };
  return { name, body: { '@type': TypeUrl.RouteConfiguration, name, virtual_hosts: [virtualHost] } };
}

/** The service and port a route name stands for, or undefined (absent). */
export function routeTarget(ctx: GrpcContext, name: string): { service: MeshService; port: MeshServicePort } | undefined {
  const parsed = parseClusterName(name);
  const service = parsed ? (parsed.direction === 'outbound' && parsed.subset === '' ? ctx.serviceForHost(parsed.host) : undefined) : undefined;
  if (parsed) {
    const port = service ? portOf(service, parsed.port) : undefined;
    return service && port ? { service, port } : undefined;
  }
  const { host, port: portNumber } = splitHostPort(name);
  const dialed = portNumber !== undefined && !Number.isNaN(portNumber) ? ctx.resolveDialedHost(host) : undefined;
  const port = dialed && portNumber !== undefined ? portOf(dialed, portNumber) : undefined;
  return dialed && port ? { service: dialed, port } : undefined;
}

export function routeConfigurationFor(ctx: GrpcContext, name: string): XdsResource | undefined {
  const target = routeTarget(ctx, name);
  return target ? buildRouteConfiguration(ctx, name, target.service, target.port) : undefined;
}
