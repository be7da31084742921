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
import type { Protocol } from '../../model/registry/types.js';
import type { Server } from '../../model/types/gateway.js';
import type { SidecarContext } from '../sidecar/context.js';
import { isHttpProtocol, isPassthrough, onListenerPort, parsedGateway, tlsMode, type GatewayServer } from './servers.js';

export { isHttpProtocol, isPassthrough, tlsMode, type GatewayServer } from './servers.js';

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
/** HTTP, or HTTPS that terminates TLS: served by an HTTP connection manager with RDS. */
export const isHttpServer = (s: Server, p: Protocol) => isHttpProtocol(p) || (p === 'HTTPS' && s.tls !== undefined && !isPassthrough(s));

/** The port the proxy listens on: its own Service's targetPort for that service port (first found), else as written. */
function resolvePort(ctx: SidecarContext, number: number): number {
  for (const inst of ctx.instances()) {
    if (inst.servicePort.port === number) return inst.endpoint.port;
  }
  return number;
}

const NONE: readonly string[] = Object.freeze([]);

class Merger {
  /** In the order their first server came. */
  readonly listeners: MergedListener[] = [];
  /** bind → port → listener (nested, so no key string is built per server). */
  private readonly byBind = new Map<string, Map<number, MergedListener>>();
  readonly byRoute = new Map<string, GatewayServer[]>();
  /** listener port → host → bind, for TLS host uniqueness. */
  private readonly tlsHosts = new Map<number, Map<string, string>>();
  autoPassthrough = false;

  constructor(private readonly ctx: SidecarContext) {}

  private skip(gs: GatewayServer, why: string): void {
    this.ctx.diags.warn(gs.gateway, gs.path, `${why}: server skipped`, `${gs.bind || '0.0.0.0'}_${gs.listenerPort}`);
  }

  private duplicateTlsHosts(gs: GatewayServer): readonly string[] {
    let known = this.tlsHosts.get(gs.listenerPort);
    if (!known) this.tlsHosts.set(gs.listenerPort, (known = new Map()));
    let dups: string[] | undefined;
    for (const h of gs.hosts) if (known.get(h) === gs.bind) (dups ??= []).push(h);
    if (dups) return dups;
    for (const h of gs.hosts) known.set(h, gs.bind);
    return NONE;
  }

  private listenerOf(gs: GatewayServer): MergedListener | undefined {
    return this.byBind.get(gs.bind)?.get(gs.listenerPort);
  }

  private addListener(gs: GatewayServer): void {
    const l: MergedListener = { port: gs.listenerPort, bind: gs.bind, plaintext: !isTlsServer(gs.server, gs.protocol), servers: [gs] };
    let byPort = this.byBind.get(gs.bind);
    if (!byPort) this.byBind.set(gs.bind, (byPort = new Map()));
    byPort.set(gs.listenerPort, l);
    this.listeners.push(l);
  }

  add(gs: GatewayServer): void {
    if (gs.server.tls !== undefined) {
      const dups = this.duplicateTlsHosts(gs);
      if (dups.length > 0) return this.skip(gs, `host ${dups.join(', ')} is already served with TLS on port ${gs.listenerPort}`);
      if (tlsMode(gs.server) === 'AUTO_PASSTHROUGH') this.autoPassthrough = true;
    }
    const existing = this.listenerOf(gs);
    if (!existing) {
      this.addListener(gs);
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

/** Listener ports resolved once per merge (the proxy's instances are the same for every server). */
function portResolver(ctx: SidecarContext): (number: number) => number {
  const ports = new Map<number, number>();
  return (number) => {
    let port = ports.get(number);
    if (port === undefined) ports.set(number, (port = resolvePort(ctx, number)));
    return port;
  };
}

export function mergeGateways(ctx: SidecarContext, gateways: readonly ConfigObject[]): MergedGateway {
  const merger = new Merger(ctx);
  const listenerPort = portResolver(ctx);
  for (const gw of gateways) {
    const { servers, portless } = parsedGateway(gw);
    for (const path of portless) ctx.diags.warn(gw, `${path}.port`, 'server has no port: skipped');
    for (const gs of servers) merger.add(onListenerPort(gs, listenerPort(gs.listenerPort)));
  }
  return {
    listeners: merger.listeners,
    serversByRouteName: merger.byRoute,
    hasAutoPassthrough: merger.autoPassthrough,
    gateways,
  };
}
