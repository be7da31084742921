/**
 * Envoy access logs from MeshConfig, as Istio configures them when no Telemetry resource applies:
 * - `defaultProviders.accessLogging` empty: the legacy settings. `accessLogFile` set → one file
 *   logger with `accessLogFormat` / `accessLogEncoding` (TEXT: the format, "\n" appended when
 *   missing, or Istio's default line; JSON: the format parsed as a JSON object, or Istio's default
 *   fields when empty or not an object).
 * - otherwise each named `envoyFileAccessLog` provider (deduplicated, in list order). The built-in
 *   `envoy` provider without its own format falls back to the legacy format settings. Providers
 *   of other kinds (gRPC ALS, OpenTelemetry) are not supported: the mesh config check warns.
 *
 * The same loggers go on every HttpConnectionManager and tcp_proxy Istio logs; listeners get them
 * behind a response-flag filter "NR" (no filter chain matched), unless disableEnvoyListenerLog.
 * The result depends only on the mesh config object (frozen, replaced on reload), so it is built
 * once per mesh config and shared.
 */
import type { EnvoyFileAccessLogProvider, MeshConfig } from '../../config/mesh-types.js';
import { parseJsonAccessLogFormat } from '../../config/mesh-rules-providers.js';
import { TYPE_URL_PREFIX as PREFIX } from '../type-urls.js';
import { shared } from './shared.js';

type Json = Record<string, unknown>;

export const FILE_ACCESS_LOG_NAME = 'envoy.access_loggers.file';
const FILE_ACCESS_LOG_TYPE = `${PREFIX}envoy.extensions.access_loggers.file.v3.FileAccessLog`;
const REQ_WITHOUT_QUERY = Object.freeze({
  name: 'envoy.formatter.req_without_query',
  typed_config: { '@type': `${PREFIX}envoy.extensions.formatter.req_without_query.v3.ReqWithoutQuery` },
});
const DEFAULT_PATH = '/dev/stdout';
const BUILTIN_PROVIDER = 'envoy';

/** Istio's EnvoyTextLogFormat (1.9 onwards). */
export const ISTIO_TEXT_LOG_FORMAT =
  '[%START_TIME%] "%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %PROTOCOL%" %RESPONSE_CODE% %RESPONSE_FLAGS% ' +
  '%RESPONSE_CODE_DETAILS% %CONNECTION_TERMINATION_DETAILS% "%UPSTREAM_TRANSPORT_FAILURE_REASON%" %BYTES_RECEIVED% %BYTES_SENT% ' +
  '%DURATION% %RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)% "%REQ(X-FORWARDED-FOR)%" "%REQ(USER-AGENT)%" "%REQ(X-REQUEST-ID)%" ' +
  '"%REQ(:AUTHORITY)%" "%UPSTREAM_HOST%" %UPSTREAM_CLUSTER_RAW% %UPSTREAM_LOCAL_ADDRESS% %DOWNSTREAM_LOCAL_ADDRESS% ' +
  '%DOWNSTREAM_REMOTE_ADDRESS% %REQUESTED_SERVER_NAME% %ROUTE_NAME%\n';

/** Istio's EnvoyJSONLogFormatIstio: the same fields as the text line, by name. */
export const ISTIO_JSON_LOG_FORMAT: Readonly<Record<string, string>> = Object.freeze({
  start_time: '%START_TIME%',
  route_name: '%ROUTE_NAME%',
  method: '%REQ(:METHOD)%',
  path: '%REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%',
  protocol: '%PROTOCOL%',
  response_code: '%RESPONSE_CODE%',
  response_flags: '%RESPONSE_FLAGS%',
  response_code_details: '%RESPONSE_CODE_DETAILS%',
  connection_termination_details: '%CONNECTION_TERMINATION_DETAILS%',
  bytes_received: '%BYTES_RECEIVED%',
  bytes_sent: '%BYTES_SENT%',
  duration: '%DURATION%',
  upstream_service_time: '%RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)%',
  x_forwarded_for: '%REQ(X-FORWARDED-FOR)%',
  user_agent: '%REQ(USER-AGENT)%',
  request_id: '%REQ(X-REQUEST-ID)%',
  authority: '%REQ(:AUTHORITY)%',
  upstream_host: '%UPSTREAM_HOST%',
  upstream_cluster: '%UPSTREAM_CLUSTER_RAW%',
  upstream_local_address: '%UPSTREAM_LOCAL_ADDRESS%',
  downstream_local_address: '%DOWNSTREAM_LOCAL_ADDRESS%',
  downstream_remote_address: '%DOWNSTREAM_REMOTE_ADDRESS%',
  requested_server_name: '%REQUESTED_SERVER_NAME%',
  upstream_transport_failure_reason: '%UPSTREAM_TRANSPORT_FAILURE_REASON%',
});

/** Istio names only the REQ_WITHOUT_QUERY formatter (METADATA and CEL are built into Envoy now). */
const needsReqWithoutQuery = (text: string) => text.includes('%REQ_WITHOUT_QUERY');

function withFormatters(format: Json, usesReqWithoutQuery: boolean, omitEmptyValues: boolean): Json {
  if (omitEmptyValues) format.omit_empty_values = true;
  if (usesReqWithoutQuery) format.formatters = [REQ_WITHOUT_QUERY];
  return format;
}

/** A text format: `text` with "\n" appended when missing, or Istio's default line when empty. */
export function textLogFormat(text: string, omitEmptyValues = false): Json {
  const line = text === '' ? ISTIO_TEXT_LOG_FORMAT : text.endsWith('\n') ? text : `${text}\n`;
  return withFormatters({ text_format_source: { inline_string: line } }, needsReqWithoutQuery(line), omitEmptyValues);
}

/** A JSON format: `fields` (a Struct), or Istio's default fields when there are none. */
export function jsonLogFormat(fields: Readonly<Record<string, unknown>> | undefined, omitEmptyValues = false): Json {
  const struct = fields && Object.keys(fields).length > 0 ? fields : ISTIO_JSON_LOG_FORMAT;
  const usesReq = Object.values(struct).some((v) => typeof v === 'string' && needsReqWithoutQuery(v));
  return withFormatters({ json_format: struct, json_format_options: { sort_properties: false } }, usesReq, omitEmptyValues);
}

/** The log_format MeshConfig's accessLogFormat and accessLogEncoding ask for. */
export function meshLogFormat(mesh: Pick<MeshConfig, 'accessLogFormat' | 'accessLogEncoding'>): Json {
  const format = mesh.accessLogFormat ?? '';
  if (mesh.accessLogEncoding === 'JSON') return jsonLogFormat(format === '' ? undefined : parseJsonAccessLogFormat(format));
  return textLogFormat(format);
}

export function fileAccessLog(path: string, logFormat: Json): Json {
  return { name: FILE_ACCESS_LOG_NAME, typed_config: { '@type': FILE_ACCESS_LOG_TYPE, path, log_format: logFormat } };
}

function providerAccessLog(name: string, body: EnvoyFileAccessLogProvider, mesh: MeshConfig): Json {
  const path = body.path || DEFAULT_PATH;
  const omit = body.omitEmptyValues === true;
  if (name === BUILTIN_PROVIDER && body.logFormat === undefined && !omit) return fileAccessLog(path, meshLogFormat(mesh));
  const labels = body.logFormat?.labels;
  if (labels !== undefined) return fileAccessLog(path, jsonLogFormat(labels, omit));
  return fileAccessLog(path, textLogFormat(body.logFormat?.text ?? '', omit));
}

function defaultProviderLogs(mesh: MeshConfig, names: readonly string[]): Json[] {
  const out: Json[] = [];
  for (const name of new Set(names)) {
    const provider = mesh.extensionProviders.find((p) => p.name === name);
    const body = provider?.envoyFileAccessLog as EnvoyFileAccessLogProvider | undefined;
    if (body) out.push(providerAccessLog(name, body, mesh));
  }
  return out;
}

export interface AccessLogs {
  /** For HttpConnectionManager and tcp_proxy `access_log`. */
  readonly filter: readonly Json[];
  /** For Listener `access_log`: the same loggers, only for connections no filter chain took. */
  readonly listener: readonly Json[];
}

const NONE: AccessLogs = Object.freeze({ filter: Object.freeze([]), listener: Object.freeze([]) });
const NO_FILTER_CHAIN = Object.freeze({ response_flag_filter: { flags: ['NR'] } });

function buildAccessLogs(mesh: MeshConfig): AccessLogs {
  const names = mesh.defaultProviders.accessLogging ?? [];
  const filter = names.length > 0 ? defaultProviderLogs(mesh, names) : mesh.accessLogFile ? [fileAccessLog(mesh.accessLogFile, meshLogFormat(mesh))] : [];
  if (filter.length === 0) return NONE;
  const listener = mesh.disableEnvoyListenerLog ? [] : filter.map((log) => ({ ...log, filter: NO_FILTER_CHAIN }));
  return shared({ filter, listener });
}

/** Keyed by the (frozen) mesh config object: a reload brings a new object and new loggers. */
const byMesh = new WeakMap<MeshConfig, AccessLogs>();

export function meshAccessLogs(mesh: MeshConfig): AccessLogs {
  let logs = byMesh.get(mesh);
  if (!logs) byMesh.set(mesh, (logs = buildAccessLogs(mesh)));
  return logs;
}

/** `{ access_log: [...] }` to spread into a filter body, or nothing when there are no loggers. */
export function accessLogField(logs: readonly Json[]): Json {
  return logs.length > 0 ? { access_log: logs } : {};
}
