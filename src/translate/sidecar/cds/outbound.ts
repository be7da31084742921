/**
 * Outbound clusters: `outbound|<port>||<fqdn>` for every visible service port Envoy proxies
 * (not UDP), plus `outbound|<port>|<subset>|<fqdn>` per DestinationRule subset. The discovery
 * type follows the service's resolution (EDS, STRICT_DNS / LOGICAL_DNS with inline endpoints,
 * ORIGINAL_DST for passthrough); then the merged DestinationRule policy is applied in Istio's
 * order: connection pool, h2 upgrade, outlier detection, load balancer, TLS, PROXY protocol.
 */
import { isIP } from 'node:net';
import type { MeshService, MeshServicePort, Resolution } from '../../../model/registry/types.js';
import type { Subset } from '../../../model/types/destination-rule.js';
import { adsConfigSource } from '../../common/any-types.js';
import { buildClusterName } from '../../common/cluster-name.js';
import { effectiveMtls } from '../../common/peer-authentication.js';
import { configPath } from '../../common/provenance.js';
import { protoDuration } from '../../common/proto-values.js';
import { shared } from '../../common/shared.js';
import { buildSni } from '../../common/sni.js';
import { policyForPort, subsetPolicyForPort, type ClusterPolicy } from '../../common/traffic-policy.js';
import type { XdsResource } from '../../types.js';
import type { RuleForService, SidecarContext } from '../context.js';
import { portKind } from '../protocol.js';
import { applyConnectionPool, applyH2Upgrade } from './connection-pool.js';
import { sendableEndpoint } from '../eds/endpoints.js';
import { endpointsFor, inlineAssignment } from './dns-endpoints.js';
import { finishDraft, istioMetadata, newDraft, type ClusterDraft, type DiscoveryType } from './draft.js';
import { applyLoadBalancer } from './lb.js';
import { policyOrigin } from './origin.js';
import { applyOutlierDetection } from './outlier.js';
import { applyUpstreamProxyProtocol, proxyProtocolFor } from './proxy-protocol.js';
import { serviceMetadata, setUpstreamProtocol } from './shared.js';
import { patternedStatName } from './stat-name.js';
import { applyUpstreamTls } from './upstream-tls.js';

const TYPE_BY_RESOLUTION: Readonly<Record<Resolution, DiscoveryType | undefined>> = {
  ClientSideLB: 'EDS',
  DNSLB: 'STRICT_DNS',
  DNSRoundRobinLB: 'LOGICAL_DNS',
  Passthrough: 'ORIGINAL_DST',
  DynamicDNS: undefined,
};

const CARES_RESOLVER = Object.freeze({
  name: 'envoy.network.dns_resolver.cares',
  typed_config: {
    '@type': 'type.googleapis.com/envoy.extensions.network.dns_resolver.cares.v3.CaresDnsResolverConfig',
    udp_max_queries: { value: 100 },
  },
});

/** Every outbound EDS cluster's eds_config: one shared object, encoded once. */
const EDS_CONFIG = shared({ ...adsConfigSource(), initial_fetch_timeout: { seconds: 0, nanos: 0 } });

interface Target {
  readonly service: MeshService;
  readonly port: MeshServicePort;
  readonly rule: RuleForService | undefined;
  readonly subset: Subset | undefined;
}

/** DNS settings as Istio sets them; the lookup family follows the proxy's own addresses. */
function dnsFields(ctx: SidecarContext): Record<string, unknown> {
  const ips = ctx.proxy.ipAddresses;
  const v6Only = ips.length > 0 && ips.every((ip) => isIP(ip) === 6);
  return {
    dns_lookup_family: v6Only ? 'V6_ONLY' : 'V4_ONLY',
    typed_dns_resolver_config: structuredClone(CARES_RESOLVER),
    dns_refresh_rate: protoDuration(ctx.mesh.dnsRefreshRate) ?? { seconds: 60, nanos: 0 },
    respect_dns_ttl: true,
  };
}

/**
 * Istio's best-effort service mTLS mode for automatic mTLS: never for mesh-external services;
 * for passthrough traffic only when every endpoint on the port has a sidecar; and not when the
 * namespace's (or the mesh's) PeerAuthentication disables mTLS.
 */
function autoMtlsAllowed(ctx: SidecarContext, t: Target, policy: ClusterPolicy): boolean {
  if (!ctx.mesh.enableAutoMtls || t.service.meshExternal) return false;
  if (t.service.resolution === 'Passthrough' || policy.loadBalancer?.simple === 'PASSTHROUGH') {
    const eps = endpointsFor(ctx, t.service, t.port, undefined);
    if (eps.length === 0 || eps.some((ep) => ep.tlsMode !== 'istio')) return false;
  }
  return effectiveMtls(ctx.snapshot, t.service.namespace, {}).mode !== 'DISABLE';
}

function addProvenance(draft: ClusterDraft, t: Target, policy: ClusterPolicy): void {
  if (t.service.meshExternal) istioMetadata(draft).external = true;
  if (!t.rule?.source) return;
  const istio = istioMetadata(draft);
  istio.config = configPath(t.rule.source);
  if (t.subset) istio.subset = t.subset.name;
  const mode = policy.tls?.mode;
  if (mode === 'SIMPLE' || mode === 'MUTUAL') istio.alpn_override = 'false';
}

/** The base draft with its discovery type and endpoints; undefined for a DNS cluster with none. */
function baseDraft(ctx: SidecarContext, t: Target, name: string, policy: ClusterPolicy): ClusterDraft | undefined {
  const byResolution = TYPE_BY_RESOLUTION[t.service.resolution] ?? 'EDS';
  const type: DiscoveryType = policy.loadBalancer?.simple === 'PASSTHROUGH' ? 'ORIGINAL_DST' : byResolution;
  const draft = newDraft(name, type);
  if (type === 'STRICT_DNS' || type === 'LOGICAL_DNS') {
    const endpoints = endpointsFor(ctx, t.service, t.port, t.subset?.labels).filter((ep) => sendableEndpoint(t.service, ep));
    const assignment = inlineAssignment(ctx, name, endpoints, type === 'LOGICAL_DNS', policy);
    if (!assignment) {
      ctx.diags.warn(t.rule?.source ?? t.service.origin, t.subset ? 'spec.subsets' : undefined, `DNS cluster ${name} has no endpoints: left out, as in Istio`, name);
      return undefined;
    }
    Object.assign(draft.cluster, dnsFields(ctx), { load_assignment: assignment });
  }
  return draft;
}

function buildOutboundCluster(ctx: SidecarContext, t: Target): XdsResource | undefined {
  const subsetName = t.subset?.name ?? '';
  const name = buildClusterName(t.port.port, subsetName, t.service.hostname);
  const rulePolicy = t.rule?.spec.trafficPolicy;
  const policy = t.subset ? subsetPolicyForPort(rulePolicy, t.subset, t.port.port) : policyForPort(rulePolicy, t.port.port);
  const origin = policyOrigin(ctx, t.rule, subsetName, t.port.port, name);
  const draft = baseDraft(ctx, t, name, policy);
  if (!draft) return undefined;
  const statName = patternedStatName(ctx.mesh.outboundClusterStatName, { service: t.service, port: t.port, subset: subsetName, targetPort: 0 });
  if (statName) draft.cluster.alt_stat_name = statName;
  setUpstreamProtocol(draft, t.port);
  istioMetadata(draft).services = [serviceMetadata(t.service)];
  applyConnectionPool(draft, ctx.mesh, policy.connectionPool, origin('connectionPool'));
  applyH2Upgrade(draft, ctx.mesh, t.port, policy.connectionPool);
  applyOutlierDetection(draft, policy.outlierDetection, origin('outlierDetection'));
  applyLoadBalancer(draft, policy.loadBalancer, ctx.mesh, origin('loadBalancer'));
  applyUpstreamTls({
    draft,
    mesh: ctx.mesh,
    tls: policy.tls,
    at: origin('tls'),
    get identities() { return ctx.identitiesOf(t.service); }, // only TLS with SANs reads them
    get sni() { return buildSni(t.port.port, subsetName, t.service.hostname); },
    autoMtls: autoMtlsAllowed(ctx, t, policy),
    identitiesAsDefaultSans: t.service.source === 'ServiceEntry',
    ruleHasSelector: t.rule?.spec.workloadSelector !== undefined,
  });
  applyUpstreamProxyProtocol(draft, proxyProtocolFor(rulePolicy, t.subset, t.port.port));
  if (draft.cluster.type === 'EDS') draft.cluster.eds_cluster_config = { eds_config: EDS_CONFIG, service_name: name };
  addProvenance(draft, t, policy);
  return finishDraft(draft);
}

// Plain loops below: this runs for every port and subset of every visible service (1,000s at a gateway).
function addClustersOfService(ctx: SidecarContext, service: MeshService, out: XdsResource[]): void {
  if (TYPE_BY_RESOLUTION[service.resolution] === undefined) {
    ctx.diags.warn(service.origin, 'spec.resolution', `resolution ${service.resolution} is not supported for sidecars: no clusters for ${service.hostname}`);
    return;
  }
  const rule = ctx.destinationRuleFor(service);
  const subsets = (rule?.spec.subsets ?? []).filter((s) => s.name !== '');
  for (const port of service.ports) {
    if (portKind(port.protocol) === 'none') continue;
    const plain = buildOutboundCluster(ctx, { service, port, rule, subset: undefined });
    if (plain) out.push(plain);
    for (const subset of subsets) {
      const cluster = buildOutboundCluster(ctx, { service, port, rule, subset });
      if (cluster) out.push(cluster);
    }
  }
}

/** Outbound clusters of every visible service (one service per hostname, as the proxy sees it). */
export function buildOutboundClusters(ctx: SidecarContext): XdsResource[] {
  const out: XdsResource[] = [];
  for (const service of ctx.services()) {
    if (ctx.serviceForHost(service.hostname) === service) addClustersOfService(ctx, service, out);
  }
  return out;
}
