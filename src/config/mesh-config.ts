/**
 * Mesh config: the `mesh` key of the `istio` ConfigMap (or the --meshConfig file), decoded,
 * merged over istiod's defaults the way Istio merges it, validated, and frozen.
 *
 * Merge rules (Istio's ApplyMeshConfig): every top-level field the operator writes replaces
 * the default, except
 *   - defaultConfig is merged field by field, and its proxyMetadata key by key;
 *   - extensionProviders are merged by name (a written provider replaces a built-in one of
 *     the same name, others are appended);
 *   - trustDomainAliases are unioned with the defaults and sorted.
 */
import { parseDocument } from 'yaml';
import { fail, ok, type Result } from '../lib/result.js';
import { decodeValue, isPlainObject } from './mesh-decode.js';
import { defaultMeshConfig } from './mesh-defaults.js';
import { checkMeshConfig } from './mesh-rules.js';
import { MESH_CONFIG_SPEC } from './mesh-schema.js';
import type { ExtensionProvider, MeshConfig, ProxyConfig } from './mesh-types.js';
import { invalid, issue, type ValidationIssue } from '../lib/issue.js';

export type * from './mesh-types.js';
export { defaultMeshConfig, defaultProxyConfig } from './mesh-defaults.js';

/** A ConfigMap holds at most 1 MiB; a mesh config larger than that is a mistake or an attack. */
const MAX_MESH_CONFIG_BYTES = 1024 * 1024;
/** YAML aliases allowed before we call it an alias bomb. */
const MAX_ALIAS_COUNT = 100;
const DOCUMENT = '<document>';

export interface MeshConfigOutcome {
  readonly result: Result<MeshConfig, ValidationIssue>;
  /** Deprecated or ignored fields and other non-fatal findings. */
  readonly warnings: readonly ValidationIssue[];
}

/** Parses mesh config YAML over the defaults. Never throws. Errors only; see parseMeshConfigDetailed for warnings. */
export function parseMeshConfig(yamlText: string, source: string): Result<MeshConfig, ValidationIssue> {
  return parseMeshConfigDetailed(yamlText, source).result;
}

export function parseMeshConfigDetailed(yamlText: string, source: string): MeshConfigOutcome {
  try {
    const raw = readYaml(yamlText, source);
    if (!raw.ok) return { result: raw, warnings: [] };
    return buildMeshConfig(raw.value);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return { result: fail(issue(DOCUMENT, 'Internal error', `${source}: mesh config could not be processed: ${message}`)), warnings: [] };
  }
}

/** YAML text → plain data; an empty document means "all defaults". */
function readYaml(yamlText: unknown, source: string): Result<Record<string, unknown>, ValidationIssue> {
  if (typeof yamlText !== 'string') return fail(invalid(DOCUMENT, yamlText, `${source}: mesh config must be YAML text`));
  if (yamlText.length > MAX_MESH_CONFIG_BYTES) return fail(issue(DOCUMENT, 'Too long', `${source}: mesh config is larger than ${MAX_MESH_CONFIG_BYTES} bytes`));
  const doc = parseDocument(yamlText, { uniqueKeys: true, prettyErrors: false });
  const firstError = doc.errors[0];
  if (firstError) return fail(issue(DOCUMENT, 'Invalid value', `${source}: mesh config is not valid YAML: ${firstError.message}`));
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    return fail(issue(DOCUMENT, 'Invalid value', `${source}: mesh config YAML cannot be expanded: ${err instanceof Error ? err.message : String(err)}`));
  }
  if (data === null || data === undefined) return ok({});
  if (!isPlainObject(data)) return fail(invalid(DOCUMENT, data, `${source}: mesh config must be a YAML mapping of MeshConfig fields`));
  return ok(data);
}

/** Decodes already-parsed data (e.g. from JSON), merges and validates it. Never throws. */
export function buildMeshConfig(raw: unknown): MeshConfigOutcome {
  if (raw !== null && raw !== undefined && !isPlainObject(raw)) {
    return { result: fail(invalid(DOCUMENT, raw, 'mesh config must be a mapping of MeshConfig fields')), warnings: [] };
  }
  const issues: ValidationIssue[] = [];
  const decoded = decodeValue(raw ?? {}, MESH_CONFIG_SPEC, '', issues) as Record<string, unknown> | undefined;
  const written = decoded ?? {};
  const merged = mergeOverDefaults(written);
  const ruleIssues = checkMeshConfig(merged, {
    extensionProviders: (written.extensionProviders as ExtensionProvider[] | undefined) ?? [],
    trustDomainAliases: (written.trustDomainAliases as string[] | undefined) ?? [],
  });
  // A field the decoder rejected is absent from `merged`; don't also call it "required".
  const decodePaths = new Set(issues.map((i) => i.path));
  issues.push(...ruleIssues.filter((i) => !decodePaths.has(i.path)));
  const errors = issues.filter((i) => i.severity === 'error');
  const warnings = issues.filter((i) => i.severity === 'warning');
  return { result: errors.length > 0 ? fail(...errors) : ok(deepFreeze(merged)), warnings };
}

function mergeOverDefaults(written: Record<string, unknown>): MeshConfig {
  const defaults = defaultMeshConfig();
  const out: Record<string, unknown> = { ...defaults };
  for (const [key, value] of Object.entries(written)) {
    if (key === 'defaultConfig') out.defaultConfig = mergeProxyConfig(defaults.defaultConfig, value as Record<string, unknown>);
    else if (key === 'extensionProviders') out.extensionProviders = mergeProviders(defaults.extensionProviders, value as ExtensionProvider[]);
    else if (key === 'trustDomainAliases') out.trustDomainAliases = [...new Set([...defaults.trustDomainAliases, ...(value as string[])])].sort();
    else out[key] = value;
  }
  return out as unknown as MeshConfig;
}

function mergeProxyConfig(base: ProxyConfig, written: Record<string, unknown>): ProxyConfig {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(written)) {
    if (key === 'proxyMetadata') out.proxyMetadata = { ...base.proxyMetadata, ...(value as Record<string, string>) };
    else out[key] = value;
  }
  // serviceCluster and tracingServiceName are a proto oneof: writing one clears the other.
  if (written.tracingServiceName !== undefined) delete out.serviceCluster;
  else if (written.serviceCluster !== undefined) delete out.tracingServiceName;
  return out as unknown as ProxyConfig;
}

function mergeProviders(base: readonly ExtensionProvider[], written: readonly ExtensionProvider[]): ExtensionProvider[] {
  const out = [...base];
  for (const provider of written) {
    const at = out.findIndex((p) => p.name === provider.name);
    if (at >= 0) out[at] = provider;
    else out.push(provider);
  }
  return out;
}

/**
 * Reads key `mesh` of the `istio` ConfigMap. Accepts the raw Kubernetes object or the store's
 * ConfigObject (whose `spec` holds `data`). A ConfigMap without the key means all defaults.
 */
export function meshConfigFromConfigMap(configMap: unknown, source?: string): Result<MeshConfig, ValidationIssue> {
  if (!isPlainObject(configMap)) return fail(invalid(DOCUMENT, configMap, 'expected a ConfigMap object'));
  if (configMap.kind !== undefined && configMap.kind !== 'ConfigMap') return fail(invalid('kind', configMap.kind, 'mesh config is read from a ConfigMap'));
  const meta = isPlainObject(configMap.metadata) ? configMap.metadata : {};
  const name = `configmap ${String(meta.namespace ?? '')}/${String(meta.name ?? '')}`;
  const data = isPlainObject(configMap.spec) && configMap.data === undefined ? configMap.spec.data : configMap.data;
  if (data === undefined || data === null) return ok(deepFreeze(defaultMeshConfig()));
  if (!isPlainObject(data)) return fail(invalid('data', data, 'must be a map of string keys to string values'));
  if (data.mesh === undefined || data.mesh === null) return ok(deepFreeze(defaultMeshConfig()));
  if (typeof data.mesh !== 'string') return fail(invalid('data.mesh', data.mesh, 'must be a string holding the mesh config YAML'));
  return parseMeshConfig(data.mesh, source ?? `${name} key mesh`);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value as Record<string, unknown>)) deepFreeze(child);
  }
  return value;
}
