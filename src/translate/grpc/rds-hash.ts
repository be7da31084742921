/**
 * Route hash policies from DestinationRule consistentHash, picked per destination as Istio does:
 * the subset's port-level setting, else the subset's, else the rule's port-level, else the rule's.
 * gRPC hashes only on headers (gRFC A42), so cookie, source-IP and query-parameter keys are
 * reported and left out.
 */
import type { ConsistentHashLB, DestinationRuleSpec, TrafficPolicy } from '../../model/types/destination-rule.js';
import type { GrpcContext, RuleForService } from './context.js';
import type { Json } from './rds-match.js';

function portHash(policy: TrafficPolicy | undefined, port: number | undefined): ConsistentHashLB | undefined {
  if (port === undefined) return undefined;
  return policy?.portLevelSettings?.find((p) => p.port?.number === port)?.loadBalancer?.consistentHash;
}

export function consistentHashFor(spec: DestinationRuleSpec, subset: string, port: number | undefined): ConsistentHashLB | undefined {
  const sub = spec.subsets?.find((s) => s.name === subset)?.trafficPolicy;
  return portHash(sub, port) ?? sub?.loadBalancer?.consistentHash ?? portHash(spec.trafficPolicy, port) ?? spec.trafficPolicy?.loadBalancer?.consistentHash;
}

export function hashPolicyFor(ctx: GrpcContext, rule: RuleForService | undefined, hash: ConsistentHashLB | undefined): Json | undefined {
  if (!hash) return undefined;
  if (hash.httpHeaderName) return { header: { header_name: hash.httpHeaderName } };
  ctx.diags.warn(rule?.source ?? rule?.merged.from[0], 'spec.trafficPolicy.loadBalancer.consistentHash', 'gRPC hashes only on httpHeaderName: requests are spread by a random hash instead');
  return undefined;
}
