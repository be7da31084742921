/**
 * Kubernetes core kinds (Service, EndpointSlice, Pod, Namespace, Node) from the API server
 * straight into ConfigObjects, without the Validator's full pass. The API server validated them
 * already; what remains are the structural checks the model relies on (metadata a mapping,
 * name and namespace well-formed, labels and annotations maps of strings), so a malformed object
 * still becomes a clear error naming the field, never a crash. The result equals what the
 * Validator builds from the same object (kube-core-objects tests compare both), except that
 * it is frozen in place instead of cloned first: the object is freshly parsed from the API
 * server's JSON and only the informer's read-only cache shares it.
 */
import type { ConfigObject, ObjectMeta } from '../../model/config.js';
import type { KindInfo } from '../../model/kinds.js';
import { deepFreeze } from '../../model/validation/validate.js';
import { optionalMetaFields } from '../../model/validation/metadata.js';
import { isDns1123Label, isDns1123Subdomain } from '../../lib/k8s-names.js';
import { LAST_APPLIED_ANNOTATION, watchedApiVersion } from './convert.js';

export type CoreConversion = { ok: true; object: ConfigObject } | { ok: false; errors: string[] };

/** Kinds built here; every other kind goes through the Validator. */
const FAST_KINDS = new Set(['Service', 'EndpointSlice', 'Pod', 'Namespace', 'Node']);

export function isFastCoreKind(info: KindInfo): boolean {
  return !info.istio && FAST_KINDS.has(info.kind);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const EMPTY: Readonly<Record<string, string>> = Object.freeze({});

/** A map of strings, checked without copying (the usual case); `skip` is left out (then copied). */
function stringMap(value: unknown, path: string, errors: string[], skip?: string): Readonly<Record<string, string>> {
  if (value === undefined || value === null) return EMPTY;
  if (!isRecord(value)) {
    errors.push(`${path}: must be a map of string keys to string values`);
    return EMPTY;
  }
  let skipped = false;
  for (const key in value) {
    if (key === skip) skipped = true;
    else if (typeof value[key] !== 'string') errors.push(`${path}.${key}: value must be a string`);
  }
  if (!skipped) return value as Record<string, string>;
  const { [skip!]: _dropped, ...kept } = value;
  return kept as Record<string, string>;
}

function metadataOf(info: KindInfo, m: Record<string, unknown>, errors: string[]): ObjectMeta | undefined {
  const name = m.name;
  if (typeof name !== 'string' || !isDns1123Subdomain(name)) errors.push(`metadata.name: ${JSON.stringify(name ?? null)} is not a lowercase RFC 1123 subdomain`);
  let namespace = '';
  if (info.namespaced) {
    // Missing: 'default', as the Validator (and kubectl) defaults it.
    if (m.namespace === undefined || m.namespace === '') namespace = 'default';
    else if (typeof m.namespace === 'string' && isDns1123Label(m.namespace)) namespace = m.namespace;
    else errors.push(`metadata.namespace: ${JSON.stringify(m.namespace ?? null)} is not a lowercase RFC 1123 label`);
  }
  const labels = stringMap(m.labels, 'metadata.labels', errors);
  const annotations = stringMap(m.annotations, 'metadata.annotations', errors, LAST_APPLIED_ANNOTATION);
  if (errors.length > 0) return undefined;
  return {
    name: name as string,
    namespace,
    labels,
    annotations,
    ...optionalMetaFields(m),
  };
}

/** The ConfigObject for a core-kind object from the API server, deep-frozen; or what is wrong with it. */
export function coreConfigObject(info: KindInfo, raw: unknown, source?: string): CoreConversion {
  if (!isRecord(raw)) return { ok: false, errors: [`the API server sent a ${info.kind} that is not an object`] };
  if (!isRecord(raw.metadata)) return { ok: false, errors: [`the API server sent a ${info.kind} without metadata`] };
  const errors: string[] = [];
  const metadata = metadataOf(info, raw.metadata, errors);
  if (!metadata) return { ok: false, errors };
  const { apiVersion: _a, kind: _k, metadata: _m, ...spec } = raw;
  const object: ConfigObject = { kind: info.kind, apiVersion: watchedApiVersion(info), metadata, spec, ...(source ? { source } : {}) };
  return { ok: true, object: deepFreeze(object) };
}
