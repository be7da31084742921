/**
 * Server-side apply (PATCH `application/apply-patch+yaml`), approximated: the body (JSON, which is
 * YAML) must be a whole object of the URL's kind and name; `fieldManager` is required (400, as the
 * real server says); an absent object is created (201); a present one gets the applied fields
 * merged in — maps merged recursively, lists replaced wholesale — and the result stored as an
 * update (a new resourceVersion and a watch event unless nothing changed and skipNoopUpdates).
 * Not modelled: managedFields, field ownership and conflicts (every apply behaves as `force=true`),
 * removal of fields a manager stopped applying, list merge keys. A resourceVersion in the body is
 * a precondition (409 when stale), as in the real server. ownerReferences are stored as sent; the
 * fake has no garbage collector, so deleting an owner deletes nothing.
 */
import { checkBody } from './admission.js';
import type { ObjectStore } from './object-store.js';
import type { RestRequest } from './rest.js';
import { clone, failure, isPlainObject, type KubeObject, type Reply } from './types.js';

export const APPLY = 'application/apply-patch+yaml';

export const isApply = (contentType: string | undefined): boolean => (contentType ?? '').split(';')[0]!.trim() === APPLY;

/** Maps merged key by key, anything else (lists, scalars) replaced by the applied value. */
export function applyMerge(live: unknown, applied: unknown): unknown {
  if (!isPlainObject(applied) || !isPlainObject(live)) return clone(applied);
  const out: Record<string, unknown> = { ...live };
  for (const [k, v] of Object.entries(applied)) out[k] = applyMerge(live[k], v);
  return out;
}

export interface ApplyVerbs {
  create(store: ObjectStore, target: RestRequest['target'], body: unknown): Reply;
  update(store: ObjectStore, target: RestRequest['target'], body: unknown, existing: KubeObject | undefined): Reply;
}

export function serverSideApply(store: ObjectStore, req: RestRequest, existing: KubeObject | undefined, verbs: ApplyVerbs): Reply {
  const { target } = req;
  if (!req.query.get('fieldManager')) {
    return failure(400, 'BadRequest', 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch');
  }
  const checked = checkBody(target.type, target.version, target.namespace, req.body, target.name);
  if ('code' in checked) return checked;
  const applied = checked.obj;
  if (!isPlainObject(req.body) || (req.body as { kind?: unknown }).kind === undefined || (req.body as { apiVersion?: unknown }).apiVersion === undefined) {
    return failure(400, 'BadRequest', 'apply patches must set apiVersion and kind');
  }
  if (!existing) {
    if (applied.metadata.resourceVersion) return failure(409, 'Conflict', `${target.type.plural} "${target.name}" not found but a resourceVersion was given`);
    return verbs.create(store, target, applied);
  }
  const sentRv = applied.metadata.resourceVersion;
  if (sentRv && sentRv !== existing.metadata.resourceVersion) {
    return failure(409, 'Conflict', `Operation cannot be fulfilled on ${target.type.plural} "${target.name}": the object has been modified; please apply your changes to the latest version and try again`);
  }
  const merged = applyMerge(clone(existing), applied) as KubeObject;
  merged.metadata.resourceVersion = existing.metadata.resourceVersion;
  return verbs.update(store, target, merged, existing);
}
