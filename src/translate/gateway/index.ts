/**
 * The gateway generator (node type `router`): what istiod gives an ingress, egress or
 * east-west gateway. LDS and CDS are wildcard; RDS is named by the listeners
 * (`http.<port>`, `https.<port>.<portName>.<gw>.<ns>`), EDS by the clusters. Pure.
 */
import type { MeshConfig } from '../../config/mesh-types.js';
import type { ChangeSet } from '../../model/change-set.js';
import type { Proxy } from '../../model/proxy.js';
import type { Snapshot } from '../../model/snapshot.js';
import type { JwksLookup } from '../common/authn/jwks-lookup.js';
import { parseClusterName } from '../common/cluster-name.js';
import { proxyConfigScope } from '../common/proxy-config.js';
import { uniqueDiagnostics } from '../common/diagnostics.js';
import { TypeUrl } from '../type-urls.js';
import type { Generated, Generator, XdsResource } from '../types.js';
import { buildGatewayClusters } from './cds.js';
import { GatewayContext, type MergeResult, type MergeStore } from './context.js';
import { buildGatewayLoadAssignment } from './eds.js';
import { DEFAULT_GATEWAY_FEATURES, type GatewayFeatures } from './features.js';
import { buildGatewayListeners, isUnprivileged } from './lds.js';
import { buildGatewayRouteConfiguration } from './rds.js';
import { buildGatewaySecrets, referencedCredentialResources } from './sds.js';
import { changedSecretNamespaces, configMapsChanged, SDS_ONLY } from './sds-changes.js';
import type { CaBundleIndex } from './sds-configmap.js';
import { parseCredentialResource, type CredentialIndex } from './sds-credentials.js';

const TYPE_URLS = Object.freeze([TypeUrl.Listener, TypeUrl.RouteConfiguration, TypeUrl.Cluster, TypeUrl.ClusterLoadAssignment, TypeUrl.Secret]);
const LDS_AND_CDS = Object.freeze([TypeUrl.Cluster, TypeUrl.Listener]);
/** What a secret change reaches: the secrets, and the listeners (a chain needs a valid secret). */
const SDS_AND_LDS = Object.freeze([TypeUrl.Listener, TypeUrl.Secret]);

const byName = (a: XdsResource, b: XdsResource) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

function onlyNamed(all: XdsResource[], names: readonly string[] | undefined): XdsResource[] {
  if (names === undefined) return all;
  const wanted = new Set(names);
  return all.filter((r) => wanted.has(r.name));
}

function named(ctx: GatewayContext, names: readonly string[] | undefined, one: (ctx: GatewayContext, name: string) => XdsResource | undefined): XdsResource[] {
  return [...new Set(names ?? [])].flatMap((name) => one(ctx, name) ?? []);
}

function resourcesFor(ctx: GatewayContext, typeUrl: string, names: readonly string[] | undefined): XdsResource[] {
  switch (typeUrl) {
    case TypeUrl.Listener: return onlyNamed(buildGatewayListeners(ctx), names);
    case TypeUrl.Cluster: return onlyNamed(buildGatewayClusters(ctx), names);
    case TypeUrl.RouteConfiguration: return named(ctx, names, buildGatewayRouteConfiguration);
    case TypeUrl.ClusterLoadAssignment: return named(ctx, names, buildGatewayLoadAssignment);
    case TypeUrl.Secret: return buildGatewaySecrets(ctx, names);
    default: return [];
  }
}

/**
 * A router's resources depend on its namespace (visibility, Gateway scoping), labels (Gateway
 * selectors), IPs (its own Service: server port → targetPort), locality and network (EDS),
 * and whether it may bind ports below 1024.
 */
function scopeKey(proxy: Proxy): string {
  const labels = Object.keys(proxy.metadata.labels).sort().map((k) => `${k}=${proxy.metadata.labels[k]}`).join(',');
  const loc = proxy.locality ? `${proxy.locality.region}/${proxy.locality.zone}/${proxy.locality.subzone}` : '';
  const unprivileged = isUnprivileged(proxy) ? ';unpriv' : '';
  return `router;ns=${proxy.namespace};labels=${labels};ips=${[...proxy.ipAddresses].sort().join(',')};loc=${loc};net=${proxy.metadata.network ?? ''}${unprivileged}`;
}

const SNI_HOST = /^outbound_\.\d{1,5}_\.[^_]*_\.(.+)$/;

function clusterHost(name: string): string | undefined {
  return parseClusterName(name)?.host ?? SNI_HOST.exec(name)?.[1];
}

function alsoAffectedByEndpoints(snapshot: Snapshot, changes: ChangeSet, proxy: Proxy): readonly string[] {
  const ips = new Set(proxy.ipAddresses);
  for (const host of changes.endpointsChanged) {
    for (const svc of snapshot.servicesForHost(host)) {
      if (svc.resolution !== 'ClientSideLB') return LDS_AND_CDS;
      if (snapshot.endpointsOf(svc).some((ep) => ips.has(ep.address))) return LDS_AND_CDS;
    }
  }
  return [];
}

/** Merged gateways kept per snapshot and proxy scope (dropped with the snapshot). */
function mergeStore(scopeOf: (proxy: Proxy) => string): (snapshot: Snapshot, proxy: Proxy) => MergeStore {
  const bySnapshot = new WeakMap<Snapshot, Map<string, MergeResult>>();
  return (snapshot, proxy) => (build) => {
    let byScope = bySnapshot.get(snapshot);
    if (!byScope) bySnapshot.set(snapshot, (byScope = new Map()));
    const key = scopeOf(proxy);
    let result = byScope.get(key);
    if (!result) byScope.set(key, (result = build()));
    return result;
  };
}

/**
 * `credentials` (a getter, so the generator follows the Secret cache): the secrets behind
 * credentialName. Absent: SDS answers nothing and credentialName servers are not checked.
 * `jwks` (a getter too): key sets fetched for RequestAuthentication jwksUri rules.
 * `caBundles` (a getter too): the ConfigMap CA bundles behind `configmap://` SDS names.
 */
export function createGatewayGenerator(opts: { mesh: MeshConfig; features?: Partial<GatewayFeatures>; credentials?: () => CredentialIndex; jwks?: () => JwksLookup; caBundles?: () => CaBundleIndex }): Generator {
  const features: GatewayFeatures = Object.freeze({ ...DEFAULT_GATEWAY_FEATURES, ...opts.features });
  const keys = new WeakMap<Proxy, string>();
  const keyOf = (proxy: Proxy): string => {
    let key = keys.get(proxy);
    if (key === undefined) keys.set(proxy, (key = scopeKey(proxy)));
    return key;
  };
  const merges = mergeStore(keyOf);
  const context = (snapshot: Snapshot, proxy: Proxy) => new GatewayContext(snapshot, proxy, opts.mesh, features, opts.credentials?.(), merges(snapshot, proxy), opts.jwks?.());
  return Object.freeze({
    name: 'router',
    typeUrls: TYPE_URLS,
    nameScopedTypeUrls: Object.freeze([]),
    scopeKey(proxy: Proxy, typeUrl: string): string {
      const key = keyOf(proxy);
      // Listeners and secrets read the credentials: cached per credentials version too.
      const credentials = opts.credentials && (typeUrl === TypeUrl.Listener || typeUrl === TypeUrl.Secret) ? opts.credentials() : undefined;
      const pc = typeUrl === TypeUrl.Listener || typeUrl === TypeUrl.RouteConfiguration ? proxyConfigScope(proxy) : '';
      const withPc = pc === '' ? key : `${key};pc=${pc}`;
      const withCred = credentials ? `${withPc};cred=${credentials.version}` : withPc;
      if (typeUrl === TypeUrl.Secret && opts.caBundles) return `${withCred};ca=${opts.caBundles().version}`;
      // Listeners inline jwksUri key sets (RequestAuthentication): cached per lookup version too.
      return opts.jwks && typeUrl === TypeUrl.Listener ? `${withCred};jwks=${opts.jwks().version}` : withCred;
    },
    generate(snapshot: Snapshot, proxy: Proxy, typeUrl: string, names: readonly string[] | undefined): Generated {
      const ctx = context(snapshot, proxy);
      const resources = (typeUrl === TypeUrl.Secret ? buildGatewaySecrets(ctx, names, opts.caBundles?.()) : resourcesFor(ctx, typeUrl, names)).sort(byName);
      return { resources, diagnostics: uniqueDiagnostics(ctx.diags.items) };
    },
    affectedByEndpoints(changes: ChangeSet, typeUrl: string, name: string): boolean {
      if (typeUrl !== TypeUrl.ClusterLoadAssignment) return false;
      const host = clusterHost(name);
      return host !== undefined && changes.endpointsChanged.includes(host);
    },
    alsoAffectedByEndpoints,
    alsoAffectedBySecrets(snapshot: Snapshot, changes: ChangeSet, proxy: Proxy): readonly string[] {
      const namespaces = changedSecretNamespaces(changes);
      // A ConfigMap (CA bundle) change reaches only SDS: no listener reads ConfigMaps.
      const caOnly = configMapsChanged(changes) ? SDS_ONLY : [];
      if (namespaces.size === 0) return caOnly;
      if (namespaces.has(proxy.namespace)) return SDS_AND_LDS;
      // Gateway API secrets may live in another namespace (allowed by a ReferenceGrant).
      const ctx = context(snapshot, proxy);
      for (const name of referencedCredentialResources(ctx)) {
        const ref = parseCredentialResource(name, proxy.namespace);
        if (typeof ref !== 'string' && namespaces.has(ref.namespace)) return SDS_AND_LDS;
      }
      return caOnly;
    },
  });
}
