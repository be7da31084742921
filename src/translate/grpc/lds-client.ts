/**
 * Client listeners (gRFC A27): one api_listener per dialed `<host>:<port>`, with an
 * HttpConnectionManager that fetches its routes over ADS. The route configuration is named as
 * Istio names it, `outbound|<port>||<fqdn>`, so every short form of one service shares one RDS
 * resource. http_filters are the fault filter then the router: gRPC applies per-route fault
 * config only when the fault filter is present, and requires the router last.
 */
import { isIP } from 'node:net';
import type { MeshService, MeshServicePort } from '../../model/registry/types.js';
import { TypeUrl } from '../type-urls.js';
import type { XdsResource } from '../types.js';
import { buildClusterName } from '../common/cluster-name.js';
import { adsConfigSource, AnyType, FilterName } from '../common/any-types.js';
import type { GrpcContext } from './context.js';
import { portOf } from './context.js';
import type { ListenerName } from './listener-names.js';

export function clientHttpFilters(): Record<string, unknown>[] {
  return [
    { name: FilterName.Fault, typed_config: { '@type': AnyType.HttpFault } },
    { name: FilterName.Router, typed_config: { '@type': AnyType.Router } },
  ];
}

/** The VIP when it is a single IP, else 0.0.0.0 (headless, DNS-only); gRPC does not use it. */
function listenerAddress(service: MeshService): string {
  return service.addresses.find((a) => isIP(a) !== 0) ?? '0.0.0.0';
}

export function buildClientListener(name: string, service: MeshService, port: MeshServicePort): XdsResource {
  const hcm = {
    '@type': AnyType.HttpConnectionManager,
    // gRPC ignores stat_prefix, but Envoy's validate rules require one (min_len 1).
    stat_prefix: 'outbound_grpc',
    http_filters: clientHttpFilters(),
    rds: { config_source: adsConfigSource(), route_config_name: buildClusterName(port.port, '', service.hostname) },
  };
  return {
    name,
    body: {
      '@type': TypeUrl.Listener,
      name,
      address: { socket_address: { address: listenerAddress(service), port_value: port.port } },
      api_listener: { api_listener: hcm },
    },
  };
}

/** The listener for a requested client name, or undefined (absent) when nothing visible matches. */
export function clientListenerFor(ctx: GrpcContext, requested: Extract<ListenerName, { kind: 'client' }>): XdsResource | undefined {
  const service = ctx.resolveDialedHost(requested.host);
  if (!service) return undefined;
  if (requested.port === undefined) {
    // A target without a port reaches a single-port service only.
    const only = service.ports.length === 1 ? service.ports[0] : undefined;
    return only ? buildClientListener(requested.name, service, only) : undefined;
  }
  const port = portOf(service, requested.port);
  return port ? buildClientListener(requested.name, service, port) : undefined;
}

/**
 * Wildcard LDS, as Istio's grpcgen answers it: a listener named `<fqdn>:<port>` for every port
 * of every service visible to the proxy's namespace (no server listeners: those are always named).
 */
export function allClientListeners(ctx: GrpcContext): XdsResource[] {
  return ctx.snapshot.servicesVisibleTo(ctx.namespace)
    // Two ServiceEntries may share a host: the one a lookup by name would pick stands for both.
    .filter((service) => ctx.serviceForHost(service.hostname) === service)
    .flatMap((service) => service.ports.map((port) => buildClientListener(`${service.hostname}:${port.port}`, service, port)));
}
