/**
 * Istio's MergeGateways: the servers of every Gateway selecting the proxy, merged per listener
 * port. Each server port is first resolved to the port the proxy listens on (the targetPort of
 * the proxy's own Service with that port, else the number as written). Then, in Gateway order:
 * - TLS-carrying servers (and HTTP servers with `tls`, e.g. httpsRedirect) with a host already
 *   claimed on that port and bind are skipped (Envoy would see two identical SNI matches);
 * - plaintext HTTP servers on a port share one route configuration `http.<port>`;
 * - a plaintext server meeting a server it cannot merge with (different protocol, TCP with TCP)
 *   is skipped; so is a plaintext server on a port already serving TLS;
 * - HTTPS servers that terminate TLS each get `https.<port>.<portName>.<gateway>.<ns>`, and a
 *   repeated route name is skipped.
 * Every skipped server is reported against its Gateway.
 */
import type { ConfigObject } from '../../model/config.js';
import { parseProtocol } from '../../model/registry/protocol.js';
import type { Protocol } from '../../model/registry/types.js';
import type { GatewaySpec, Server } from '../../model/types/gateway.js';
import type { SidecarContext } from '../sidecar/context.js';
import { hostPart, sanitizeServerHosts } from './hosts.js';

const HTTP_PROTOCOLS: ReadonlySet<Protocol> = new Set<Protocol>(['HTTP', 'HTTP2', 'GRPC', 'GRPC-Web', 'HTTP_PROXY']);
export const isHttpProtocol = (p: Protocol) => HTTP_PROTOCOLS.has(p);

/** One server of one Gateway, with what merging decided for it. */
export interface GatewayServer {
  readonly gateway: ConfigObject;
  /** `<namespace>/<name>`, as VirtualServices name gateways once resolved. */
  readonly gatewayName: string;
  readonly server: Server;
  /** `spec.servers[i]`, for diagnostics. */
  readonly path: string;
  readonly protocol: Protocol;
  /** Sanitized hosts (`ns/host` or `host`). */
  readonly hosts: readonly string[];
  /** SNI server names: hosts without namespace, unique, sorted. */
  readonly sniHosts: readonly string[];
  /** The port the proxy listens on for this server. */
  readonly listenerPort: number;
  readonly bind: string;
  /** RDS name for HTTP and TLS-terminating HTTPS servers, '' otherwise. */
  readonly routeName: string;
}

/** The servers of one listener (bind and port), in merge order. */
export interface MergedListener {
  readonly port: number;
  readonly bind: string;
  /** true when the port serves plaintext (HTTP or TCP) servers, false for TLS-carrying ones. */
  readonly plaintext: boolean;
  readonly servers: GatewayServer[];
}

export interface MergedGateway {
  readonly listeners: readonly MergedListener[];
  readonly serversByRouteName: ReadonlyMap<string, readonly GatewayServer[]>;
  readonly hasAutoPassthrough: boolean;
  readonly gateways: readonly ConfigObject[];
}

/** Istio's IsTLSServer: `tls` set on a non-HTTP server. */
export const isTlsServer = (s: Server, p: Protocol) => s.tls !== undefined && !isHttpProtocol(p);
/** The server's TLS mode; unset is PASSTHROUGH (the API's zero value). */
export const tlsMode = (s: Server) => s.tls?.mode ?? 'PASSTHROUGH';
export const isPassthrough = (s: Server) => s.tls !== undefined && (tlsMode(s) === 'PASSTHROUGH' || tlsMode(s) === 'AUTO_PASSTHROUGH');
/** HTTP, or HTTPS that terminates TLS: served by an HTTP connection manager with RDS. */
export const isHttpServer = (s: Server, p: Protocol) => isHttpProtocol(p) || (p === 'HTTPS' && s.tls !== undefined && !isPassthrough(s));

function routeNameOf(s: Server, p: Protocol, listenerPort: number, gw: ConfigObject): string {
  const bind = s.bind ? `.${s.bind}` : '';
  if (isHttpProtocol(p)) return `http.${listenerPort}${bind}`;
  if (p === 'HTTPS' && s.tls !== undefined && !isPassthrough(s)) return `https.${s.port.number}.${s.port.name}.${gw.metadata.name}.${gw.metadata.namespace}${bind}`;
  return '';
}

/** The port the proxy listens on: its own Service's targetPort for that service port (first found), else as written. */
function resolvePort(ctx: SidecarContext, number: number): number {
  for (const inst of ctx.instances()) {
    if (inst.servicePort.port === number) return inst.endpoint.port;
  }
  return number;
}

class Merger {
  readonly listeners = new Map<string, MergedListener>();
  readonly byRoute = new Map<string, GatewayServer[]>();
  /** listener port → host → bind, for TLS host uniqueness. */
  private readonly tlsHosts = new Map<number, Map<string, string>>();
  autoPassthrough = false;

  constructor(private readonly ctx: SidecarContext) {}

  private skip(gs: GatewayServer, why: string): void {
    this.ctx.diags.warn(gs.gateway, gs.path, `${why}: server skipped`, `${gs.bind || '0.0.0.0'}_${gs.listenerPort}`);
  }

  private duplicateTlsHosts(gs: GatewayServer): string[] {
    let known = this.tlsHosts.get(gs.listenerPort);
    if (!known) this.tlsHosts.set(gs.listenerPort, (known = new Map()));
    const dups = gs.hosts.filter((h) => known.get(h) === gs.bind);
    if (dups.length === 0) for (const h of gs.hosts) known.set(h, gs.bind);
    return dups;
  }

  add(gs: GatewayServer): void {
    if (gs.server.tls !== undefined) {
      const dups = this.duplicateTlsHosts(gs);
      if (dups.length > 0) return this.skip(gs, `host ${dups.join(', ')} is already served with TLS on port ${gs.listenerPort}`);
      if (tlsMode(gs.server) === 'AUTO_PASSTHROUGH') this.autoPassthrough = true;
    }
    const key = `${gs.bind}|${gs.listenerPort}`;
    const existing = this.listeners.get(key);
    if (!existing) {
      this.listeners.set(key, { port: gs.listenerPort, bind: gs.bind, plaintext: !isTlsServer(gs.server, gs.protocol), servers: [gs] });
      if (gs.routeName) this.byRoute.set(gs.routeName, [gs]);
      return;
    }
    if (existing.plaintext) return this.addPlaintext(existing, gs);
    this.addTls(existing, gs);
  }

  private addPlaintext(l: MergedListener, gs: GatewayServer): void {
    const current = l.servers[0]!;
    const mergeable = (isHttpProtocol(current.protocol) || current.protocol === gs.protocol) && isHttpProtocol(gs.protocol);
    if (!mergeable) return this.skip(gs, `port ${gs.listenerPort} already has a ${current.protocol} server (${current.gatewayName} ${current.path}) it cannot be merged with`);
    l.servers.push(gs);
    const shared = this.byRoute.get(gs.routeName);
    if (shared) shared.push(gs);
    else this.byRoute.set(gs.routeName, [gs]);
  }

  private addTls(l: MergedListener, gs: GatewayServer): void {
    if (isHttpServer(gs.server, gs.protocol)) {
      if (this.byRoute.has(gs.routeName)) return this.skip(gs, `route configuration ${gs.routeName} is already used by another server (port names must differ)`);
    }
    if (gs.server.tls === undefined) return this.skip(gs, `port ${gs.listenerPort} already serves TLS; a server without tls cannot share it`);
    if (gs.routeName) this.byRoute.set(gs.routeName, [gs]);
    l.servers.push(gs);
  }
}

function uniqueSorted(xs: string[]): string[] {
  xs.sort();
  return xs.filter((x, i) => i === 0 || x !== xs[i - 1]);
}

function serversOf(ctx: SidecarContext, gw: ConfigObject): GatewayServer[] {
  const spec = gw.spec as unknown as GatewaySpec;
  const gatewayName = `${gw.metadata.namespace}/${gw.metadata.name}`;
  const out: GatewayServer[] = [];
  (spec.servers ?? []).forEach((server, i) => {
    const path = `spec.servers[${i}]`;
    if (!server?.port || !Number.isInteger(server.port.number)) {
      ctx.diags.warn(gw, `${path}.port`, 'server has no port: skipped');
      return;
    }
    const protocol = parseProtocol(server.port.protocol);
    const hosts = sanitizeServerHosts(server.hosts ?? [], gw.metadata.namespace);
    const listenerPort = resolvePort(ctx, server.port.number);
    out.push({
      gateway: gw, gatewayName, server, path, protocol, hosts, listenerPort,
      sniHosts: uniqueSorted(hosts.map(hostPart)),
      bind: server.bind ?? '',
      routeName: routeNameOf(server, protocol, listenerPort, gw),
    });
  });
  return out;
}

export function mergeGateways(ctx: SidecarContext, gateways: readonly ConfigObject[]): MergedGateway {
  const merger = new Merger(ctx);
  for (const gw of gateways) for (const gs of serversOf(ctx, gw)) merger.add(gs);
  return {
    listeners: [...merger.listeners.values()],
    serversByRouteName: merger.byRoute,
    hasAutoPassthrough: merger.autoPassthrough,
    gateways,
  };
}
