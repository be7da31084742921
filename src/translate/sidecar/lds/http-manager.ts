/**
 * The HttpConnectionManager of sidecar listeners, with Istio's settings that are Envoy fields:
 * codec AUTO, websocket upgrades, no stream idle timeout, path normalization by MeshConfig
 * pathNormalization, escaped slashes kept. Outbound managers take routes over RDS (ADS, no
 * initial fetch timeout); inbound ones carry an inline route to the inbound cluster. Both carry
 * the MeshConfig access loggers (common/access-log.ts).
 */
import type { MeshConfig } from '../../../config/mesh-types.js';
import { accessLogField, meshAccessLogs } from '../../common/access-log.js';
import { adsConfigSource, AnyType } from '../../common/any-types.js';
import { ZERO_DURATION } from '../../common/proto-values.js';
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

function baseManager(mesh: MeshConfig, statPrefix: string, leadingFilters: readonly Json[] = []): Json {
  return {
    '@type': AnyType.HttpConnectionManager,
    stat_prefix: statPrefix,
    codec_type: 'AUTO',
    http_filters: [...leadingFilters, ...sidecarHttpFilters()],
    use_remote_address: { value: false },
    upgrade_configs: [{ upgrade_type: 'websocket' }],
    stream_idle_timeout: ZERO_DURATION,
    ...normalization(mesh),
    ...accessLogField(meshAccessLogs(mesh).filter),
  };
}

const asFilter = (typedConfig: Json): Json => ({ name: FilterNames.HttpConnectionManager, typed_config: typedConfig });

/** Outbound: routes come from RDS `routeName`. */
export function outboundHttpManager(mesh: MeshConfig, statPrefix: string, routeName: string): Json {
  return asFilter({
    ...baseManager(mesh, statPrefix),
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

/**
 * Inbound: inline route; client certificate details forwarded to the application as Istio does;
 * `authz` (the RBAC filters) run before every other HTTP filter.
 */
export function inboundHttpManager(mesh: MeshConfig, statPrefix: string, route: InboundRoute, authz: readonly Json[] = []): Json {
  return asFilter({
    ...baseManager(mesh, statPrefix, authz),
    route_config: inboundRouteConfig(route),
    forward_client_cert_details: 'APPEND_FORWARD',
    set_current_client_cert_details: { subject: { value: true }, dns: true, uri: true },
    ...(route.http2 ? { http2_protocol_options: {} } : {}),
  });
}
