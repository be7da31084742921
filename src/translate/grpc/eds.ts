/**
 * ClusterLoadAssignments for gRPC clusters: the service's endpoints on the cluster's port (the
 * endpoints whose service port name is that port's), narrowed to the subset's labels, grouped by
 * locality. gRPC requires a locality and a load_balancing_weight on every group (the sum of its
 * endpoints' weights here), IP-literal addresses, and no address twice. Terminating endpoints
 * are left out; an empty service still gets an assignment with no endpoints.
 */
import { isIP } from 'node:net';
import type { HealthStatus, Locality, MeshEndpoint, MeshService, MeshServicePort } from '../../model/registry/types.js';
import { TypeUrl } from '../type-urls.js';
import type { XdsResource } from '../types.js';
import { parseClusterName } from '../common/cluster-name.js';
import { portOf, type GrpcContext } from './context.js';
import type { Json } from './rds-match.js';

const ENVOY_HEALTH: Readonly<Record<HealthStatus, string | undefined>> = {
  HEALTHY: 'HEALTHY',
  UNHEALTHY: 'UNHEALTHY',
  DRAINING: 'DRAINING',
  TERMINATING: undefined,
};

const localityKey = (l: Locality) => `${l.region}/${l.zone}/${l.subzone}`;

function lbEndpoint(ep: MeshEndpoint, health: string): Json {
  return {
    endpoint: { address: { socket_address: { address: ep.address, port_value: ep.port } } },
    health_status: health,
    load_balancing_weight: { value: ep.weight && ep.weight > 0 ? ep.weight : 1 },
  };
}

function groupByLocality(endpoints: readonly MeshEndpoint[]): Json[] {
  const groups = new Map<string, { locality: Locality; members: Json[]; weight: number }>();
  const seen = new Set<string>();
  for (const ep of [...endpoints].sort((a, b) => (`${a.address}:${a.port}` < `${b.address}:${b.port}` ? -1 : 1))) {
    const health = ENVOY_HEALTH[ep.health];
    const key = `${ep.address}|${ep.port}`;
    if (health === undefined || seen.has(key)) continue;
    seen.add(key);
    const group = groups.get(localityKey(ep.locality)) ?? { locality: ep.locality, members: [], weight: 0 };
    groups.set(localityKey(ep.locality), group);
    const member = lbEndpoint(ep, health);
    group.members.push(member);
    group.weight += (member.load_balancing_weight as { value: number }).value;
  }
  return [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, g]) => ({
    locality: { region: g.locality.region, zone: g.locality.zone, sub_zone: g.locality.subzone },
    lb_endpoints: g.members,
    load_balancing_weight: { value: g.weight },
  }));
}

/** The service's endpoints on `port` (by service port name) carrying every one of the subset's labels. */
export function clusterEndpoints(ctx: GrpcContext, service: MeshService, port: MeshServicePort, subsetLabels: Readonly<Record<string, string>> | undefined): MeshEndpoint[] {
  const labels = Object.entries(subsetLabels ?? {});
  return ctx.snapshot.endpointsOf(service).filter((ep) => ep.servicePortName === port.name && labels.every(([k, v]) => ep.labels[k] === v));
}

export function loadAssignmentFor(ctx: GrpcContext, name: string): XdsResource | undefined {
  const parsed = parseClusterName(name);
  if (!parsed || parsed.direction !== 'outbound') return undefined;
  const service = ctx.serviceForHost(parsed.host);
  const port = service ? portOf(service, parsed.port) : undefined;
  if (!service || !port) return undefined;
  const subset = parsed.subset === '' ? undefined : ctx.subsetOf(ctx.destinationRuleFor(service), parsed.subset);
  if (parsed.subset !== '' && !subset) return undefined;
  const endpoints = clusterEndpoints(ctx, service, port, subset?.labels).filter((ep) => {
    if (isIP(ep.address) !== 0) return true;
    ctx.diags.warn(service.origin, undefined, `endpoint ${ep.address} is not an IP address; gRPC clients need IP literals: left out`, name);
    return false;
  });
  return { name, body: { '@type': TypeUrl.ClusterLoadAssignment, cluster_name: name, endpoints: groupByLocality(endpoints) } };
}
