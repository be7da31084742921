/**
 * Inline endpoints for DNS clusters (STRICT_DNS / LOGICAL_DNS): the service's endpoints on the
 * cluster's port, narrowed to the subset's labels, grouped by locality with the same shape EDS
 * uses (so auto-mTLS transport socket matching works the same), then locality load balancing
 * relative to the proxy as EDS applies it (distribute, region failover; not failoverPriority, which
 * Istio leaves out for DNS clusters). Envoy allows LOGICAL_DNS only one endpoint, so that cluster
 * keeps the first.
 */
import type { MeshEndpoint, MeshService, MeshServicePort } from '../../../model/registry/types.js';
import type { ClusterPolicy } from '../../common/traffic-policy.js';
import { groupBody, groupByLocality, memberOf } from '../eds/endpoints.js';
import { localityBalancedForProxy } from '../eds/index.js';
import type { SidecarContext } from '../context.js';
import type { Json } from './draft.js';

export function endpointsFor(ctx: SidecarContext, service: MeshService, port: MeshServicePort, labels: Readonly<Record<string, string>> | undefined): MeshEndpoint[] {
  const wanted = Object.entries(labels ?? {});
  return ctx.snapshot.endpointsOf(service).filter((ep) => ep.servicePortName === port.name && wanted.every(([k, v]) => ep.labels[k] === v));
}

/** The ClusterLoadAssignment for a DNS cluster under `policy`; undefined when there is no endpoint. */
export function inlineAssignment(ctx: SidecarContext, clusterName: string, endpoints: readonly MeshEndpoint[], logical: boolean, policy: ClusterPolicy): Json | undefined {
  const chosen = logical ? endpoints.slice(0, 1) : endpoints;
  if (chosen.length === 0) return undefined;
  const groups = localityBalancedForProxy(ctx, policy, groupByLocality(chosen.map(memberOf)), false);
  return { cluster_name: clusterName, endpoints: groups.map(groupBody) };
}
