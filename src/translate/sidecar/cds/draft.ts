/**
 * A cluster under construction: the Cluster body plus its upstream HttpProtocolOptions, which
 * several steps (port protocol, connection pool, h2 upgrade, TLS auto-SNI) edit before they are
 * packed into `typed_extension_protocol_options` at the end, as Istio's cluster wrapper does.
 */
import { protoDuration, type ProtoDuration } from '../../common/proto-values.js';
import { shared } from '../../common/shared.js';
import type { MeshConfig } from '../../../config/mesh-types.js';
import { TypeUrl } from '../../type-urls.js';
import type { XdsResource } from '../../types.js';

export type Json = Record<string, unknown>;

export const HTTP_PROTOCOL_OPTIONS_KEY = 'envoy.extensions.upstreams.http.v3.HttpProtocolOptions';
const HTTP_PROTOCOL_OPTIONS_TYPE = `type.googleapis.com/${HTTP_PROTOCOL_OPTIONS_KEY}`;

export type DiscoveryType = 'EDS' | 'STATIC' | 'STRICT_DNS' | 'LOGICAL_DNS' | 'ORIGINAL_DST';

export interface ClusterDraft {
  readonly name: string;
  readonly cluster: Json;
  /** HttpProtocolOptions fields (without '@type'); undefined until a step needs them. */
  http?: Json;
}

const DEFAULT_CONNECT_TIMEOUT: ProtoDuration = { seconds: 10, nanos: 0 };

export function meshConnectTimeout(mesh: MeshConfig): ProtoDuration {
  return protoDuration(mesh.connectTimeout) ?? DEFAULT_CONNECT_TIMEOUT;
}

/** Shared (frozen) until a step sets a field: see commonLbConfig(). */
const EMPTY_COMMON_LB_CONFIG = shared({});

/** Istio's base cluster: type, `<name>;` stat name, an empty common_lb_config. */
export function newDraft(name: string, type: DiscoveryType): ClusterDraft {
  return { name, cluster: { '@type': TypeUrl.Cluster, name, type, alt_stat_name: `${name};`, common_lb_config: EMPTY_COMMON_LB_CONFIG } };
}

/** The draft's own (writable) common_lb_config, copied from the shared empty one on first write. */
export function commonLbConfig(draft: ClusterDraft): Json {
  const current = draft.cluster.common_lb_config as Json | undefined;
  if (current && !Object.isFrozen(current)) return current;
  return (draft.cluster.common_lb_config = { ...current });
}

function httpOptions(draft: ClusterDraft): Json {
  return (draft.http ??= {});
}

/** Explicit HTTP/2 upstream (an h2 port, or an h2 upgrade, which wins over an earlier choice as in Istio). */
export function setHttp2(draft: ClusterDraft): void {
  const http = httpOptions(draft);
  delete http.use_downstream_protocol_config;
  http.explicit_http_config = { http2_protocol_options: {} };
}

/** Upstream speaks whatever the downstream spoke (sniffed ports, useClientProtocol). */
export function setUseDownstreamProtocol(draft: ClusterDraft): void {
  const http = httpOptions(draft);
  delete http.explicit_http_config;
  http.use_downstream_protocol_config = { http_protocol_options: {}, http2_protocol_options: {} };
}

export function isHttp2Draft(draft: ClusterDraft): boolean {
  const explicit = draft.http?.explicit_http_config as Json | undefined;
  return explicit?.http2_protocol_options !== undefined;
}

export function http2Options(draft: ClusterDraft): Json | undefined {
  const explicit = draft.http?.explicit_http_config as Json | undefined;
  return explicit?.http2_protocol_options as Json | undefined;
}

export function commonHttpOptions(draft: ClusterDraft): Json {
  const http = httpOptions(draft);
  return (http.common_http_protocol_options ??= {}) as Json;
}

export function upstreamHttpOptions(draft: ClusterDraft): Json {
  const http = httpOptions(draft);
  return (http.upstream_http_protocol_options ??= {}) as Json;
}

/** The finished resource; HTTP options default to HTTP/1.1 when only other fields were set. */
export function finishDraft(draft: ClusterDraft): XdsResource {
  if (!draft.http) return { name: draft.name, body: draft.cluster }; // the draft is not used after this
  const http: Json = { ...draft.http };
  if (http.explicit_http_config === undefined && http.use_downstream_protocol_config === undefined) {
    http.explicit_http_config = { http_protocol_options: {} };
  }
  const body: Json = { ...draft.cluster, typed_extension_protocol_options: { [HTTP_PROTOCOL_OPTIONS_KEY]: { '@type': HTTP_PROTOCOL_OPTIONS_TYPE, ...http } } };
  return { name: draft.name, body };
}

/** `filter_metadata.istio` of the cluster, created on first use. */
export function istioMetadata(draft: ClusterDraft): Json {
  const metadata = (draft.cluster.metadata ??= { filter_metadata: {} }) as { filter_metadata: Json };
  return (metadata.filter_metadata.istio ??= {}) as Json;
}
