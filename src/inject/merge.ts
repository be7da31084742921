/**
 * Applies a rendered template to a pod the way Istio's strategic merge + reapplied overrides
 * end up: metadata maps merged (template wins), containers and volumes merged by name, new ones
 * appended. A container the pod already had (a gateway's `istio-proxy` with image `auto`, an app
 * container a gRPC template adds env to) keeps its own fields; its lists (env, volumeMounts,
 * ports) gain the template's entries. Those originals are reported as overrides.
 */
import { PROXY_NAME } from './annotations.js';
import { containersOf, isObject, type Container, type JsonObject, type Pod } from './k8s.js';
import type { TemplateOutput } from './template-output.js';

const LIST_KEYS: Readonly<Record<string, (item: JsonObject) => unknown>> = {
  env: (i) => i.name,
  volumeMounts: (i) => i.mountPath,
  ports: (i) => i.containerPort,
};

function mergeList(first: unknown[], second: unknown[], key: (item: JsonObject) => unknown): unknown[] {
  const seen = new Set(first.filter(isObject).map(key));
  return [...first, ...second.filter((i) => !isObject(i) || !seen.has(key(i)))];
}

/** The template's container with the pod's own container laid over it. */
function overlayContainer(template: Container, original: Container): Container {
  const out: Container = { ...template };
  for (const [k, v] of Object.entries(original)) {
    if (k === 'image' && v === 'auto') continue;
    const key = LIST_KEYS[k];
    out[k] = key && Array.isArray(v) && Array.isArray(template[k]) ? mergeList(v, template[k] as unknown[], key) : v;
  }
  return out;
}

function mergeContainers(existing: Container[], added: readonly Container[], overrides: Container[]): Container[] {
  const out = [...existing];
  for (const c of added) {
    const at = out.findIndex((e) => e.name === c.name);
    if (at < 0) { out.push(structuredClone(c)); continue; }
    overrides.push(structuredClone(out[at]!));
    out[at] = overlayContainer(structuredClone(c), out[at]!);
  }
  return out;
}

function mergeByName(existing: unknown, added: readonly JsonObject[]): JsonObject[] {
  const out = (Array.isArray(existing) ? existing : []).filter(isObject).map((v) => ({ ...v }));
  for (const item of added) {
    const at = out.findIndex((e) => e.name === item.name);
    if (at < 0) out.push(structuredClone(item));
    else out[at] = { ...out[at], ...structuredClone(item) };
  }
  return out;
}

/** Deep merge for a static template's other spec fields (maps merge, the template wins). */
export function deepMerge(base: unknown, overlay: unknown): unknown {
  if (!isObject(base) || !isObject(overlay)) return structuredClone(overlay);
  const out: JsonObject = { ...base };
  for (const [k, v] of Object.entries(overlay)) out[k] = deepMerge(base[k], v);
  return out;
}

export interface MergeOverrides {
  readonly containers: Container[];
  readonly initContainers: Container[];
}

/**
 * Native sidecars: the template puts istio-proxy under initContainers, but a pod's customization
 * of it lives under containers; move it so the two merge (as Istio does).
 */
function moveToInit(spec: JsonObject, initNames: readonly string[]): void {
  const containers = containersOf(spec.containers);
  const moving = containers.filter((c) => initNames.includes(c.name));
  if (moving.length === 0) return;
  spec.containers = containers.filter((c) => !moving.includes(c));
  spec.initContainers = [...containersOf(spec.initContainers), ...moving];
}

/** Mutates `pod` (a private copy) with one template's output. */
export function applyTemplate(pod: Pod, t: TemplateOutput, overrides: MergeOverrides): void {
  const meta: JsonObject = isObject(pod.metadata) ? pod.metadata : (pod.metadata = {});
  if (Object.keys(t.labels).length > 0) meta.labels = { ...(isObject(meta.labels) ? meta.labels : {}), ...t.labels };
  if (Object.keys(t.annotations).length > 0) meta.annotations = { ...(isObject(meta.annotations) ? meta.annotations : {}), ...t.annotations };
  const spec: JsonObject = isObject(pod.spec) ? pod.spec : (pod.spec = {});
  moveToInit(spec, t.initContainers.map((c) => c.name).filter((n) => n === PROXY_NAME));
  if (t.initContainers.length > 0) spec.initContainers = mergeContainers(containersOf(spec.initContainers), t.initContainers, overrides.initContainers);
  if (t.containers.length > 0) spec.containers = mergeContainers(containersOf(spec.containers), t.containers, overrides.containers);
  if (t.volumes.length > 0) spec.volumes = mergeByName(spec.volumes, t.volumes);
  if (t.imagePullSecrets.length > 0) spec.imagePullSecrets = mergeByName(spec.imagePullSecrets, t.imagePullSecrets);
  if (t.podSecurityContext) spec.securityContext = { ...(isObject(spec.securityContext) ? spec.securityContext : {}), ...structuredClone(t.podSecurityContext) };
  if (t.otherSpec) for (const [k, v] of Object.entries(t.otherSpec)) spec[k] = deepMerge(spec[k], v);
}

/** A static (action-free) custom template as a TemplateOutput. */
export function staticTemplateOutput(overlay: JsonObject): TemplateOutput {
  const meta = isObject(overlay.metadata) ? overlay.metadata : {};
  const spec = isObject(overlay.spec) ? { ...overlay.spec } : {};
  const take = (k: string): JsonObject[] => {
    const v = spec[k];
    delete spec[k];
    return Array.isArray(v) ? v.filter(isObject) : [];
  };
  const initContainers = containersOf(take('initContainers'));
  const containers = containersOf(take('containers'));
  const volumes = take('volumes').filter((v): v is JsonObject & { name: string } => typeof v.name === 'string');
  const pullSecrets = take('imagePullSecrets').filter((v): v is { name: string } => typeof v.name === 'string');
  const strings = (v: unknown): Record<string, string> => Object.fromEntries(Object.entries(isObject(v) ? v : {}).map(([k, val]) => [k, String(val)]));
  return { labels: strings(meta.labels), annotations: strings(meta.annotations), initContainers, containers, volumes, imagePullSecrets: pullSecrets, otherSpec: spec };
}
