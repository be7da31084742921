/**
 * Route hash policies from DestinationRule consistentHash, as Istio picks them: for a
 * VirtualService destination the subset's port-level setting, else the subset's, else the
 * rule's port-level (port-level only when the destination names its port), else the rule's;
 * for the default route the rule's port-level setting for that port, else the rule's.
 */
import type { MeshService } from '../../../model/registry/types.js';
import type { Destination } from '../../../model/types/common.js';
import type { ConsistentHashLB, DestinationRuleSpec, TrafficPolicy } from '../../../model/types/destination-rule.js';
import { protoDuration } from '../../common/proto-values.js';
import type { SidecarContext } from '../context.js';
import type { Json } from './types.js';

function portHash(policy: TrafficPolicy | undefined, port: number | undefined): ConsistentHashLB | undefined {
  if (port === undefined) return undefined;
  return policy?.portLevelSettings?.find((p) => p.port?.number === port)?.loadBalancer?.consistentHash;
}

function destinationHash(spec: DestinationRuleSpec, dest: Destination): ConsistentHashLB | undefined {
  const port = dest.port?.number;
  const subset = dest.subset ? spec.subsets?.find((s) => s.name === dest.subset)?.trafficPolicy : undefined;
  return portHash(subset, port) ?? subset?.loadBalancer?.consistentHash ?? portHash(spec.trafficPolicy, port) ?? spec.trafficPolicy?.loadBalancer?.consistentHash;
}

export function toHashPolicy(hash: ConsistentHashLB | undefined): Json | undefined {
  if (!hash) return undefined;
  if (hash.httpHeaderName) return { header: { header_name: hash.httpHeaderName } };
  if (hash.httpCookie) {
    const ttl = protoDuration(hash.httpCookie.ttl);
    return { cookie: { name: hash.httpCookie.name, ...(ttl ? { ttl } : {}), ...(hash.httpCookie.path ? { path: hash.httpCookie.path } : {}) } };
  }
  if (hash.useSourceIp) return { connection_properties: { source_ip: true } };
  if (hash.httpQueryParameterName) return { query_parameter: { name: hash.httpQueryParameterName } };
  return undefined;
}

/** The hash policy for a resolved VirtualService destination, if its DestinationRule asks for one. */
export function hashPolicyForDestination(ctx: SidecarContext, service: MeshService, dest: Destination): Json | undefined {
  const rule = ctx.destinationRuleFor(service);
  return rule ? toHashPolicy(destinationHash(rule.spec, dest)) : undefined;
}

/** The hash policy for a service's default route on `port`. */
export function hashPolicyForService(ctx: SidecarContext, service: MeshService, port: number): Json | undefined {
  const spec = ctx.destinationRuleFor(service)?.spec;
  return spec ? toHashPolicy(portHash(spec.trafficPolicy, port) ?? spec.trafficPolicy?.loadBalancer?.consistentHash) : undefined;
}
