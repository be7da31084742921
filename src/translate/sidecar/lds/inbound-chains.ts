/**
 * Inbound chain configs (one per workload port: the proxy's service instances, or the Sidecar's
 * ingress listeners when it has any; the older service wins a port two services share) and the
 * filter chains each gets: an HttpConnectionManager with an inline route to
 * `inbound|<port>||` for HTTP, tcp_proxy for TCP (behind the Mongo filter for `mongo` ports),
 * mTLS terminated where the mode asks.
 *
 * Sidecar ingress listeners, as Istio reads them: chains are named `<bind>_<port>` (bind: the
 * listener's, else the proxy's first global unicast IP, else 0.0.0.0); captureMode NONE (or
 * DEFAULT on a proxy that intercepts nothing) makes a real listener on bind:port instead of
 * chains in virtualInbound; `tls` terminates TLS with mounted files where the port's
 * PeerAuthentication mode is DISABLE. A proxy that intercepts nothing gets no inbound chains from
 * its service instances (the app already owns those ports).
 */
import type { ConfigObject } from '../../../model/config.js';
import type { Protocol } from '../../../model/registry/types.js';
import { parseProtocol } from '../../../model/registry/protocol.js';
import { meshAccessLogs } from '../../common/access-log.js';
import { buildClusterName } from '../../common/cluster-name.js';
import { effectiveMtls } from '../../common/peer-authentication.js';
import { configMetadata } from '../../common/provenance.js';
import { isIP } from 'node:net';
import type { ServerTLSSettings } from '../../../model/types/gateway.js';
import type { CaptureMode } from '../../../model/types/sidecar.js';
import type { Proxy } from '../../../model/proxy.js';
import type { SidecarContext } from '../context.js';
import { isHttp2, portKind } from '../protocol.js';
import { inboundMtlsContext, tlsTransportSocket } from './downstream-tls.js';
import { Clusters, tcpProxyFilter, Transport, withProtocolFilters, type Json } from './filters.js';
import { afterTlsTermination, ingressTlsContext, ingressTlsProblem } from './ingress-tls.js';
import { inboundHttpManager } from './http-manager.js';
import { inboundAuthzFilters } from './inbound-authz.js';
import { inboundMatchOptions, type InboundMatchOption } from './inbound-options.js';
import { byServiceAge } from './service-age.js';

export interface InboundChainConfig {
  /** Port the workload listens on (0 = any: the passthrough chains). */
  readonly targetPort: number;
  readonly servicePort: number;
  readonly hostname: string;
  readonly protocol: Protocol;
  readonly cluster: string;
  readonly passthrough: boolean;
  readonly provenance?: ConfigObject;
  /** Address in the chain name (and of the listener when bindToPort): 0.0.0.0 for service ports. */
  readonly bind: string;
  /** A real listener on bind:port rather than chains in virtualInbound. */
  readonly bindToPort: boolean;
  /** Sidecar ingress TLS termination (already checked). */
  readonly tls?: ServerTLSSettings;
  /** `spec.ingress[i]` of the Sidecar, for diagnostics. */
  readonly path?: string;
}

const WILDCARD = '0.0.0.0';

function fromInstances(ctx: SidecarContext): InboundChainConfig[] {
  const byPort = new Map<number, InboundChainConfig>();
  const order = byServiceAge(ctx);
  const instances = [...ctx.instances()].sort((a, b) => order(a.service, b.service) || a.endpoint.port - b.endpoint.port);
  for (const { service, servicePort, endpoint } of instances) {
    const old = byPort.get(endpoint.port);
    if (old) {
      if (old.protocol !== servicePort.protocol && old.hostname !== service.hostname) {
        ctx.diags.warn(service.origin, `spec.ports[${service.ports.indexOf(servicePort)}]`, `inbound port ${endpoint.port}: ${service.hostname} declares ${servicePort.protocol} but ${old.hostname} (older) declares ${old.protocol} for the same workload port; ${old.hostname}'s protocol is used`, 'virtualInbound');
      }
      continue;
    }
    byPort.set(endpoint.port, {
      targetPort: endpoint.port, servicePort: servicePort.port, hostname: service.hostname,
      protocol: servicePort.protocol, cluster: buildClusterName(endpoint.port, '', '', 'inbound'), passthrough: false,
      bind: WILDCARD, bindToPort: false,
    });
  }
  return [...byPort.values()];
}

/** Go's IsGlobalUnicast: not unspecified, loopback, link-local or multicast. */
function isGlobalUnicast(ip: string): boolean {
  if (isIP(ip) === 4) {
    const [a = 0, b = 0] = ip.split('.').map(Number);
    return !(a === 0 || a === 127 || (a === 169 && b === 254) || a >= 224);
  }
  const lower = ip.toLowerCase();
  return isIP(ip) === 6 && lower !== '::' && lower !== '::1' && !/^fe[89ab]/.test(lower) && !lower.startsWith('ff');
}

/** Where a Sidecar ingress listener without `bind` listens: the proxy's global unicast IP, else 0.0.0.0. */
function defaultIngressBind(proxy: Proxy): string {
  return proxy.ipAddresses.find(isGlobalUnicast) ?? WILDCARD;
}

/** Istio's getBindToPort: DEFAULT follows the proxy (no interception = real listeners). */
function bindsToPort(mode: CaptureMode | undefined, proxy: Proxy): boolean {
  if (!mode || mode === 'DEFAULT') return proxy.metadata.interceptionMode === 'NONE';
  return mode === 'NONE';
}

function ingressTls(ctx: SidecarContext, tls: ServerTLSSettings | undefined, path: string): ServerTLSSettings | undefined {
  if (!tls) return undefined;
  if (!ctx.features.tlsOnSidecarIngress) {
    ctx.diags.warn(ctx.scope.sidecar, `${path}.tls`, 'ignored: TLS on Sidecar ingress listeners is off (set ENABLE_TLS_ON_SIDECAR_INGRESS=true on istiod, as in Istio)');
    return undefined;
  }
  const problem = ingressTlsProblem(tls);
  if (!problem) return tls;
  ctx.diags.warn(ctx.scope.sidecar, `${path}.tls`, `${problem}: TLS is not terminated on this port`);
  return undefined;
}

function fromSidecarIngress(ctx: SidecarContext): InboundChainConfig[] {
  const sidecar = ctx.scope.sidecar;
  const byPort = new Map<number, InboundChainConfig>();
  ctx.scope.ingress.forEach((ing, i) => {
    const port = ing.port.number;
    if (!port) return;
    if (byPort.has(port)) {
      ctx.diags.warn(sidecar, `spec.ingress[${i}].port.number`, `port ${port} is already declared by an earlier ingress listener: skipped`, 'virtualInbound');
      return;
    }
    const path = `spec.ingress[${i}]`;
    const tls = ingressTls(ctx, ing.tls, path);
    byPort.set(port, {
      targetPort: port, servicePort: port,
      hostname: sidecar ? `${sidecar.metadata.name}.${sidecar.metadata.namespace}` : '',
      protocol: parseProtocol(ing.port.protocol), cluster: buildClusterName(port, '', '', 'inbound'), passthrough: false,
      ...(sidecar ? { provenance: sidecar } : {}),
      bind: ing.bind || defaultIngressBind(ctx.proxy),
      bindToPort: bindsToPort(ing.captureMode, ctx.proxy),
      ...(tls ? { tls } : {}),
      path,
    });
  });
  return [...byPort.values()];
}

/** The workload's own port chain configs, by target port. */
export function inboundChainConfigs(ctx: SidecarContext): InboundChainConfig[] {
  if (ctx.scope.ingress.length === 0 && ctx.proxy.metadata.interceptionMode === 'NONE') return [];
  const configs = ctx.scope.ingress.length > 0 ? fromSidecarIngress(ctx) : fromInstances(ctx);
  return configs.sort((a, b) => a.targetPort - b.targetPort);
}

export function passthroughConfig(targetPort: number): InboundChainConfig {
  return {
    targetPort, servicePort: 0, hostname: '', protocol: 'UnsupportedProtocol', cluster: Clusters.InboundPassthrough, passthrough: true,
    bind: WILDCARD, bindToPort: false,
  };
}

function chainName(cc: InboundChainConfig, protocol: 'http' | 'tcp'): string {
  if (cc.passthrough) return protocol === 'http' ? 'virtualInbound-catchall-http' : 'virtualInbound';
  return `${cc.bind}_${cc.targetPort}`;
}

function filtersFor(ctx: SidecarContext, cc: InboundChainConfig, protocol: 'http' | 'tcp'): Json[] {
  if (protocol === 'tcp') return [...inboundAuthzFilters(ctx, true), ...withProtocolFilters(cc.protocol, cc.cluster, tcpProxyFilter(cc.cluster, cc.cluster, { accessLog: meshAccessLogs(ctx.mesh).filter }))];
  const statPrefix = cc.passthrough ? cc.cluster : `inbound_${cc.bind}_${cc.targetPort}`;
  return [inboundHttpManager(ctx.mesh, statPrefix, { cluster: cc.cluster, servicePort: cc.servicePort, hostname: cc.hostname, http2: isHttp2(cc.protocol) }, inboundAuthzFilters(ctx, false), ctx.proxyHeaders('sidecar-inbound'))];
}

function transportSocket(ctx: SidecarContext, cc: InboundChainConfig, o: InboundMatchOption): Json | undefined {
  if (o.custom && cc.tls) return tlsTransportSocket(ingressTlsContext(ctx.mesh, cc.tls));
  return o.mtls ? tlsTransportSocket(inboundMtlsContext(ctx.mesh)) : undefined;
}

function chainFor(ctx: SidecarContext, cc: InboundChainConfig, o: InboundMatchOption): Json {
  const socket = transportSocket(ctx, cc, o);
  const match: Json = {
    ...(cc.targetPort > 0 ? { destination_port: { value: cc.targetPort } } : {}),
    transport_protocol: o.transport,
    ...(o.alpn ? { application_protocols: [...o.alpn] } : {}),
  };
  return {
    name: chainName(cc, o.protocol),
    filter_chain_match: match,
    filters: filtersFor(ctx, cc, o.protocol),
    ...(socket ? { transport_socket: socket } : {}),
    ...(cc.provenance ? { metadata: configMetadata(cc.provenance) } : {}),
  };
}

/** With user TLS: one chain on TLS connections that terminates it (the protocol as after termination). */
function customTlsChains(ctx: SidecarContext, cc: InboundChainConfig): Json[] {
  const protocol = afterTlsTermination(cc.protocol);
  const kind = portKind(protocol);
  if (kind === 'none') return [];
  const terminated = { ...cc, protocol };
  return [chainFor(ctx, terminated, { protocol: kind === 'http' ? 'http' : 'tcp', transport: Transport.Tls, mtls: false, custom: true })];
}

/** Filter chains of one chain config under the PeerAuthentication mode for its port. */
export function chainsFor(ctx: SidecarContext, cc: InboundChainConfig, portForMode: number | undefined): Json[] {
  const kind = portKind(cc.protocol);
  if (kind === 'none') return [];
  const { mode } = effectiveMtls(ctx.snapshot, ctx.namespace, ctx.proxy.metadata.labels, portForMode);
  if (cc.tls && mode === 'DISABLE') return customTlsChains(ctx, cc);
  if (cc.tls) ctx.diags.warn(ctx.scope.sidecar, `${cc.path ?? 'spec.ingress'}.tls`, `port ${cc.targetPort} uses mesh mTLS (PeerAuthentication mode ${mode}): Istio applies Sidecar ingress TLS only where the mode is DISABLE, so it is ignored`);
  return inboundMatchOptions(mode, kind).map((o) => chainFor(ctx, cc, o));
}
