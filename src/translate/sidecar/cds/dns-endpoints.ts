/**
 * Inline endpoints for DNS clusters (STRICT_DNS / LOGICAL_DNS): the service's endpoints on the
 * cluster's port, narrowed to the subset's labels, grouped by locality with the same shape EDS
 * uses (so auto-mTLS transport socket matching works the same), then locality load balancing
 * relative to the proxy as EDS applies it (distribute, region failover; not failoverPriority, which
 * Istio leaves out for DNS clusters). Envoy allows LOGICAL_DNS only one endpoint, so that cluster
 * keeps the first.
 */
import type { MeshEndpoint, MeshService, MeshServicePort } from '../../../model/registry/types.js';
import { NO_LOCALITY } from '../../../model/registry/workload.js';
import type { ClusterPolicy } from '../../common/traffic-policy.js';
import { groupBody, groupByLocality, memberOf } from '../eds/endpoints.js';
import { localityBalancedForProxy } from '../eds/index.js';
import type { SidecarContext } from '../context.js';
import type { Json } from './draft.js';

/**
 * A Kubernetes ExternalName Service's one endpoint per port: the external name at the service
 * port, no sidecar, so its STRICT_DNS cluster resolves the name (Istio's behavior with
 * ENABLE_EXTERNAL_NAME_ALIAS=false). Current Istio instead treats ExternalName as an alias of
 * its target (no cluster, listener or virtual host of its own; the target's virtual host also
 * answers the alias names), which needs the scope to know aliases; until then this keeps every
 * route to an ExternalName service pointing at a cluster that exists.
 */
function externalNameEndpoints(service: MeshService): MeshEndpoint[] {
  if (!service.externalName) return [];
  return service.ports.map((p) => ({
    address: service.externalName!,
    port: p.port,
    servicePortName: p.name,
    labels: service.labels,
    locality: NO_LOCALITY,
    namespace: service.namespace,
    network: '',
    tlsMode: 'disabled',
    clusterID: service.clusterID,
    health: 'HEALTHY',
  }));
}

export function endpointsFor(ctx: SidecarContext, service: MeshService, port: MeshServicePort, labels: Readonly<Record<string, string>> | undefined): MeshEndpoint[] {
  const wanted = Object.entries(labels ?? {});
  const all = service.externalName ? externalNameEndpoints(service) : ctx.snapshot.endpointsOf(service);
  return all.filter((ep) => ep.servicePortName === port.name && wanted.every(([k, v]) => ep.labels[k] === v));
}

/** The ClusterLoadAssignment for a DNS cluster under `policy`; undefined when there is no endpoint. */
export function inlineAssignment(ctx: SidecarContext, clusterName: string, endpoints: readonly MeshEndpoint[], logical: boolean, policy: ClusterPolicy): Json | undefined {
  const chosen = logical ? endpoints.slice(0, 1) : endpoints;
  if (chosen.length === 0) return undefined;
  const groups = localityBalancedForProxy(ctx, policy, groupByLocality(chosen.map(memberOf)), false);
  return { cluster_name: clusterName, endpoints: groups.map(groupBody) };
}
