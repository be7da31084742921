/**
 * Checks on MeshConfig.extensionProviders and defaultProviders. Istio treats a broken
 * provider body as a warning (it only matters once a Telemetry or AuthorizationPolicy uses
 * it), but duplicate or missing names make provider references ambiguous, so those are errors.
 * Also the access log settings that decide what the file loggers write (translate/common/access-log.ts).
 */
import type { ExtensionProvider, MeshConfig } from './mesh-types.js';
import { EXTENSION_PROVIDER_KINDS } from './mesh-schema.js';
import { issue, required, warning, type ValidationIssue } from '../lib/issue.js';

/** Provider kinds that call a remote service and so need `service` and `port`. */
const NEEDS_SERVICE = new Set<string>([
  'envoyExtAuthzHttp', 'envoyExtAuthzGrpc', 'zipkin', 'lightstep', 'datadog', 'skywalking', 'opentelemetry',
  'envoyHttpAls', 'envoyTcpAls', 'envoyOtelAls',
]);

function checkProviderBody(kind: string, body: Readonly<Record<string, unknown>>, path: string, out: ValidationIssue[]): void {
  if (!NEEDS_SERVICE.has(kind)) return;
  if (typeof body.service !== 'string' || body.service === '') out.push(warning(`${path}.service`, 'a service host is required for this provider', body.service ?? ''));
  const port = body.port;
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) {
    out.push(warning(`${path}.port`, 'port number must be in the range 1..65535', port ?? ''));
  }
}

/**
 * `written` is the operator's own list (so paths use their indexes; Istio's built-in providers
 * are valid); `merged` is the result after merging by name, which defaultProviders refer to.
 */
export function checkExtensionProviders(written: readonly ExtensionProvider[], merged: MeshConfig, out: ValidationIssue[]): void {
  const seen = new Map<string, number>();
  written.forEach((provider, i) => {
    const path = `extensionProviders[${i}]`;
    if (!provider.name) out.push(required(`${path}.name`, 'every extension provider needs a name'));
    else if (seen.has(provider.name)) out.push(issue(`${path}.name`, 'Duplicate value', `also used by extensionProviders[${seen.get(provider.name)}]`, provider.name));
    else seen.set(provider.name, i);
    const kind = EXTENSION_PROVIDER_KINDS.find((k) => provider[k] !== undefined);
    if (kind === undefined) out.push(required(path, `one provider kind must be set: ${EXTENSION_PROVIDER_KINDS.join(', ')}`));
    else checkProviderBody(kind, provider[kind] as Readonly<Record<string, unknown>>, `${path}.${kind}`, out);
  });
  const known = new Set(merged.extensionProviders.map((p) => p.name));
  const lists = ['tracing', 'metrics', 'accessLogging'] as const;
  for (const list of lists) {
    (merged.defaultProviders[list] ?? []).forEach((name, i) => {
      if (!known.has(name)) out.push(warning(`defaultProviders.${list}[${i}]`, 'no extension provider has this name', name));
    });
  }
  checkAccessLogging(merged, out);
}

/**
 * `accessLogFormat` under JSON encoding: the JSON object it holds, or undefined when it is not
 * one (Istio then logs an error and writes its default JSON fields).
 */
export function parseJsonAccessLogFormat(format: string): Readonly<Record<string, unknown>> | undefined {
  try {
    const parsed: unknown = JSON.parse(format);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Access logging that would silently not do what the operator asked: warnings. */
function checkAccessLogging(mc: MeshConfig, out: ValidationIssue[]): void {
  if (mc.accessLogEncoding === 'JSON' && mc.accessLogFormat && !parseJsonAccessLogFormat(mc.accessLogFormat)) {
    out.push(warning('accessLogFormat', 'with accessLogEncoding JSON this must be a JSON object; Istio\'s default JSON fields are used instead', mc.accessLogFormat));
  }
  (mc.defaultProviders.accessLogging ?? []).forEach((name, i) => {
    const provider = mc.extensionProviders.find((p) => p.name === name);
    const kind = provider && EXTENSION_PROVIDER_KINDS.find((k) => provider[k] !== undefined);
    if (kind && kind !== 'envoyFileAccessLog') {
      out.push(warning(`defaultProviders.accessLogging[${i}]`, `provider kind ${kind} gives no access log here (only envoyFileAccessLog is supported): ignored`, name));
    }
  });
}
