/**
 * Sidecar endpoints (EDS): a ClusterLoadAssignment per outbound EDS cluster
 * (`outbound|<port>|<subset>|<fqdn>` of a ClientSideLB service this proxy sees). The service's
 * endpoints on that port, narrowed to the subset's labels, grouped by locality, then locality
 * load balancing relative to the proxy (see locality-lb.ts). Not-ready, terminating and (unless
 * the service uses persistent sessions) draining endpoints are not sent, as in Istio. Endpoints
 * without an IP literal address and port (or a unix:// path) are left out with a diagnostic; an
 * empty service gets an assignment with no endpoints (the cluster exists, it just has nowhere
 * to send). Endpoints on another network than the proxy's are reached through that network's
 * gateways (split horizon, see split-horizon.ts).
 */
import { isIP } from 'node:net';
import type { MeshEndpoint, MeshService, MeshServicePort } from '../../../model/registry/types.js';
import { NO_LOCALITY } from '../../../model/registry/workload.js';
import type { Subset } from '../../../model/types/destination-rule.js';
import { parseClusterName } from '../../common/cluster-name.js';
import { subsetPolicyForPort, type ClusterPolicy } from '../../common/traffic-policy.js';
import { TypeUrl } from '../../type-urls.js';
import type { XdsResource } from '../../types.js';
import type { SidecarContext } from '../context.js';
import { groupBody, groupByLocality, memberOf, sendableEndpoint, type Group } from './endpoints.js';
import { applyLocalityLb, effectiveSetting, withTopology } from './locality-lb.js';
import { splitHorizon } from './split-horizon.js';

interface Target {
  readonly service: MeshService;
  readonly port: MeshServicePort;
  readonly subset: Subset | undefined;
}

function targetOf(ctx: SidecarContext, clusterName: string): Target | undefined {
  const parsed = parseClusterName(clusterName);
  if (!parsed || parsed.direction !== 'outbound') return undefined;
  const service = ctx.serviceForHost(parsed.host);
  if (!service || service.resolution !== 'ClientSideLB') return undefined;
  const port = service.ports.find((p) => p.port === parsed.port);
  if (!port) return undefined;
  if (parsed.subset === '') return { service, port, subset: undefined };
  const subset = ctx.subsetOf(ctx.destinationRuleFor(service), parsed.subset);
  return subset ? { service, port, subset } : undefined;
}

function usable(ep: MeshEndpoint): boolean {
  if (ep.address.startsWith('unix://')) return ep.address.length > 'unix://'.length;
  return isIP(ep.address) !== 0 && Number.isInteger(ep.port) && ep.port > 0 && ep.port <= 65535;
}

/** The target's endpoints on its port and subset, each address:port once. */
function endpointsOf(ctx: SidecarContext, t: Target, clusterName: string): MeshEndpoint[] {
  const labels = Object.entries(t.subset?.labels ?? {});
  const seen = new Set<string>();
  return ctx.snapshot.endpointsOf(t.service).filter((ep) => {
    if (ep.servicePortName !== t.port.name || !labels.every(([k, v]) => ep.labels[k] === v)) return false;
    if (!sendableEndpoint(t.service, ep)) return false;
    if (!usable(ep)) {
      const who = ep.workloadName ? `${ep.workloadKind ?? 'workload'} ${ep.namespace}/${ep.workloadName}` : 'an endpoint';
      ctx.diags.warn(t.service.origin, undefined, `${who} has no usable address (${JSON.stringify(ep.address)}:${ep.port}): left out`, clusterName);
      return false;
    }
    const key = `${ep.address}|${ep.port}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function localityBalanced(ctx: SidecarContext, t: Target, groups: Group[]): Group[] {
  const rule = ctx.destinationRuleFor(t.service);
  return localityBalancedForProxy(ctx, subsetPolicyForPort(rule?.spec.trafficPolicy, t.subset, t.port.port), groups, true);
}

/**
 * Locality load balancing of `groups` relative to this proxy under the cluster's merged
 * `policy` (shared with DNS clusters' inline endpoints, which skip failoverPriority as Istio does).
 */
export function localityBalancedForProxy(ctx: SidecarContext, policy: ClusterPolicy, groups: Group[], failoverPriority: boolean): Group[] {
  const setting = effectiveSetting(ctx.mesh.localityLbSetting, policy.loadBalancer?.localityLbSetting);
  if (!setting) return groups;
  const proxyLocality = ctx.proxy.locality ?? NO_LOCALITY;
  return applyLocalityLb(groups, {
    proxyLocality,
    proxyLabels: withTopology(ctx.proxy.metadata.labels, proxyLocality, ctx.proxy.metadata.network),
    setting,
    failoverEnabled: policy.outlierDetection !== undefined,
    failoverPriority,
  });
}

export function buildLoadAssignment(ctx: SidecarContext, clusterName: string): XdsResource | undefined {
  const target = targetOf(ctx, clusterName);
  if (!target) return undefined;
  const local = groupByLocality(endpointsOf(ctx, target, clusterName).map(memberOf));
  // Endpoints on other networks become their network's gateways (split horizon), before locality LB.
  const groups = splitHorizon(local, ctx.proxy.metadata.network ?? '', ctx.snapshot.registry.networkGateways);
  const endpoints = localityBalanced(ctx, target, groups).map(groupBody);
  return { name: clusterName, body: { '@type': TypeUrl.ClusterLoadAssignment, cluster_name: clusterName, endpoints } };
}
