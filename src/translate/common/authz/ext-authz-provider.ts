/**
 * MeshConfig extensionProviders of kind envoyExtAuthzHttp / envoyExtAuthzGrpc → the Envoy
 * ext_authz filter configs (HTTP, and for gRPC providers also the network filter), as Istio's
 * authz builder makes them. A provider that cannot be used (bad port, service not in the
 * registry, bad statusOnError or pathPrefix, a lone `*` header pattern) resolves to a reason;
 * CUSTOM policies using it then fail closed.
 *
 * Each ext_authz filter runs only when the RBAC filter in front of it recorded a matching CUSTOM
 * rule: filter_enabled_metadata reads the RBAC filter's dynamic metadata key
 * `istio_ext_authz_shadow_effective_policy_id` and requires the prefix `istio-ext-authz`, the
 * prefix every CUSTOM rule name carries.
 */
import type { EnvoyExtAuthzGrpcProvider, EnvoyExtAuthzHttpProvider, EnvoyExtAuthzRequestBody, ExtensionProvider } from '../../../config/mesh-types.js';
import { buildClusterName } from '../cluster-name.js';
import { protoDuration, type ProtoDuration } from '../proto-values.js';
import type { Json } from './matchers.js';
import { httpStatusName } from './http-status.js';

export const ExtAuthzFilterName = Object.freeze({ Http: 'envoy.filters.http.ext_authz', Network: 'envoy.filters.network.ext_authz' });
export const ExtAuthzType = Object.freeze({
  Http: 'type.googleapis.com/envoy.extensions.filters.http.ext_authz.v3.ExtAuthz',
  Network: 'type.googleapis.com/envoy.extensions.filters.network.ext_authz.v3.ExtAuthz',
});
/** Prefix of CUSTOM rule names, and the value prefix the ext_authz filters wait for. */
export const EXT_AUTHZ_MATCH_PREFIX = 'istio-ext-authz';
/** shadow_rules_stat_prefix of the CUSTOM RBAC filter; Envoy prefixes its metadata keys with it. */
export const EXT_AUTHZ_SHADOW_STAT_PREFIX = 'istio_ext_authz_';
/** The dynamic metadata key (under the RBAC filter's name) the ext_authz filters read. */
export const EXT_AUTHZ_METADATA_KEY = `${EXT_AUTHZ_SHADOW_STAT_PREFIX}shadow_effective_policy_id`;
/** Istio's default ext_authz timeout when the provider sets none. */
const DEFAULT_TIMEOUT: ProtoDuration = Object.freeze({ seconds: 600, nanos: 0 });

/** A registry service an ext_authz provider may point at. */
export interface ExtAuthzService {
  readonly hostname: string;
  readonly ports: readonly number[];
}
export type ServiceLookup = (service: string) => { readonly ok: true; readonly value: ExtAuthzService } | { readonly ok: false; readonly reason: string };

/** The filter configs (typed_config bodies) one provider gives; tcp only for gRPC providers. */
export interface BuiltExtAuthz {
  readonly http: Json;
  readonly tcp?: Json;
}
export type ResolvedProvider = { readonly ok: true; readonly value: BuiltExtAuthz } | { readonly ok: false; readonly reason: string };

/** filter_enabled_metadata: run only when a CUSTOM rule (name prefix istio-ext-authz) matched. */
export function extAuthzEnabledMetadata(rbacFilterName: string): Json {
  return {
    filter: rbacFilterName,
    path: [{ key: EXT_AUTHZ_METADATA_KEY }],
    value: { string_match: { prefix: EXT_AUTHZ_MATCH_PREFIX } },
  };
}

/** Istio's header patterns: `*x` suffix, `x*` prefix, else exact; always case-insensitive. */
function headerMatchers(headers: readonly string[] | undefined): Json | undefined {
  if (!headers?.length) return undefined;
  const patterns = headers.map((h) => {
    if (h.startsWith('*')) return { suffix: h.slice(1), ignore_case: true };
    if (h.endsWith('*')) return { prefix: h.slice(0, -1), ignore_case: true };
    return { exact: h, ignore_case: true };
  });
  return { patterns };
}

function requestBody(body: EnvoyExtAuthzRequestBody | undefined, errors: string[]): Json | undefined {
  if (!body) return undefined;
  // Envoy requires max_request_bytes > 0 (validate.rules); Istio would pass 0 through and be NACKed.
  if (!body.maxRequestBytes) errors.push('includeRequestBodyInCheck.maxRequestBytes must be greater than 0');
  return {
    max_request_bytes: body.maxRequestBytes ?? 0,
    ...(body.allowPartialMessage ? { allow_partial_message: true } : {}),
    ...(body.packAsBytes ? { pack_as_bytes: true } : {}),
  };
}

interface Common {
  readonly hostname: string;
  readonly cluster: string;
  readonly timeout: ProtoDuration;
  readonly status?: Json;
}

/** What both provider kinds check: port, service (→ cluster), timeout and statusOnError. */
function commonParts(p: EnvoyExtAuthzGrpcProvider, lookup: ServiceLookup, errors: string[]): Common | undefined {
  const port = p.port ?? 0;
  if (!Number.isInteger(port) || port < 1 || port > 65535) errors.push(`port must be in the range [1, 65535], found: ${port}`);
  let service: ExtAuthzService | undefined;
  if (!p.service) errors.push('service must not be empty');
  else {
    const found = lookup(p.service);
    if (found.ok) service = found.value;
    else errors.push(found.reason);
  }
  // Stricter than Istio (which only range-checks): a port the service lacks has no cluster in CDS.
  if (service && errors.length === 0 && !service.ports.includes(port)) errors.push(`service ${service.hostname} has no port ${port}`);
  const timeout = p.timeout === undefined ? DEFAULT_TIMEOUT : protoDuration(p.timeout);
  if (!timeout) errors.push(`invalid timeout ${JSON.stringify(p.timeout)}`);
  let status: Json | undefined;
  if (p.statusOnError !== undefined && p.statusOnError !== '') {
    const name = /^[+-]?\d{1,10}$/.test(p.statusOnError) ? httpStatusName(Number(p.statusOnError)) : undefined;
    if (name) status = { code: name };
    else errors.push(`unsupported statusOnError ${JSON.stringify(p.statusOnError)}: must be an HTTP status code Envoy knows`);
  }
  if (errors.length > 0 || !service || !timeout) return undefined;
  return { hostname: service.hostname, cluster: buildClusterName(port, '', service.hostname), timeout, ...(status ? { status } : {}) };
}

/** Fields of the HTTP ext_authz filter shared by both provider kinds. */
function httpFilterBase(p: EnvoyExtAuthzGrpcProvider, c: Common, body: Json | undefined): Json {
  return {
    '@type': ExtAuthzType.Http,
    ...(c.status ? { status_on_error: c.status } : {}),
    ...(p.failOpen ? { failure_mode_allow: true } : {}),
    ...(p.clearRouteCache ? { clear_route_cache: true } : {}),
    transport_api_version: 'V3',
    filter_enabled_metadata: extAuthzEnabledMetadata('envoy.filters.http.rbac'),
    ...(body ? { with_request_body: body } : {}),
  };
}

function checkNoLoneWildcard(p: EnvoyExtAuthzHttpProvider, errors: string[]): void {
  const lists = ['includeRequestHeadersInCheck', 'includeHeadersInCheck', 'headersToDownstreamOnDeny', 'headersToDownstreamOnAllow', 'headersToUpstreamOnAllow'] as const;
  for (const field of lists) {
    if (p[field]?.includes('*')) errors.push(`${field}: a single wildcard ("*") is not supported, use a prefix or suffix match`);
  }
}

function buildHttpProvider(p: EnvoyExtAuthzHttpProvider, lookup: ServiceLookup): ResolvedProvider {
  const errors: string[] = [];
  const c = commonParts(p, lookup, errors);
  if (p.pathPrefix && !p.pathPrefix.startsWith('/')) errors.push(`pathPrefix must begin with "/", found: ${JSON.stringify(p.pathPrefix)}`);
  checkNoLoneWildcard(p, errors);
  const body = requestBody(p.includeRequestBodyInCheck, errors);
  if (!c || errors.length > 0) return { ok: false, reason: errors.join('; ') };
  // includeHeadersInCheck is Istio's deprecated spelling, used only when the new field is empty.
  const allowed = headerMatchers(p.includeRequestHeadersInCheck) ?? headerMatchers(p.includeHeadersInCheck);
  const extra = Object.keys(p.includeAdditionalHeadersInCheck ?? {}).sort();
  const response = {
    ...(headerMatchers(p.headersToUpstreamOnAllow) ? { allowed_upstream_headers: headerMatchers(p.headersToUpstreamOnAllow) } : {}),
    ...(headerMatchers(p.headersToDownstreamOnDeny) ? { allowed_client_headers: headerMatchers(p.headersToDownstreamOnDeny) } : {}),
    ...(headerMatchers(p.headersToDownstreamOnAllow) ? { allowed_client_headers_on_success: headerMatchers(p.headersToDownstreamOnAllow) } : {}),
  };
  const httpService: Json = {
    server_uri: { uri: `http://${c.hostname}`, cluster: c.cluster, timeout: c.timeout },
    ...(p.pathPrefix ? { path_prefix: p.pathPrefix } : {}),
    ...(extra.length ? { authorization_request: { headers_to_add: extra.map((key) => ({ key, value: p.includeAdditionalHeadersInCheck![key] })) } } : {}),
    ...(Object.keys(response).length ? { authorization_response: response } : {}),
  };
  return { ok: true, value: { http: { ...httpFilterBase(p, c, body), http_service: httpService, ...(allowed ? { allowed_headers: allowed } : {}) } } };
}

function buildGrpcProvider(p: EnvoyExtAuthzGrpcProvider, lookup: ServiceLookup): ResolvedProvider {
  const errors: string[] = [];
  const c = commonParts(p, lookup, errors);
  const body = requestBody(p.includeRequestBodyInCheck, errors);
  if (!c || errors.length > 0) return { ok: false, reason: errors.join('; ') };
  const grpcService = { envoy_grpc: { cluster_name: c.cluster, authority: c.hostname }, timeout: c.timeout };
  const tcp: Json = {
    '@type': ExtAuthzType.Network,
    stat_prefix: 'tcp.',
    grpc_service: grpcService,
    ...(p.failOpen ? { failure_mode_allow: true } : {}),
    transport_api_version: 'V3',
    filter_enabled_metadata: extAuthzEnabledMetadata('envoy.filters.network.rbac'),
  };
  return { ok: true, value: { http: { ...httpFilterBase(p, c, body), grpc_service: grpcService }, tcp } };
}

export const isExtAuthzProvider = (p: ExtensionProvider): boolean => p.envoyExtAuthzHttp !== undefined || p.envoyExtAuthzGrpc !== undefined;

/** The ext_authz filters of one provider, or why it cannot be used; undefined for other kinds. */
export function resolveExtAuthzProvider(provider: ExtensionProvider, lookup: ServiceLookup): ResolvedProvider | undefined {
  const http = provider.envoyExtAuthzHttp as EnvoyExtAuthzHttpProvider | undefined;
  if (http !== undefined) return buildHttpProvider(http ?? {}, lookup);
  const grpc = provider.envoyExtAuthzGrpc as EnvoyExtAuthzGrpcProvider | undefined;
  if (grpc !== undefined) return buildGrpcProvider(grpc ?? {}, lookup);
  return undefined;
}
