/**
 * The small slice of Kubernetes object handling the injector needs. Pods arrive as untrusted
 * JSON (webhook) or YAML (kube-inject), so everything is read defensively; nothing here throws.
 */
export type JsonObject = Record<string, unknown>;
export type Container = JsonObject & { name: string };
export type Volume = JsonObject & { name: string };

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function asObject(v: unknown): JsonObject {
  return isObject(v) ? v : {};
}

/** A string map such as labels or annotations; non-string values are skipped. */
export function stringMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(asObject(v))) if (typeof val === 'string') out[k] = val;
  return out;
}

export function containersOf(v: unknown): Container[] {
  return Array.isArray(v) ? v.filter((c): c is Container => isObject(c) && typeof c.name === 'string') : [];
}

export function deepClone<T>(v: T): T {
  return structuredClone(v);
}

/** Pod metadata and spec, as plain JSON. */
export interface Pod extends JsonObject {
  metadata?: JsonObject;
  spec?: JsonObject;
}

export function podMeta(pod: Pod): JsonObject {
  return asObject(pod.metadata);
}

export function podSpec(pod: Pod): JsonObject {
  return asObject(pod.spec);
}

export function labelsOf(pod: Pod): Record<string, string> {
  return stringMap(podMeta(pod).labels);
}

export function annotationsOf(pod: Pod): Record<string, string> {
  return stringMap(podMeta(pod).annotations);
}

/** Sorts object keys recursively, as Go's YAML/JSON marshalling of maps does. */
export function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (!isObject(v)) return v;
  const out: JsonObject = {};
  for (const k of Object.keys(v).sort()) out[k] = sortKeys(v[k]);
  return out;
}

/** The workload that owns a pod: the object kube-inject read, or the pod's controller. */
export interface WorkloadRef {
  readonly kind: string;
  readonly apiVersion: string;
  readonly name: string;
  readonly namespace?: string;
}
