/**
 * Inbound chain configs (one per workload port: the proxy's service instances, or the Sidecar's
 * ingress listeners when it has any; the older service wins a port two services share) and the
 * filter chains each gets: an HttpConnectionManager with an inline route to
 * `inbound|<port>||` for HTTP, tcp_proxy for TCP, mTLS terminated where the mode asks.
 */
import type { ConfigObject } from '../../../model/config.js';
import type { Protocol } from '../../../model/registry/types.js';
import { parseProtocol } from '../../../model/registry/protocol.js';
import { buildClusterName } from '../../common/cluster-name.js';
import { effectiveMtls } from '../../common/peer-authentication.js';
import { configMetadata } from '../../common/provenance.js';
import type { SidecarContext } from '../context.js';
import { isHttp2, portKind } from '../protocol.js';
import { inboundMtlsContext, tlsTransportSocket } from './downstream-tls.js';
import { Clusters, tcpProxyFilter, type Json } from './filters.js';
import { inboundHttpManager } from './http-manager.js';
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
}

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
    });
  }
  return [...byPort.values()];
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
    byPort.set(port, {
      targetPort: port, servicePort: port,
      hostname: sidecar ? `${sidecar.metadata.name}.${sidecar.metadata.namespace}` : '',
      protocol: parseProtocol(ing.port.protocol), cluster: buildClusterName(port, '', '', 'inbound'), passthrough: false,
      ...(sidecar ? { provenance: sidecar } : {}),
    });
  });
  return [...byPort.values()];
}

/** The workload's own port chain configs, by target port. */
export function inboundChainConfigs(ctx: SidecarContext): InboundChainConfig[] {
  const configs = ctx.scope.ingress.length > 0 ? fromSidecarIngress(ctx) : fromInstances(ctx);
  return configs.sort((a, b) => a.targetPort - b.targetPort);
}

export function passthroughConfig(targetPort: number): InboundChainConfig {
  return { targetPort, servicePort: 0, hostname: '', protocol: 'UnsupportedProtocol', cluster: Clusters.InboundPassthrough, passthrough: true };
}

function chainName(cc: InboundChainConfig, protocol: 'http' | 'tcp'): string {
  if (cc.passthrough) return protocol === 'http' ? 'virtualInbound-catchall-http' : 'virtualInbound';
  return `0.0.0.0_${cc.targetPort}`;
}

function filtersFor(ctx: SidecarContext, cc: InboundChainConfig, protocol: 'http' | 'tcp'): Json[] {
  if (protocol === 'tcp') return [tcpProxyFilter(cc.cluster, cc.cluster)];
  const statPrefix = cc.passthrough ? cc.cluster : `inbound_0.0.0.0_${cc.targetPort}`;
  return [inboundHttpManager(ctx.mesh, statPrefix, { cluster: cc.cluster, servicePort: cc.servicePort, hostname: cc.hostname, http2: isHttp2(cc.protocol) })];
}

function chainFor(ctx: SidecarContext, cc: InboundChainConfig, o: InboundMatchOption): Json {
  const match: Json = {
    ...(cc.targetPort > 0 ? { destination_port: { value: cc.targetPort } } : {}),
    transport_protocol: o.transport,
    ...(o.alpn ? { application_protocols: [...o.alpn] } : {}),
  };
  return {
    name: chainName(cc, o.protocol),
    filter_chain_match: match,
    filters: filtersFor(ctx, cc, o.protocol),
    ...(o.mtls ? { transport_socket: tlsTransportSocket(inboundMtlsContext(ctx.mesh)) } : {}),
    ...(cc.provenance ? { metadata: configMetadata(cc.provenance) } : {}),
  };
}

/** Filter chains of one chain config under the PeerAuthentication mode for its port. */
export function chainsFor(ctx: SidecarContext, cc: InboundChainConfig, portForMode: number | undefined): Json[] {
  const kind = portKind(cc.protocol);
  if (kind === 'none') return [];
  const { mode } = effectiveMtls(ctx.snapshot, ctx.namespace, ctx.proxy.metadata.labels, portForMode);
  return inboundMatchOptions(mode, kind).map((o) => chainFor(ctx, cc, o));
}
