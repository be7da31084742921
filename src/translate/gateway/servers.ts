/**
 * A Gateway's servers as merging reads them (protocol, sanitized and SNI hosts, route name),
 * parsed once per Gateway object. Every router merges all the Gateways selecting it, so without
 * this each proxy, xDS type and generator re-parsed the same servers. Config objects are
 * immutable and keep their identity across snapshots while unchanged, so a WeakMap keyed by the
 * object is a pure memo that dies with the object.
 */
import type { ConfigObject } from '../../model/config.js';
import { parseProtocol } from '../../model/registry/protocol.js';
import type { Protocol } from '../../model/registry/types.js';
import type { GatewaySpec, Server } from '../../model/types/gateway.js';
import { hostPart, sanitizeServerHosts } from './hosts.js';

const HTTP_PROTOCOLS: ReadonlySet<Protocol> = new Set<Protocol>(['HTTP', 'HTTP2', 'GRPC', 'GRPC-Web', 'HTTP_PROXY']);
export const isHttpProtocol = (p: Protocol) => HTTP_PROTOCOLS.has(p);

/** The server's TLS mode; unset is PASSTHROUGH (the API's zero value). */
export const tlsMode = (s: Server) => s.tls?.mode ?? 'PASSTHROUGH';
export const isPassthrough = (s: Server) => s.tls !== undefined && (tlsMode(s) === 'PASSTHROUGH' || tlsMode(s) === 'AUTO_PASSTHROUGH');

/** One server of one Gateway, with what merging decided for it. */
export interface GatewayServer {
  readonly gateway: ConfigObject;
  /** `<namespace>/<name>`, as VirtualServices name gateways once resolved. */
  readonly gatewayName: string;
  readonly server: Server;
  /** `spec.servers[i]`, for diagnostics. */
  readonly path: string;
  readonly protocol: Protocol;
  /** Sanitized hosts (`ns/host` or `host`); shared by every proxy: builders copy before changing. */
  readonly hosts: readonly string[];
  /** SNI server names: hosts without namespace, unique, sorted. */
  readonly sniHosts: readonly string[];
  /** The port the proxy listens on for this server. */
  readonly listenerPort: number;
  readonly bind: string;
  /** RDS name for HTTP and TLS-terminating HTTPS servers, '' otherwise. */
  readonly routeName: string;
}

export interface ParsedGateway {
  /** `<namespace>/<name>`, as VirtualServices name gateways once resolved. */
  readonly gatewayName: string;
  /**
   * The valid servers as a proxy listening on the declared ports sees them (the common case);
   * a proxy whose Service maps a port elsewhere gets copies (`onListenerPort`).
   */
  readonly servers: readonly GatewayServer[];
  /** Paths (`spec.servers[i]`) of servers without a usable port, reported per proxy. */
  readonly portless: readonly string[];
}

function uniqueSorted(xs: string[]): string[] {
  xs.sort();
  return xs.filter((x, i) => i === 0 || x !== xs[i - 1]);
}

function routeName(s: Server, p: Protocol, listenerPort: number, gw: ConfigObject): string {
  const bind = s.bind ? `.${s.bind}` : '';
  if (isHttpProtocol(p)) return `http.${listenerPort}${bind}`;
  if (p === 'HTTPS' && s.tls !== undefined && !isPassthrough(s)) return `https.${s.port.number}.${s.port.name}.${gw.metadata.name}.${gw.metadata.namespace}${bind}`;
  return '';
}

function parseServer(gw: ConfigObject, gatewayName: string, server: Server, path: string): GatewayServer {
  const protocol = parseProtocol(server.port.protocol);
  const hosts = sanitizeServerHosts(server.hosts ?? [], gw.metadata.namespace);
  const listenerPort = server.port.number;
  // One object serves every proxy and merge while the Gateway lives: readonly, never changed.
  return {
    gateway: gw, gatewayName, server, path, protocol, listenerPort,
    hosts,
    sniHosts: uniqueSorted(hosts.map(hostPart)),
    bind: server.bind ?? '',
    routeName: routeName(server, protocol, listenerPort, gw),
  };
}

/** `gs` for a proxy that listens for its server port on `listenerPort`. */
export function onListenerPort(gs: GatewayServer, listenerPort: number): GatewayServer {
  if (listenerPort === gs.listenerPort) return gs;
  return { ...gs, listenerPort, routeName: routeName(gs.server, gs.protocol, listenerPort, gs.gateway) };
}

function parseGateway(gw: ConfigObject): ParsedGateway {
  const gatewayName = `${gw.metadata.namespace}/${gw.metadata.name}`;
  const servers: GatewayServer[] = [];
  const portless: string[] = [];
  const specServers = (gw.spec as unknown as GatewaySpec).servers ?? [];
  for (let i = 0; i < specServers.length; i++) {
    const server = specServers[i]!;
    const path = `spec.servers[${i}]`;
    if (!server?.port || !Number.isInteger(server.port.number)) portless.push(path);
    else servers.push(parseServer(gw, gatewayName, server, path));
  }
  return { gatewayName, servers, portless };
}

const parsed = new WeakMap<ConfigObject, ParsedGateway>();

/** The Gateway's servers, parsed on first use and kept as long as the Gateway object lives. */
export function parsedGateway(gw: ConfigObject): ParsedGateway {
  let found = parsed.get(gw);
  if (!found) parsed.set(gw, (found = parseGateway(gw)));
  return found;
}
