/**
 * The proxyless gRPC generator (node metadata GENERATOR=grpc), Istio's grpcgen counterpart:
 * client api_listeners and A36 server listeners (LDS), per-service-port route configurations
 * (RDS), per-port and per-subset clusters (CDS) and their endpoints (EDS), in shapes gRPC's
 * xDS clients accept. Pure: the same snapshot and proxy give the same resources.
 */
import type { MeshConfig } from '../../config/mesh-types.js';
import type { ChangeSet } from '../../model/change-set.js';
import type { Proxy } from '../../model/proxy.js';
import type { Snapshot } from '../../model/snapshot.js';
import { TypeUrl } from '../type-urls.js';
import type { Generated, Generator, XdsResource } from '../types.js';
import { parseClusterName } from '../common/cluster-name.js';
import { uniqueDiagnostics } from '../common/diagnostics.js';
import { allClusters, clusterFor } from './cds.js';
import { GrpcContext } from './context.js';
import { loadAssignmentFor } from './eds.js';
import { allClientListeners, clientListenerFor } from './lds-client.js';
import { isServerListenerName, parseListenerName } from './listener-names.js';
import { serverListenerFor } from './lds-server.js';
import { routeConfigurationFor } from './rds.js';

export { SERVER_LISTENER_PREFIXES } from './listener-names.js';

const TYPE_URLS = Object.freeze([TypeUrl.Listener, TypeUrl.RouteConfiguration, TypeUrl.Cluster, TypeUrl.ClusterLoadAssignment]);

function listenerFor(ctx: GrpcContext, name: string): XdsResource | undefined {
  const parsed = parseListenerName(name);
  if (parsed.kind === 'server') return serverListenerFor(ctx, parsed);
  if (parsed.kind === 'client') return clientListenerFor(ctx, parsed);
  ctx.diags.warn(undefined, undefined, `unknown listener name: ${parsed.reason}`, name);
  return undefined;
}

function named(ctx: GrpcContext, names: readonly string[], one: (ctx: GrpcContext, name: string) => XdsResource | undefined): XdsResource[] {
  return [...new Set(names)].flatMap((name) => one(ctx, name) ?? []);
}

function resourcesFor(ctx: GrpcContext, typeUrl: string, names: readonly string[] | undefined): XdsResource[] {
  switch (typeUrl) {
    case TypeUrl.Listener: return names === undefined ? allClientListeners(ctx) : named(ctx, names, listenerFor);
    case TypeUrl.Cluster: return names === undefined ? allClusters(ctx) : named(ctx, names, clusterFor);
    case TypeUrl.RouteConfiguration: return named(ctx, names ?? [], routeConfigurationFor);
    case TypeUrl.ClusterLoadAssignment: return named(ctx, names ?? [], loadAssignmentFor);
    default: return [];
  }
}

const byName = (a: XdsResource, b: XdsResource) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

function labelsKey(labels: Readonly<Record<string, string>>): string {
  return Object.keys(labels).sort().map((k) => `${k}=${labels[k]}`).join(',');
}

/**
 * What each type depends on besides the snapshot:
 * - every type: the proxy's namespace (service and rule visibility, DestinationRule lookup,
 *   short names; for EDS the subset labels come from the rule the namespace sees);
 * - server listeners (LDS) also the proxy's IPs: one on 0.0.0.0 / :: is matched at the proxy's
 *   own IPs; client listeners and the wildcard set do not, so they are shared;
 * - RDS also the proxy's labels: VirtualService matches may select on sourceLabels.
 */
function computeScopeKey(proxy: Proxy, typeUrl: string, name: string | undefined): string {
  const ns = `ns=${proxy.namespace}`;
  if (typeUrl === TypeUrl.Listener && name !== undefined && isServerListenerName(name)) return `${ns};ips=${[...proxy.ipAddresses].sort().join(',')}`;
  if (typeUrl === TypeUrl.RouteConfiguration) return `${ns};labels=${labelsKey(proxy.metadata.labels)}`;
  return ns;
}

/**
 * For an endpoints-only change: EDS resources of the changed hosts, and server listeners (which
 * exist only while the registry has an endpoint at their address).
 */
function affectedByEndpoints(): Generator['affectedByEndpoints'] {
  // endpointsChanged as a Set, once per (frozen) ChangeSet: asked for every subscribed name of every proxy.
  const changedHostSets = new WeakMap<ChangeSet, ReadonlySet<string>>();
  const changedHosts = (changes: ChangeSet) => {
    let hosts = changedHostSets.get(changes);
    if (!hosts) changedHostSets.set(changes, (hosts = new Set(changes.endpointsChanged)));
    return hosts;
  };
  return (changes, typeUrl, name) => {
    if (typeUrl === TypeUrl.ClusterLoadAssignment) {
      const host = parseClusterName(name)?.host;
      return host !== undefined && changedHosts(changes).has(host);
    }
    return typeUrl === TypeUrl.Listener && isServerListenerName(name) && changes.endpointsChanged.length > 0;
  };
}

/**
 * For an endpoints-only change, the types besides EDS it reaches: clusters (their SANs are the
 * endpoints' identities, and automatic mTLS follows the endpoints' tlsMode labels; unchanged
 * clusters keep their version and are not re-sent), and server listeners when an endpoint at
 * one of the proxy's own IPs changed (they exist only while the registry has the workload, and
 * its labels choose mTLS).
 */
function alsoAffectedByEndpoints(snapshot: Snapshot, changes: ChangeSet, proxy: Proxy): readonly string[] {
  if (changes.endpointsChanged.length === 0) return [];
  const ips = new Set(proxy.ipAddresses);
  const own = changes.endpointsChanged.some((host) =>
    snapshot.servicesForHost(host).some((svc) => snapshot.endpointsOf(svc).some((ep) => ips.has(ep.address))));
  return own ? [TypeUrl.Cluster, TypeUrl.Listener] : [TypeUrl.Cluster];
}

/**
 * Scope keys are asked for per resource name on every push, so they are memoized per (frozen)
 * proxy; a memo keyed only by its inputs keeps the generator pure.
 */
function memoizedScopeKey(): Generator['scopeKey'] {
  const byProxy = new WeakMap<Proxy, Map<string, string>>();
  return (proxy, typeUrl, name) => {
    const serverListener = typeUrl === TypeUrl.Listener && name !== undefined && isServerListenerName(name);
    const slot = `${typeUrl}${serverListener ? '#server' : ''}`;
    let keys = byProxy.get(proxy);
    if (!keys) byProxy.set(proxy, (keys = new Map()));
    let key = keys.get(slot);
    if (key === undefined) keys.set(slot, (key = computeScopeKey(proxy, typeUrl, name)));
    return key;
  };
}

export function createGrpcGenerator(opts: { mesh: MeshConfig }): Generator {
  const { mesh } = opts;
  return Object.freeze({
    name: 'grpc',
    typeUrls: TYPE_URLS,
    scopeKey: memoizedScopeKey(),
    nameScopedTypeUrls: Object.freeze([TypeUrl.Listener]),
    generate(snapshot: Snapshot, proxy: Proxy, typeUrl: string, names: readonly string[] | undefined): Generated {
      const ctx = new GrpcContext(snapshot, proxy, mesh);
      const resources = resourcesFor(ctx, typeUrl, names).sort(byName);
      return { resources, diagnostics: uniqueDiagnostics(ctx.diags.items) };
    },
    affectedByEndpoints: affectedByEndpoints(),
    alsoAffectedByEndpoints,
  });
}
