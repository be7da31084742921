/**
 * Clusters for proxyless gRPC: `outbound|<port>|<subset>|<fqdn>` for every service port the
 * proxy's namespace can see, and one per DestinationRule subset. Each reads its endpoints over
 * ADS (type EDS, service_name = the cluster name) and carries the merged DestinationRule
 * policy, mTLS (cds-tls.ts) and provenance. Unknown names (no visible service, no such port or subset) are absent.
 * Wildcard CDS answers every cluster (Istio's grpcgen answers none; gRPC never asks for it).
 */
import type { ConfigObject } from '../../model/config.js';
import type { MeshService, MeshServicePort } from '../../model/registry/types.js';
import type { DestinationRuleSpec } from '../../model/types/destination-rule.js';
import { TypeUrl } from '../type-urls.js';
import type { XdsResource } from '../types.js';
import { buildClusterName, parseClusterName } from '../common/cluster-name.js';
import { configMetadata } from '../common/provenance.js';
import { policyForPort, subsetPolicyForPort, type ClusterPolicy } from '../common/traffic-policy.js';
import { adsConfigSource } from '../common/any-types.js';
import { applyClusterPolicy, type Origin } from './cds-policy.js';
import { clusterTlsFields } from './cds-tls.js';
import { portOf, type GrpcContext, type RuleForService } from './context.js';

/** The rule among those merged that defines `subset`, and the subset's index in it. */
function subsetHome(ctx: GrpcContext, rule: RuleForService, subset: string): { source: ConfigObject | undefined; index: number } {
  for (const ref of rule.merged.from) {
    const obj = ctx.snapshot.configs.get('DestinationRule', ref.namespace, ref.name);
    const index = ((obj?.spec as DestinationRuleSpec | undefined)?.subsets ?? []).findIndex((s) => s.name === subset);
    if (obj && index >= 0) return { source: obj, index };
  }
  return { source: rule.source, index: -1 };
}

/** Where each policy field of a cluster came from, most specific first, as the merge picked it. */
function originOf(ctx: GrpcContext, rule: RuleForService, subset: string, port: number): Origin {
  const top = rule.spec.trafficPolicy;
  const topPort = top?.portLevelSettings?.findIndex((p) => p.port?.number === port) ?? -1;
  const home = subset !== '' ? subsetHome(ctx, rule, subset) : undefined;
  const sub = subset !== '' ? rule.spec.subsets?.find((s) => s.name === subset)?.trafficPolicy : undefined;
  const subPort = sub?.portLevelSettings?.findIndex((p) => p.port?.number === port) ?? -1;
  return (field) => {
    if (home && sub && subPort >= 0) return { source: home.source, path: `spec.subsets[${home.index}].trafficPolicy.portLevelSettings[${subPort}].${field}` };
    if (home && sub?.[field] !== undefined) return { source: home.source, path: `spec.subsets[${home.index}].trafficPolicy.${field}` };
    if (topPort >= 0) return { source: rule.source, path: `spec.trafficPolicy.portLevelSettings[${topPort}].${field}` };
    return { source: rule.source, path: `spec.trafficPolicy.${field}` };
  };
}

function buildCluster(ctx: GrpcContext, name: string, rule: RuleForService | undefined, subset: string, service: MeshService, servicePort: MeshServicePort): XdsResource {
  const spec = rule?.spec;
  const port = servicePort.port;
  const subsetSpec = subset === '' ? undefined : ctx.subsetOf(rule, subset);
  const policy: ClusterPolicy = subset === '' ? policyForPort(spec?.trafficPolicy, port) : subsetPolicyForPort(spec?.trafficPolicy, subsetSpec, port);
  const origin = rule ? originOf(ctx, rule, subset, port) : undefined;
  const fields = origin ? applyClusterPolicy(policy, ctx, origin) : { lb_policy: 'ROUND_ROBIN' };
  const tls = clusterTlsFields(ctx, { name, service, port: servicePort, subsetLabels: subsetSpec?.labels, policy, origin });
  return {
    name,
    body: {
      '@type': TypeUrl.Cluster,
      name,
      type: 'EDS',
      eds_cluster_config: { eds_config: adsConfigSource(), service_name: name },
      ...fields,
      ...tls,
      ...(rule?.source ? { metadata: configMetadata(rule.source) } : {}),
    },
  };
}

export function clusterFor(ctx: GrpcContext, name: string): XdsResource | undefined {
  const parsed = parseClusterName(name);
  if (!parsed || parsed.direction !== 'outbound') return undefined;
  const service = ctx.serviceForHost(parsed.host);
  const port = service ? portOf(service, parsed.port) : undefined;
  if (!service || !port) return undefined;
  const rule = ctx.destinationRuleFor(service);
  if (parsed.subset !== '' && !ctx.subsetOf(rule, parsed.subset)) return undefined;
  return buildCluster(ctx, name, rule, parsed.subset, service, port);
}

function clustersOfService(ctx: GrpcContext, service: MeshService): XdsResource[] {
  const rule = ctx.destinationRuleFor(service);
  const subsets = ['', ...(rule?.spec.subsets ?? []).map((s) => s.name)];
  return service.ports.flatMap((p) => subsets.map((subset) => buildCluster(ctx, buildClusterName(p.port, subset, service.hostname), rule, subset, service, p)));
}

export function allClusters(ctx: GrpcContext): XdsResource[] {
  return ctx.snapshot.servicesVisibleTo(ctx.namespace)
    .filter((service) => ctx.serviceForHost(service.hostname) === service)
    .flatMap((service) => clustersOfService(ctx, service));
}
