/**
 * Pure conversion of an object from the API server into the manifest document the Validator
 * takes, so that the ConfigObject equals what the file source builds from the same manifest:
 * - apiVersion/kind from the informer (list items of built-in kinds carry neither);
 * - metadata without managedFields and kubectl's last-applied-configuration copy (server-side
 *   bookkeeping no reader uses, often larger than the object);
 * - Istio kinds without `status` (istiod writes it; reading it back must never cause a push).
 */
import type { KindInfo } from '../../model/kinds.js';
import type { KubeObject } from './object-cache.js';

export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';

export type ConversionResult = { ok: true; document: Record<string, unknown> } | { ok: false; error: string };

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The group/version the informer for `info` watches: the storage (first) version. */
export function watchedApiVersion(info: KindInfo): string {
  const version = info.versions[0]!;
  return info.group === '' ? version : `${info.group}/${version}`;
}

/** The all-namespaces collection path, e.g. /api/v1/pods or /apis/networking.istio.io/v1/gateways. */
export function collectionPath(info: KindInfo): string {
  return info.group === '' ? `/api/${info.versions[0]!}/${info.plural}` : `/apis/${info.group}/${info.versions[0]!}/${info.plural}`;
}

function stripMetadata(meta: Record<string, unknown>): Record<string, unknown> {
  const { managedFields: _managed, annotations, ...rest } = meta;
  if (!isRecord(annotations) || !(LAST_APPLIED_ANNOTATION in annotations)) return annotations === undefined ? rest : { ...rest, annotations };
  const { [LAST_APPLIED_ANNOTATION]: _lastApplied, ...kept } = annotations;
  return { ...rest, annotations: kept };
}

/** Drops what no reader needs before the informer caches the object (client-go's transform). */
export function trimForCache(obj: KubeObject): KubeObject {
  if (!isRecord(obj.metadata) || !('managedFields' in obj.metadata)) return obj;
  const { managedFields: _managed, ...meta } = obj.metadata;
  return { ...obj, metadata: meta };
}

const pick = (from: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> => {
  const out: Record<string, unknown> = {};
  for (const k of keys) if (from[k] !== undefined) out[k] = from[k];
  return out;
};

/** Pod fields the control plane reads (model/types/core.ts PodObject); istiod's pod informer keeps the same. */
const POD_SPEC_FIELDS = ['serviceAccountName', 'serviceAccount', 'nodeName', 'hostNetwork', 'hostname', 'subdomain'];
const POD_STATUS_FIELDS = ['phase', 'podIP', 'podIPs', 'hostIP', 'conditions', 'reason', 'message'];

/**
 * A Pod as the registry reads it: metadata; of the spec only the identity fields and each
 * container's name and ports; of the status no container statuses (they change on every
 * restart and probe, and nothing reads them). Container statuses, env, volumes, probes and
 * resources are most of a Pod's bytes and most of its updates.
 */
export function trimPod(obj: KubeObject): KubeObject {
  const base = trimForCache(obj);
  const spec = isRecord(base.spec) ? base.spec : undefined;
  const status = isRecord(base.status) ? base.status : undefined;
  const containers = spec && Array.isArray(spec.containers)
    ? spec.containers.filter(isRecord).map((c) => pick(c, ['name', 'ports']))
    : undefined;
  return {
    ...base,
    ...(spec ? { spec: { ...pick(spec, POD_SPEC_FIELDS), ...(containers ? { containers } : {}) } } : {}),
    ...(status ? { status: pick(status, POD_STATUS_FIELDS) } : {}),
  };
}

/** A Node as the registry reads it (labels for locality, addresses): no images, capacity or conditions. */
export function trimNode(obj: KubeObject): KubeObject {
  const base = trimForCache(obj);
  const status = isRecord(base.status) ? base.status : undefined;
  if (!status) return base;
  const { images: _i, capacity: _c, allocatable: _a, conditions: _co, ...kept } = status;
  return { ...base, status: kept };
}

/** The transform the informer of `info` applies before caching. */
export function transformFor(info: KindInfo): (obj: KubeObject) => KubeObject {
  if (info.group === '' && info.kind === 'Pod') return trimPod;
  if (info.group === '' && info.kind === 'Node') return trimNode;
  return trimForCache;
}

export function toConfigDocument(raw: unknown, info: KindInfo): ConversionResult {
  if (!isRecord(raw)) return { ok: false, error: `the API server sent a ${info.kind} that is not an object` };
  if (!isRecord(raw.metadata)) return { ok: false, error: `the API server sent a ${info.kind} without metadata` };
  const { status: _status, ...withoutStatus } = raw;
  const body = info.istio ? withoutStatus : raw;
  return { ok: true, document: { ...body, apiVersion: watchedApiVersion(info), kind: info.kind, metadata: stripMetadata(raw.metadata) } };
}
