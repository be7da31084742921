/**
 * DestinationRule traffic policy for one cluster, merged as Istio merges it: the rule's
 * top-level policy, replaced for the cluster's port by a matching portLevelSettings entry (which
 * does not inherit), then overridden field by field by the subset's policy (and the subset's own
 * port-level entry, which again replaces rather than inherits).
 */
import type { PortTrafficPolicy, Subset, TrafficPolicy } from '../../model/types/destination-rule.js';

/** The fields that apply to one cluster after merging. */
export type ClusterPolicy = Omit<PortTrafficPolicy, 'port'>;

const FIELDS = ['loadBalancer', 'connectionPool', 'outlierDetection', 'tls'] as const;

function pick(p: ClusterPolicy | undefined): ClusterPolicy {
  const out: Record<string, unknown> = {};
  for (const f of FIELDS) if (p?.[f] !== undefined) out[f] = p[f];
  return out as ClusterPolicy;
}

function portLevel(policy: TrafficPolicy | undefined, port: number): PortTrafficPolicy | undefined {
  return policy?.portLevelSettings?.find((p) => p.port?.number === port);
}

/** The top-level policy as it applies to `port`. */
export function policyForPort(policy: TrafficPolicy | undefined, port: number): ClusterPolicy {
  return pick(portLevel(policy, port) ?? policy);
}

/** The policy of subset `subset` on `port`, on top of the rule's policy for that port. */
export function subsetPolicyForPort(rulePolicy: TrafficPolicy | undefined, subset: Subset | undefined, port: number): ClusterPolicy {
  const base = policyForPort(rulePolicy, port);
  const own = subset?.trafficPolicy;
  if (!own) return base;
  const merged: Record<string, unknown> = { ...base };
  for (const f of FIELDS) if (own[f] !== undefined) merged[f] = own[f];
  const ownPort = portLevel(own, port);
  return ownPort ? pick(ownPort) : (merged as ClusterPolicy);
}
