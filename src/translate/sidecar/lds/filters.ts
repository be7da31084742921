/**
 * Names, type URLs and small builders shared by the sidecar listeners: network filters
 * (tcp_proxy), listener filters (original_dst, tls_inspector, http_inspector) and the
 * cluster names Istio uses for passthrough and blackholing.
 */
import { AnyType } from '../../common/any-types.js';
import { TYPE_URL_PREFIX as PREFIX } from '../../type-urls.js';

export const ListenerType = Object.freeze({
  TcpProxy: `${PREFIX}envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy`,
  TlsInspector: `${PREFIX}envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector`,
  HttpInspector: `${PREFIX}envoy.extensions.filters.listener.http_inspector.v3.HttpInspector`,
  OriginalDst: `${PREFIX}envoy.extensions.filters.listener.original_dst.v3.OriginalDst`,
  OriginalSrc: `${PREFIX}envoy.extensions.filters.listener.original_src.v3.OriginalSrc`,
  MongoProxy: `${PREFIX}envoy.extensions.filters.network.mongo_proxy.v3.MongoProxy`,
  DownstreamTlsContext: AnyType.DownstreamTlsContext,
});

export const FilterNames = Object.freeze({
  TcpProxy: 'envoy.filters.network.tcp_proxy',
  HttpConnectionManager: 'envoy.filters.network.http_connection_manager',
  TlsInspector: 'envoy.filters.listener.tls_inspector',
  HttpInspector: 'envoy.filters.listener.http_inspector',
  OriginalDst: 'envoy.filters.listener.original_dst',
  OriginalSrc: 'envoy.filters.listener.original_src',
  MongoProxy: 'envoy.filters.network.mongo_proxy',
  TlsTransportSocket: 'envoy.transport_sockets.tls',
});

export { SpecialCluster as Clusters } from '../../common/cluster-name.js';

/** Envoy's transport_protocol values set by the TLS inspector (raw_buffer when not TLS). */
export const Transport = Object.freeze({ Tls: 'tls', Raw: 'raw_buffer' });

/** ALPN values the HTTP inspector reports for plaintext HTTP/1.1 and HTTP/2 (prior knowledge). */
export const PLAINTEXT_HTTP_ALPNS: readonly string[] = Object.freeze(['http/1.1', 'h2c']);

export type Json = Record<string, unknown>;

export interface TcpProxyExtras {
  readonly idleTimeout?: Json;
  readonly maxDownstreamConnectionDuration?: Json;
  readonly hashBySourceIp?: boolean;
  /** DestinationRule trafficPolicy.tunnel: HTTP CONNECT (or POST) tunneling to `hostname` (host:port). */
  readonly tunnel?: { readonly hostname: string; readonly usePost: boolean };
  /** MeshConfig access loggers (common/access-log.ts); Istio leaves them off the blackhole chains. */
  readonly accessLog?: readonly Json[];
}

function withExtras(body: Json, extras: TcpProxyExtras | undefined): Json {
  if (extras?.idleTimeout) body.idle_timeout = extras.idleTimeout;
  if (extras?.maxDownstreamConnectionDuration) body.max_downstream_connection_duration = extras.maxDownstreamConnectionDuration;
  if (extras?.hashBySourceIp) body.hash_policy = [{ source_ip: {} }];
  if (extras?.tunnel) body.tunneling_config = { hostname: extras.tunnel.hostname, ...(extras.tunnel.usePost ? { use_post: true } : {}) };
  if (extras?.accessLog?.length) body.access_log = extras.accessLog;
  return body;
}

export function tcpProxyFilter(statPrefix: string, cluster: string, extras?: TcpProxyExtras): Json {
  const body = withExtras({ '@type': ListenerType.TcpProxy, stat_prefix: statPrefix, cluster }, extras);
  return { name: FilterNames.TcpProxy, typed_config: body };
}

export interface WeightedCluster { readonly name: string; readonly weight: number }

export function weightedTcpProxyFilter(statPrefix: string, clusters: readonly WeightedCluster[], extras?: TcpProxyExtras): Json {
  const body = withExtras({
    '@type': ListenerType.TcpProxy,
    stat_prefix: statPrefix,
    weighted_clusters: { clusters: clusters.map((c) => ({ name: c.name, weight: c.weight })) },
  }, extras);
  return { name: FilterNames.TcpProxy, typed_config: body };
}

export function listenerFilter(name: string, type: string, filterDisabled?: Json): Json {
  return { name, typed_config: { '@type': type }, ...(filterDisabled ? { filter_disabled: filterDisabled } : {}) };
}

export const tlsInspector = (disabled?: Json) => listenerFilter(FilterNames.TlsInspector, ListenerType.TlsInspector, disabled);
export const httpInspector = (disabled?: Json) => listenerFilter(FilterNames.HttpInspector, ListenerType.HttpInspector, disabled);
export const originalDst = () => listenerFilter(FilterNames.OriginalDst, ListenerType.OriginalDst);
/** The PROXY protocol listener filter (gateways behind a load balancer that sends it). */
export const proxyProtocolListenerFilter = () => ({ name: 'envoy.filters.listener.proxy_protocol', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.listener.proxy_protocol.v3.ProxyProtocol' } });

/** Istio's TPROXY mark: upstream connections keep the downstream source address. */
const ORIGINAL_SRC_MARK = 1337;

export function originalSrc(): Json {
  return { name: FilterNames.OriginalSrc, typed_config: { '@type': ListenerType.OriginalSrc, mark: ORIGINAL_SRC_MARK } };
}

/**
 * The network filters in front of a tcp_proxy for a port's protocol, as Istio stacks them: the
 * Mongo proxy filter (PILOT_ENABLE_MONGO_FILTER, on by default) for `mongo` ports; nothing for
 * Redis and MySQL, whose filters Istio leaves off by default.
 */
export function withProtocolFilters(protocol: string | undefined, statPrefix: string, tcpProxy: Json): Json[] {
  if (protocol !== 'Mongo') return [tcpProxy];
  return [{ name: FilterNames.MongoProxy, typed_config: { '@type': ListenerType.MongoProxy, stat_prefix: statPrefix } }, tcpProxy];
}

export function socketAddress(address: string, port: number): Json {
  return { socket_address: { address, port_value: port } };
}
