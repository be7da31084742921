/**
 * Inbound clusters `inbound|<port>||`, one per workload port:
 * - without Sidecar ingress listeners, one per endpoint port of the proxy's own service
 *   instances (none in interception mode NONE): ORIGINAL_DST to the original destination, bound
 *   to the passthrough source address (or STATIC to localhost with inboundTrafficPolicy LOCALHOST);
 * - with Sidecar ingress listeners, exactly those: `defaultEndpoint` `127.0.0.1:<port>` (or
 *   `0.0.0.0:<port>` = the pod IP, or `unix://<path>`) gives a STATIC cluster to that address.
 * Only the connection pool applies inbound: the service's DestinationRule, overridden by the
 * Sidecar's ingress or inboundConnectionPool settings.
 */
import type { ConnectionPoolSettings } from '../../../model/types/destination-rule.js';
import type { MeshService, MeshServicePort } from '../../../model/registry/types.js';
import type { IstioIngressListener, SidecarSpec } from '../../../model/types/sidecar.js';
import { patternedStatName } from './stat-name.js';
import { parseProtocol } from '../../../model/registry/protocol.js';
import { buildClusterName } from '../../common/cluster-name.js';
import { configPath } from '../../common/provenance.js';
import { policyForPort } from '../../common/traffic-policy.js';
import type { XdsResource } from '../../types.js';
import type { ServiceInstance, SidecarContext } from '../context.js';
import { portKind } from '../protocol.js';
import { applyConnectionPool } from './connection-pool.js';
import { finishDraft, istioMetadata, newDraft, type Json } from './draft.js';
import { fieldOrigin, type FieldOrigin } from './origin.js';
import { localhostFor, passthroughBindConfig, proxyIpv4, proxyIpv6, serviceMetadata, setUpstreamProtocol } from './shared.js';

/** Go's largest Duration in seconds: Istio disables ORIGINAL_DST host cleanup on inbound clusters. */
const NEVER_CLEANUP = { seconds: 9223372035, nanos: 0 };
const UNIX_PREFIX = 'unix://';

interface InboundTarget {
  readonly clusterPort: number;
  /** Where traffic goes: '' = the original destination; an IP; or `unix://<path>`. */
  readonly bind: string;
  readonly targetPort: number;
  readonly servicePort: MeshServicePort;
  /** The service whose DestinationRule applies; undefined for a Sidecar port no service declares. */
  readonly primary: MeshService | undefined;
  /** Services listed in the telemetry metadata. */
  readonly services: readonly MeshService[];
}

function address(bind: string, port: number): Json {
  if (bind.startsWith(UNIX_PREFIX)) return { pipe: { path: bind.slice(UNIX_PREFIX.length) } };
  return { socket_address: { address: bind, port_value: port } };
}

/** The Sidecar's pool for this port (its ingress listener's, else inboundConnectionPool), with its origin. */
function sidecarPool(ctx: SidecarContext, port: number, name: string): { pool: ConnectionPoolSettings; at: FieldOrigin } | undefined {
  const sidecar = ctx.scope.sidecar;
  if (!sidecar) return undefined;
  const index = ctx.scope.ingress.findIndex((l) => l.port?.number === port && l.connectionPool !== undefined);
  if (index >= 0) return { pool: ctx.scope.ingress[index]!.connectionPool!, at: fieldOrigin(ctx, sidecar, `spec.ingress[${index}].connectionPool`, name) };
  const pool = (sidecar.spec as SidecarSpec).inboundConnectionPool;
  return pool ? { pool, at: fieldOrigin(ctx, sidecar, 'spec.inboundConnectionPool', name) } : undefined;
}

function buildInboundCluster(ctx: SidecarContext, t: InboundTarget): XdsResource {
  const name = buildClusterName(t.clusterPort, '', '', 'inbound');
  const draft = newDraft(name, t.bind ? 'STATIC' : 'ORIGINAL_DST');
  if (t.bind) draft.cluster.load_assignment = { cluster_name: name, endpoints: [{ lb_endpoints: [{ endpoint: { address: address(t.bind, t.targetPort) } }] }] };
  else draft.cluster.cleanup_interval = { ...NEVER_CLEANUP };
  setUpstreamProtocol(draft, t.servicePort);
  if (t.primary && t.services.length > 0) istioMetadata(draft).services = t.services.map(serviceMetadata);

  const rule = t.primary ? ctx.destinationRuleFor(t.primary) : undefined;
  const rulePolicy = rule?.spec.trafficPolicy ? policyForPort(rule.spec.trafficPolicy, t.servicePort.port) : undefined;
  if (rulePolicy && rule?.source && draft.cluster.metadata) istioMetadata(draft).config = configPath(rule.source);
  const fromSidecar = sidecarPool(ctx, t.clusterPort, name);
  const fromRule = fieldOrigin(ctx, rule?.source, 'spec.trafficPolicy.connectionPool', name);
  applyConnectionPool(draft, ctx.mesh, fromSidecar?.pool ?? rulePolicy?.connectionPool, fromSidecar?.at ?? fromRule);

  if (t.primary) {
    const statName = patternedStatName(ctx.mesh.inboundClusterStatName, { service: t.primary, port: t.servicePort, subset: '', targetPort: t.clusterPort });
    if (statName) draft.cluster.alt_stat_name = statName;
  }
  if (!t.bind) draft.cluster.lb_policy = 'CLUSTER_PROVIDED';
  const local = t.bind === '127.0.0.1' || t.bind === '::1';
  if (!local) draft.cluster.upstream_bind_config = passthroughBindConfig(ctx.proxy, false);
  return finishDraft(draft);
}

function fromInstances(ctx: SidecarContext): InboundTarget[] {
  const bind = ctx.mesh.inboundTrafficPolicy?.mode === 'LOCALHOST' ? localhostFor(ctx.proxy) : '';
  const byPort = new Map<number, ServiceInstance[]>();
  for (const inst of ctx.instances()) {
    if (portKind(inst.servicePort.protocol) === 'none') continue;
    byPort.set(inst.endpoint.port, [...(byPort.get(inst.endpoint.port) ?? []), inst]);
  }
  return [...byPort.entries()].map(([port, group]) => {
    const primary = group[0]!;
    const services = new Map<string, MeshService>();
    for (const inst of group) {
      if (inst.servicePort.port === primary.servicePort.port && !services.has(inst.service.hostname)) services.set(inst.service.hostname, inst.service);
    }
    return { clusterPort: port, bind, targetPort: port, servicePort: primary.servicePort, primary: primary.service, services: [...services.values()] };
  });
}

/** `host:port` of a defaultEndpoint → where to send, as Istio resolves the special hosts. */
function resolveDefaultEndpoint(ctx: SidecarContext, text: string | undefined): { bind: string; port: number } | undefined {
  if (!text) return { bind: '', port: 0 };
  if (text.startsWith(UNIX_PREFIX)) return { bind: text, port: 0 };
  const m = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(text);
  if (!m) return undefined;
  const host = m[1]!.replace(/^\[|\]$/g, '');
  const port = Number(m[2]);
  const proxy = ctx.proxy;
  const localhost = localhostFor(proxy);
  switch (host) {
    case '0.0.0.0': return { bind: proxyIpv4(proxy) ?? '127.0.0.1', port };
    case '::': return { bind: proxyIpv6(proxy) ?? '::1', port };
    case '127.0.0.1': return { bind: localhost, port };
    case '::1': return { bind: proxyIpv6(proxy) ? '::1' : localhost, port };
    default: return { bind: '', port };
  }
}

function fromSidecarIngress(ctx: SidecarContext): InboundTarget[] {
  const sidecar = ctx.scope.sidecar;
  return ctx.scope.ingress.flatMap((listener: IstioIngressListener, i): InboundTarget[] => {
    const number = listener.port?.number;
    const resolved = resolveDefaultEndpoint(ctx, listener.defaultEndpoint);
    if (!number || !resolved) {
      ctx.diags.warn(sidecar, `spec.ingress[${i}]`, `invalid port or defaultEndpoint ${JSON.stringify(listener.defaultEndpoint ?? '')}: no inbound cluster`);
      return [];
    }
    const owner = ctx.instances().find((inst) => inst.endpoint.port === number);
    const servicePort: MeshServicePort = { name: listener.port.name ?? '', port: number, protocol: parseProtocol(listener.port.protocol) };
    const services = owner ? [owner.service] : [];
    return [{ clusterPort: number, bind: resolved.bind, targetPort: resolved.port, servicePort, primary: owner?.service, services }];
  });
}

export function buildInboundClusters(ctx: SidecarContext): XdsResource[] {
  if (ctx.scope.ingress.length > 0) return fromSidecarIngress(ctx).map((t) => buildInboundCluster(ctx, t));
  if (ctx.proxy.metadata.interceptionMode === 'NONE') return [];
  return fromInstances(ctx).map((t) => buildInboundCluster(ctx, t));
}
