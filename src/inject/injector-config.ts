/**
 * The istio-sidecar-injector ConfigMap: key `config` (policy, selectors, templates...) and key
 * `values` (Helm values). Istio's templates are Go text/template + Sprig; istiod-ts renders the
 * built-in ones (sidecar, gateway, grpc-agent, grpc-simple) with TypeScript functions and ignores
 * their text. A custom template with no template actions (`{{`) is static YAML and is applied as an
 * overlay; a custom template with actions cannot be rendered and fails injection when selected.
 */
import { parseDocument } from 'yaml';
import { fail, ok, type Result } from '../lib/result.js';
import { invalid, issue, type ValidationIssue } from '../lib/issue.js';
import { isObject, stringMap, type JsonObject } from './k8s.js';
import { parseSelector, type LabelSelector } from './label-selector.js';
import { buildValues, defaultValues, type InjectValues } from './values.js';

export const BUILT_IN_TEMPLATES = ['sidecar', 'gateway', 'grpc-agent', 'grpc-simple'] as const;
export type BuiltInTemplate = (typeof BUILT_IN_TEMPLATES)[number];

export type TemplateSpec =
  | { readonly kind: 'built-in'; readonly name: BuiltInTemplate }
  | { readonly kind: 'static'; readonly name: string; readonly overlay: JsonObject }
  | { readonly kind: 'unsupported'; readonly name: string; readonly reason: string };

export interface InjectorConfig {
  readonly policy: 'enabled' | 'disabled';
  readonly alwaysInjectSelector: readonly LabelSelector[];
  readonly neverInjectSelector: readonly LabelSelector[];
  readonly injectedAnnotations: Readonly<Record<string, string>>;
  readonly templates: Readonly<Record<string, TemplateSpec>>;
  readonly defaultTemplates: readonly string[];
  readonly aliases: Readonly<Record<string, readonly string[]>>;
}

export interface InjectorSettings {
  readonly config: InjectorConfig;
  readonly values: InjectValues;
}

const MAX_TEXT_BYTES = 1024 * 1024;
const builtIns = (): Record<string, TemplateSpec> => Object.fromEntries(BUILT_IN_TEMPLATES.map((name) => [name, { kind: 'built-in', name }]));

export function defaultInjectorConfig(): InjectorConfig {
  return { policy: 'enabled', alwaysInjectSelector: [], neverInjectSelector: [], injectedAnnotations: {}, templates: builtIns(), defaultTemplates: ['sidecar'], aliases: {} };
}

function parseTemplate(name: string, text: unknown, path: string, issues: ValidationIssue[]): TemplateSpec | undefined {
  if ((BUILT_IN_TEMPLATES as readonly string[]).includes(name)) return { kind: 'built-in', name: name as BuiltInTemplate };
  if (typeof text !== 'string') return void issues.push(invalid(path, text, 'a template must be a string'));
  if (text.includes('{{')) return { kind: 'unsupported', name, reason: `template "${name}" uses Go template actions ({{ ... }}), which istiod-ts does not render; only the built-in templates (${BUILT_IN_TEMPLATES.join(', ')}) and static YAML templates are supported` };
  const parsed = readYaml(text, path);
  if (!parsed.ok) return void issues.push(...parsed.errors);
  const overlay = parsed.value ?? {};
  if (!isObject(overlay)) return void issues.push(invalid(path, overlay, 'a static template must be a Pod overlay map (metadata, spec)'));
  const extra = Object.keys(overlay).filter((k) => k !== 'metadata' && k !== 'spec');
  if (extra.length > 0) return void issues.push(invalid(`${path}.${extra[0]}`, extra[0], 'a template may set only metadata and spec'));
  return { kind: 'static', name, overlay };
}

function stringList(raw: unknown, path: string, issues: ValidationIssue[]): string[] | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!Array.isArray(raw) || !raw.every((s) => typeof s === 'string')) return void issues.push(invalid(path, raw, 'must be a list of strings'));
  return raw as string[];
}

function selectors(raw: unknown, path: string, issues: ValidationIssue[]): LabelSelector[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) {
    issues.push(invalid(path, raw, 'must be a list of label selectors'));
    return [];
  }
  return raw.map((s, i) => parseSelector(s, `${path}[${i}]`, issues)).filter((s): s is LabelSelector => s !== undefined);
}

/** Decodes the parsed `config` document; `prefix` names it in paths (e.g. `config.`). */
export function buildInjectorConfig(raw: unknown, prefix = ''): Result<InjectorConfig, ValidationIssue> {
  if (raw === undefined || raw === null) return ok(defaultInjectorConfig());
  if (!isObject(raw)) return fail(invalid(prefix.replace(/\.$/, '') || '<config>', raw, 'injector config must be a map'));
  const issues: ValidationIssue[] = [];
  const policy = raw.policy ?? 'enabled';
  if (policy !== 'enabled' && policy !== 'disabled') issues.push(invalid(`${prefix}policy`, policy, 'must be enabled or disabled'));
  if (raw.injectedAnnotations !== undefined && raw.injectedAnnotations !== null && (!isObject(raw.injectedAnnotations) || Object.values(raw.injectedAnnotations).some((v) => typeof v !== 'string'))) {
    issues.push(invalid(`${prefix}injectedAnnotations`, raw.injectedAnnotations, 'must be a map of strings'));
  }
  const templates = builtIns();
  if (raw.templates !== undefined && raw.templates !== null && !isObject(raw.templates)) issues.push(invalid(`${prefix}templates`, raw.templates, 'must be a map of template name to template text'));
  for (const [name, text] of Object.entries(isObject(raw.templates) ? raw.templates : {})) {
    const spec = parseTemplate(name, text, `${prefix}templates[${name}]`, issues);
    if (spec) templates[name] = spec;
  }
  const defaultTemplates = stringList(raw.defaultTemplates, `${prefix}defaultTemplates`, issues);
  const aliases: Record<string, string[]> = {};
  for (const [name, list] of Object.entries(isObject(raw.aliases) ? raw.aliases : {})) aliases[name] = stringList(list, `${prefix}aliases[${name}]`, issues) ?? [];
  const config: InjectorConfig = {
    policy: policy === 'disabled' ? 'disabled' : 'enabled',
    alwaysInjectSelector: selectors(raw.alwaysInjectSelector, `${prefix}alwaysInjectSelector`, issues),
    neverInjectSelector: selectors(raw.neverInjectSelector, `${prefix}neverInjectSelector`, issues),
    injectedAnnotations: stringMap(raw.injectedAnnotations),
    templates,
    defaultTemplates: defaultTemplates && defaultTemplates.length > 0 ? defaultTemplates : ['sidecar'],
    aliases,
  };
  return issues.length > 0 ? fail(...issues) : ok(config);
}

/** YAML text → data; bounded size and aliases. */
export function readYaml(text: string, path: string): Result<unknown, ValidationIssue> {
  if (text.length > MAX_TEXT_BYTES) return fail(issue(path, 'Too long', `larger than ${MAX_TEXT_BYTES} bytes`));
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false });
  if (doc.errors[0]) return fail(invalid(path, '<yaml>', `not valid YAML: ${doc.errors[0].message.split('\n')[0]}`));
  try {
    return ok(doc.toJS({ maxAliasCount: 100 }));
  } catch (err) {
    return fail(invalid(path, '<yaml>', `YAML cannot be expanded: ${(err as Error).message}`));
  }
}

/** Both keys as YAML text (either may be absent: built-in defaults). */
export function parseInjectorSettings(configText: string | undefined, valuesText: string | undefined): Result<InjectorSettings, ValidationIssue> {
  const issues: ValidationIssue[] = [];
  let config = defaultInjectorConfig();
  if (configText !== undefined && configText.trim() !== '') {
    const raw = readYaml(configText, 'config');
    const built = raw.ok ? buildInjectorConfig(raw.value, 'config.') : raw;
    if (built.ok) config = built.value;
    else issues.push(...built.errors);
  }
  let values = defaultValues();
  if (valuesText !== undefined && valuesText.trim() !== '') {
    const raw = readYaml(valuesText, 'values');
    if (!raw.ok) issues.push(...raw.errors);
    else {
      const built = buildValues(raw.value, 'values.');
      values = built.values;
      issues.push(...built.issues);
    }
  }
  return issues.length > 0 ? fail(...issues) : ok({ config, values });
}

/** Reads the ConfigMap object (data.config, data.values); missing keys mean defaults. */
export function injectorSettingsFromConfigMap(configMap: unknown): Result<InjectorSettings, ValidationIssue> {
  if (!isObject(configMap)) return fail(invalid('<configmap>', configMap, 'expected a ConfigMap object'));
  const data = isObject(configMap.data) ? configMap.data : {};
  for (const key of ['config', 'values'] as const) {
    if (data[key] !== undefined && typeof data[key] !== 'string') return fail(invalid(`data.${key}`, data[key], 'must be a string holding YAML'));
  }
  return parseInjectorSettings(data.config as string | undefined, data.values as string | undefined);
}
