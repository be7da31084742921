/** The xDS resource type URLs istiod-ts serves, and the order in which a full push sends them. */
/** Every Any's type URL is this prefix and the message's full name. */
export const TYPE_URL_PREFIX = 'type.googleapis.com/';
const PREFIX = TYPE_URL_PREFIX;

export const TypeUrl = Object.freeze({
  Listener: `${PREFIX}envoy.config.listener.v3.Listener`,
  RouteConfiguration: `${PREFIX}envoy.config.route.v3.RouteConfiguration`,
  Cluster: `${PREFIX}envoy.config.cluster.v3.Cluster`,
  ClusterLoadAssignment: `${PREFIX}envoy.config.endpoint.v3.ClusterLoadAssignment`,
  Secret: `${PREFIX}envoy.extensions.transport_sockets.tls.v3.Secret`,
});

/** Short names used in logs, metrics labels and debug views, as Istio uses them. */
export const TYPE_SHORT_NAMES: Readonly<Record<string, string>> = Object.freeze({
  [TypeUrl.Cluster]: 'cds',
  [TypeUrl.ClusterLoadAssignment]: 'eds',
  [TypeUrl.Listener]: 'lds',
  [TypeUrl.RouteConfiguration]: 'rds',
  [TypeUrl.Secret]: 'sds',
});

/** Clusters before their endpoints, listeners before their routes (the xDS spec's order). */
export const PUSH_ORDER: readonly string[] = Object.freeze([
  TypeUrl.Cluster,
  TypeUrl.ClusterLoadAssignment,
  TypeUrl.Listener,
  TypeUrl.RouteConfiguration,
  TypeUrl.Secret,
]);

/** LDS and CDS allow wildcard subscriptions; the others are always named. */
export function allowsWildcard(typeUrl: string): boolean {
  return typeUrl === TypeUrl.Listener || typeUrl === TypeUrl.Cluster;
}

export function shortTypeName(typeUrl: string): string {
  return TYPE_SHORT_NAMES[typeUrl] ?? typeUrl.slice(typeUrl.lastIndexOf('.') + 1);
}
