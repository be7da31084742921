/**
 * The HttpConnectionManager of sidecar listeners, with Istio's settings that are Envoy fields:
 * codec AUTO, websocket upgrades, no stream idle timeout, path normalization by MeshConfig
 * pathNormalization, escaped slashes kept. Outbound managers take routes over RDS (ADS, no
 * initial fetch timeout); inbound ones carry an inline route to the inbound cluster. Both carry
 * the MeshConfig access loggers (common/access-log.ts) and the proxy's ProxyConfig proxyHeaders
 * (common/proxy-config.ts): the Server header, x-request-id generation, x-envoy-* debug headers,
 * and on inbound managers the client-certificate (XFCC) handling.
 */
import type { MeshConfig } from '../../../config/mesh-types.js';
import { accessLogField, meshAccessLogs } from '../../common/access-log.js';
import { adsConfigSource, AnyType } from '../../common/any-types.js';
import { ZERO_DURATION } from '../../common/proto-values.js';
import { proxyHeadersOf, type ProxyHeaders } from '../../common/proxy-config.js';
import { sidecarHttpFilters } from '../http-filters.js';
import { FilterNames, type Json } from './filters.js';

function normalization(mesh: MeshConfig): Json {
  const mode = mesh.pathNormalization?.normalization ?? 'DEFAULT';
  const out: Json = { path_with_escaped_slashes_action: 'KEEP_UNCHANGED' };
  if (mode === 'NONE') return { ...out, normalize_path: { value: false } };
  out.normalize_path = { value: true };
  if (mode === 'MERGE_SLASHES' || mode === 'DECODE_AND_MERGE_SLASHES') out.merge_slashes = true;
  if (mode === 'DECODE_AND_MERGE_SLASHES') out.path_with_escaped_slashes_action = 'UNESCAPE_AND_FORWARD';
  return out;
}

/** Istio's defaults when a caller has no proxy at hand (the proxy's own ProxyConfig otherwise). */
const DEFAULT_OUTBOUND_HEADERS = proxyHeadersOf({}, 'sidecar-outbound');
const DEFAULT_INBOUND_HEADERS = proxyHeadersOf({}, 'sidecar-inbound');

/** The manager fields ProxyHeaders sets (Envoy's defaults are left implicit). */
function headerFields(h: ProxyHeaders): Json {
  return {
    ...(h.serverName !== undefined ? { server_name: h.serverName } : {}),
    ...(h.serverPassThrough ? { server_header_transformation: 'PASS_THROUGH' } : {}),
    ...(h.generateRequestId === false ? { generate_request_id: { value: false } } : {}),
  };
}

function baseManager(mesh: MeshConfig, statPrefix: string, headers: ProxyHeaders, leadingFilters: readonly Json[] = []): Json {
  return {
    '@type': AnyType.HttpConnectionManager,
    stat_prefix: statPrefix,
    codec_type: 'AUTO',
    http_filters: [...leadingFilters, ...sidecarHttpFilters(headers.suppressDebugHeaders)],
    ...headerFields(headers),
    use_remote_address: { value: false },
    upgrade_configs: [{ upgrade_type: 'websocket' }],
    stream_idle_timeout: ZERO_DURATION,
    ...normalization(mesh),
    ...accessLogField(meshAccessLogs(mesh).filter),
  };
}

const asFilter = (typedConfig: Json): Json => ({ name: FilterNames.HttpConnectionManager, typed_config: typedConfig });

/** Outbound: routes come from RDS `routeName`. */
export function outboundHttpManager(mesh: MeshConfig, statPrefix: string, routeName: string, headers: ProxyHeaders = DEFAULT_OUTBOUND_HEADERS): Json {
  return asFilter({
    ...baseManager(mesh, statPrefix, headers),
    rds: { config_source: { ...adsConfigSource(), initial_fetch_timeout: ZERO_DURATION }, route_config_name: routeName },
  });
}

export interface InboundRoute {
  /** Route configuration name: the inbound cluster name (`inbound|<targetPort>||`). */
  readonly cluster: string;
  /** Service port, for the virtual host name `inbound|http|<port>` (0 for passthrough). */
  readonly servicePort: number;
  /** Service hostname for the trace decorator ('' for passthrough). */
  readonly hostname: string;
  readonly http2: boolean;
}

/** Istio's inbound default route: any path to the inbound cluster, no timeouts. */
function inboundRouteConfig(r: InboundRoute): Json {
  return {
    name: r.cluster,
    virtual_hosts: [{
      name: `inbound|http|${r.servicePort}`,
      domains: ['*'],
      routes: [{
        name: 'default',
        match: { prefix: '/' },
        decorator: { operation: `${r.hostname}:${r.servicePort}/*` },
        route: {
          cluster: r.cluster,
          timeout: ZERO_DURATION,
          max_stream_duration: { max_stream_duration: ZERO_DURATION, grpc_timeout_header_max: ZERO_DURATION },
        },
      }],
    }],
    validate_clusters: { value: false },
  };
}

/** XFCC's current-certificate fields: proxyHeaders' own, else Istio's subject + DNS + URI. */
function currentCertDetails(h: ProxyHeaders): Json {
  const d = h.setCurrentClientCertDetails;
  if (!d) return { subject: { value: true }, dns: true, uri: true };
  return { ...(d.subject ? { subject: { value: true } } : {}), ...(d.cert ? { cert: true } : {}), ...(d.chain ? { chain: true } : {}), ...(d.dns ? { dns: true } : {}), ...(d.uri ? { uri: true } : {}) };
}

/**
 * Inbound: inline route; client certificate details forwarded to the application as Istio does
 * (proxyHeaders.forwardedClientCert, default APPEND_FORWARD); `authz` (the RBAC filters) run
 * before every other HTTP filter.
 */
export function inboundHttpManager(mesh: MeshConfig, statPrefix: string, route: InboundRoute, authz: readonly Json[] = [], headers: ProxyHeaders = DEFAULT_INBOUND_HEADERS): Json {
  return asFilter({
    ...baseManager(mesh, statPrefix, headers, authz),
    route_config: inboundRouteConfig(route),
    forward_client_cert_details: headers.forwardClientCert,
    set_current_client_cert_details: currentCertDetails(headers),
    ...(route.http2 ? { http2_protocol_options: {} } : {}),
  });
}
