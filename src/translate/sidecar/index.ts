/**
 * The Envoy sidecar generator (node type `sidecar`, any GENERATOR but `grpc`): what istiod's
 * v3 generators give a sidecar through istio-agent. LDS and CDS are wildcard (every listener
 * and cluster the proxy needs), RDS and EDS are named by what those reference. Pure: the same
 * snapshot and proxy give the same resources.
 */
import type { MeshConfig } from '../../config/mesh-types.js';
import type { ChangeSet } from '../../model/change-set.js';
import type { Proxy } from '../../model/proxy.js';
import type { MeshService } from '../../model/registry/types.js';
import type { Snapshot } from '../../model/snapshot.js';
import { EMPTY_JWKS, type JwksLookup } from '../common/authn/jwks-lookup.js';
import { parseClusterName } from '../common/cluster-name.js';
import { proxyConfigScope } from '../common/proxy-config.js';
import { Diagnostics, uniqueDiagnostics } from '../common/diagnostics.js';
import { changedSecretNamespaces, configMapsChanged, SDS_ONLY } from '../gateway/sds-changes.js';
import type { CaBundleIndex } from '../gateway/sds-configmap.js';
import type { CredentialIndex } from '../gateway/sds-credentials.js';
import { TypeUrl } from '../type-urls.js';
import type { Generated, Generator, XdsResource } from '../types.js';
import { buildClusters } from './cds/index.js';
import { SidecarContext } from './context.js';
import { buildLoadAssignment } from './eds/index.js';
import { buildListeners } from './lds/index.js';
import { buildRouteConfiguration } from './rds/index.js';
import { DEFAULT_SIDECAR_FEATURES, type SidecarFeatures } from './features.js';
import { buildSidecarSecrets } from './sds-secrets.js';

// SDS: what a DestinationRule credentialName makes clusters ask istiod for: `configmap://` CA
// bundles, and `kubernetes://` secrets of the proxy's namespace (a DR with a workloadSelector).
const TYPE_URLS = Object.freeze([TypeUrl.Listener, TypeUrl.RouteConfiguration, TypeUrl.Cluster, TypeUrl.ClusterLoadAssignment, TypeUrl.Secret]);

const byName = (a: XdsResource, b: XdsResource) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

function onlyNamed(all: XdsResource[], names: readonly string[] | undefined): XdsResource[] {
  if (names === undefined) return all;
  const wanted = new Set(names);
  return all.filter((r) => wanted.has(r.name));
}

function named(ctx: SidecarContext, names: readonly string[], one: (ctx: SidecarContext, name: string) => XdsResource | undefined): XdsResource[] {
  return [...new Set(names)].flatMap((name) => one(ctx, name) ?? []);
}

function resourcesFor(ctx: SidecarContext, typeUrl: string, names: readonly string[] | undefined): XdsResource[] {
  switch (typeUrl) {
    case TypeUrl.Listener: return onlyNamed(buildListeners(ctx), names);
    case TypeUrl.Cluster: return onlyNamed(buildClusters(ctx), names);
    case TypeUrl.RouteConfiguration: return named(ctx, names ?? [], buildRouteConfiguration);
    case TypeUrl.ClusterLoadAssignment: return named(ctx, names ?? [], buildLoadAssignment);
    default: return [];
  }
}

const sortedLabels = (labels: Readonly<Record<string, string>>) =>
  Object.keys(labels).sort().map((k) => `${k}=${labels[k]}`).join(',');

const localityKey = (p: Proxy) => (p.locality ? `${p.locality.region}/${p.locality.zone}/${p.locality.subzone}` : '');

/**
 * What each type depends on besides the snapshot:
 * - RDS: namespace (visibility, short names) and labels (Sidecar selection, sourceLabels);
 * - EDS: namespace (the DestinationRule it sees: subsets, locality settings), labels (Sidecar)
 *   and locality (failover priorities);
 * - LDS and CDS also the proxy's own workload: IPs (inbound instances), locality, and the
 *   metadata the listeners read (interception mode).
 */
function computeScopeKey(proxy: Proxy, typeUrl: string): string {
  const base = `ns=${proxy.namespace};labels=${sortedLabels(proxy.metadata.labels)}`;
  // Routes follow proxyHeaders.attemptCount (include_request_attempt_count) when the proxy sent a ProxyConfig.
  const pc = proxyConfigScope(proxy);
  if (typeUrl === TypeUrl.RouteConfiguration) return pc === '' ? base : `${base};pc=${pc}`;
  if (typeUrl === TypeUrl.ClusterLoadAssignment) return `${base};loc=${localityKey(proxy)};net=${proxy.metadata.network ?? ''}`;
  const ips = [...proxy.ipAddresses].sort().join(',');
  const key = `${base};ips=${ips};loc=${localityKey(proxy)};mode=${proxy.metadata.interceptionMode ?? ''}`;
  // Listeners follow the proxy's own ProxyConfig (proxyHeaders) when it sent one.
  return typeUrl !== TypeUrl.Listener || pc === '' ? key : `${key};pc=${pc}`;
}

function memoizedScopeKey(): Generator['scopeKey'] {
  const byProxy = new WeakMap<Proxy, Map<string, string>>();
  return (proxy, typeUrl) => {
    let keys = byProxy.get(proxy);
    if (!keys) byProxy.set(proxy, (keys = new Map()));
    let key = keys.get(typeUrl);
    if (key === undefined) keys.set(typeUrl, (key = computeScopeKey(proxy, typeUrl)));
    return key;
  };
}

function affectedByEndpoints(): Generator['affectedByEndpoints'] {
  const changedHostSets = new WeakMap<ChangeSet, ReadonlySet<string>>();
  return (changes, typeUrl, name) => {
    if (typeUrl !== TypeUrl.ClusterLoadAssignment) return false;
    let hosts = changedHostSets.get(changes);
    if (!hosts) changedHostSets.set(changes, (hosts = new Set(changes.endpointsChanged)));
    const host = parseClusterName(name)?.host;
    return host !== undefined && hosts.has(host);
  };
}

function selectsProxy(service: MeshService, proxy: Proxy): boolean {
  const selector = service.selector;
  if (!selector || Object.keys(selector).length === 0) return false;
  if (service.source === 'Kubernetes' && service.namespace !== proxy.namespace) return false;
  return Object.entries(selector).every(([k, v]) => proxy.metadata.labels[k] === v);
}

/**
 * Endpoint moves reach LDS and CDS too when they touch the proxy's own workload (its inbound
 * side) or a service whose clusters carry endpoints inline (DNS) or whose listeners follow
 * endpoint IPs (headless, Passthrough).
 */
function alsoAffectedByEndpoints(snapshot: Snapshot, changes: ChangeSet, proxy: Proxy): readonly string[] {
  const ips = new Set(proxy.ipAddresses);
  for (const host of changes.endpointsChanged) {
    for (const svc of snapshot.servicesForHost(host)) {
      if (svc.resolution !== 'ClientSideLB' || selectsProxy(svc, proxy)) return LDS_AND_CDS;
      if (snapshot.endpointsOf(svc).some((ep) => ips.has(ep.address))) return LDS_AND_CDS;
    }
  }
  return [];
}

const LDS_AND_CDS = Object.freeze([TypeUrl.Cluster, TypeUrl.Listener]);

/**
 * Listeners inline the key sets of jwksUri rules: with a lookup, their scope key carries its
 * version, so a fetched or rotated key set is never served from a stale cached answer.
 */
function withJwksVersion(scopeKey: Generator['scopeKey'], jwks: (() => JwksLookup) | undefined): Generator['scopeKey'] {
  if (!jwks) return scopeKey;
  return (proxy, typeUrl, name) => (typeUrl === TypeUrl.Listener ? `${scopeKey(proxy, typeUrl, name)};jwks=${jwks().version}` : scopeKey(proxy, typeUrl, name));
}

type SecretGetters = { readonly credentials?: () => CredentialIndex; readonly caBundles?: () => CaBundleIndex };

/**
 * Secrets depend only on the proxy's namespace (`kubernetes://<name>` is resolved in it) and
 * on the two indexes' versions: one scope per namespace, whatever the labels or IPs (the
 * stream's right to each name was checked before the names got here).
 */
function withSecretScope(scopeKey: Generator['scopeKey'], getters: SecretGetters): Generator['scopeKey'] {
  return (proxy, typeUrl, name) => {
    if (typeUrl !== TypeUrl.Secret) return scopeKey(proxy, typeUrl, name);
    return `sds;ns=${proxy.namespace};cred=${getters.credentials?.().version ?? 'none'};ca=${getters.caBundles?.().version ?? 'none'}`;
  };
}

function sidecarSecrets(getters: SecretGetters, proxy: Proxy, names: readonly string[] | undefined): Generated {
  const diags = new Diagnostics();
  const sources = { ...(getters.credentials ? { credentials: getters.credentials() } : {}), ...(getters.caBundles ? { caBundles: getters.caBundles() } : {}) };
  const resources = buildSidecarSecrets(sources, proxy, names, diags).sort(byName);
  return { resources, diagnostics: uniqueDiagnostics(diags.items) };
}

/**
 * A secret change reaches a sidecar's SDS only: when it is in the sidecar's namespace (the only
 * one its `kubernetes://` names resolve in), or a ConfigMap CA bundle changed. No listener or
 * cluster reads secret contents, so LDS and CDS stay.
 */
function alsoAffectedBySecrets(_snapshot: Snapshot, changes: ChangeSet, proxy: Proxy): readonly string[] {
  if (configMapsChanged(changes)) return SDS_ONLY;
  return changedSecretNamespaces(changes).has(proxy.namespace) ? SDS_ONLY : [];
}

/**
 * `jwks` (a getter, so the generator follows the JWKS resolver): key sets for jwksUri rules; absent = none fetched.
 * `caBundles` (a getter too): ConfigMap CA bundles served as `configmap://` secrets; absent = none served.
 * `credentials` (a getter too): the Kubernetes Secrets behind `kubernetes://` names; absent = none served.
 */
export function createSidecarGenerator(opts: { mesh: MeshConfig; features?: Partial<SidecarFeatures>; jwks?: () => JwksLookup; caBundles?: () => CaBundleIndex; credentials?: () => CredentialIndex }): Generator {
  const { mesh } = opts;
  const features: SidecarFeatures = Object.freeze({ ...DEFAULT_SIDECAR_FEATURES, ...opts.features });
  return Object.freeze({
    name: 'sidecar',
    typeUrls: TYPE_URLS,
    scopeKey: withSecretScope(withJwksVersion(memoizedScopeKey(), opts.jwks), opts),
    nameScopedTypeUrls: Object.freeze([]),
    generate(snapshot: Snapshot, proxy: Proxy, typeUrl: string, names: readonly string[] | undefined): Generated {
      if (typeUrl === TypeUrl.Secret) return sidecarSecrets(opts, proxy, names);
      const ctx = new SidecarContext(snapshot, proxy, mesh, features, opts.jwks?.() ?? EMPTY_JWKS);
      const resources = resourcesFor(ctx, typeUrl, names).sort(byName);
      return { resources, diagnostics: uniqueDiagnostics(ctx.diags.items) };
    },
    affectedByEndpoints: affectedByEndpoints(),
    alsoAffectedByEndpoints,
    alsoAffectedBySecrets,
  });
}
