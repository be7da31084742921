/**
 * The REST verbs on one resource (watch lives in watch.ts): get, list, create, update (PUT),
 * patch and delete, on the object or its `status` subresource. What clients observe: 403 from
 * deny rules, 404 NotFound, 409 AlreadyExists / Conflict (stale resourceVersion or uid), the
 * namespace must exist and not be terminating, the main resource ignores status changes and the
 * status subresource ignores everything else, finalizers delay deletion (deletionTimestamp),
 * deleting a namespace deletes its contents, some kinds allow create-on-update (PUT); server-side
 * apply creates or merges (apply.ts).
 */
import { checkBody, conflict, created, deletePreconditionFailure, notFound, preconditionFailure } from './admission.js';
import { listObjects, render } from './list.js';
import type { ObjectStore } from './object-store.js';
import { isApply, serverSideApply } from './apply.js';
import { applyPatch } from './patch.js';
import type { ResourceType } from './resource-types.js';
import { clone, failure, methodNotAllowed, nowTimestamp, reply, type KubeObject, type Reply, type Verb } from './types.js';

export interface Target {
  readonly type: ResourceType;
  readonly version: string;
  readonly namespace?: string;
  readonly name?: string;
  readonly subresource?: string;
}

export interface RestRequest {
  readonly method: string;
  readonly target: Target;
  readonly query: URLSearchParams;
  readonly body: unknown;
  readonly contentType?: string;
}

/** Built-ins whose strategy allows PUT to create a missing object. */
const CREATE_ON_UPDATE = new Set(['/endpoints', '/services', 'coordination.k8s.io/leases']);
/** Kinds with a status subresource whose create still keeps the sent status. */
const STATUS_ON_CREATE = new Set(['/nodes']);

/** Kinds whose immediate delete answers with the object; the others answer a Success Status. */
const RETURNS_DELETED = new Set(['/pods', '/serviceaccounts', '/namespaces']);

const id = (t: ResourceType) => `${t.group}/${t.plural}`;

/** The RBAC verb a request needs. */
export function verbOf(method: string, target: Target, query: URLSearchParams): Verb | undefined {
  if (method === 'GET') return target.name === undefined ? (isWatch(query) ? 'watch' : 'list') : isWatch(query) ? 'watch' : 'get';
  return ({ POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: 'delete' } as Record<string, Verb>)[method];
}

export const isWatch = (query: URLSearchParams): boolean => ['1', 'true'].includes(query.get('watch') ?? '');

export function forbidden(store: ObjectStore, verb: Verb, target: Target): Reply | undefined {
  const { type, namespace, name, subresource } = target;
  const names = [type.plural, `${type.plural}.${type.group}`, ...(subresource ? [`${type.plural}/${subresource}`] : [])];
  const hit = store.denied.some((d) => d.verb === verb && names.includes(d.resource) && (d.namespace === undefined || d.namespace === namespace));
  if (!hit) return undefined;
  const where = namespace ? ` in the namespace "${namespace}"` : ' at the cluster scope';
  const subject = name ? `${type.plural} "${name}"` : type.plural;
  const message = `${subject} is forbidden: User "${store.callerName}" cannot ${verb} resource "${type.plural}" in API group "${type.group}"${where}`;
  return failure(403, 'Forbidden', message, { ...(name ? { name } : {}), ...(type.group ? { group: type.group } : {}), kind: type.plural });
}

export function handleRest(store: ObjectStore, req: RestRequest): Reply {
  const { method, target, query } = req;
  const verb = verbOf(method, target, query);
  const { type, namespace, name, subresource } = target;
  if (subresource !== undefined && subresource !== 'status') return failure(404, 'NotFound', 'the server could not find the requested resource');
  if (subresource === 'status' && !type.statusSubresource) return failure(404, 'NotFound', 'the server could not find the requested resource');
  if (!verb || (name === undefined && method !== 'GET' && method !== 'POST') || (name !== undefined && method === 'POST')) return methodNotAllowed();
  if (method === 'POST' && type.namespaced && namespace === undefined) return methodNotAllowed();
  const denied = forbidden(store, verb, target);
  if (denied) return denied;
  if (verb === 'list') return listObjects(store, type, target.version, namespace, query);
  if (verb === 'create') return create(store, target, req.body);
  const existing = store.lookup(type, namespace, name!);
  if (verb === 'get') return existing ? reply(200, render(type, target.version, existing)) : notFound(type, name!);
  if (verb === 'update') return update(store, target, req.body, existing);
  if (verb === 'patch' && isApply(req.contentType)) return serverSideApply(store, req, existing, { create, update });
  if (!existing) return notFound(type, name!);
  if (verb === 'delete') return remove(store, target, req.body, existing);
  if (verb === 'patch') return patch(store, req, existing);
  return methodNotAllowed();
}

function namespaceRefusal(store: ObjectStore, target: Target, name: string): Reply | undefined {
  if (target.namespace === undefined) return undefined;
  const ns = store.lookup(store.types.byName('namespaces'), undefined, target.namespace);
  if (!ns) return notFound(store.types.byName('namespaces'), target.namespace);
  if ((ns.status as { phase?: string } | undefined)?.phase !== 'Terminating') return undefined;
  const message = `${target.type.plural} "${name}" is forbidden: unable to create new content in namespace ${target.namespace} because it is being terminated`;
  return failure(403, 'Forbidden', message, { name, kind: target.type.plural, causes: [{ reason: 'NamespaceTerminating', message: `namespace ${target.namespace} is being terminated`, field: 'metadata.namespace' }] });
}

function create(store: ObjectStore, target: Target, body: unknown): Reply {
  const { type, namespace } = target;
  const checked = checkBody(type, target.version, namespace, body, undefined);
  if ('code' in checked) return checked;
  const obj = checked.obj;
  const refused = namespaceRefusal(store, target, obj.metadata.name);
  if (refused) return refused;
  if (store.lookup(type, namespace, obj.metadata.name)) {
    const resource = type.group ? `${type.plural}.${type.group}` : type.plural;
    return failure(409, 'AlreadyExists', `${resource} "${obj.metadata.name}" already exists`, { name: obj.metadata.name, ...(type.group ? { group: type.group } : {}), kind: type.plural });
  }
  for (const field of ['resourceVersion', 'uid', 'deletionTimestamp', 'generation', 'creationTimestamp'] as const) delete obj.metadata[field];
  if (type.statusSubresource && !STATUS_ON_CREATE.has(id(type))) delete obj.status;
  return created(render(type, target.version, store.write(type, obj, undefined)));
}

/** PUT of the object or of its status; `existing` undefined may create (CREATE_ON_UPDATE kinds). */
function update(store: ObjectStore, target: Target, body: unknown, existing: KubeObject | undefined): Reply {
  const { type, namespace, name } = target;
  const checked = checkBody(type, target.version, namespace, body, name);
  if ('code' in checked) return checked;
  const sent = checked.obj;
  if (!existing) {
    const canCreate = CREATE_ON_UPDATE.has(id(type)) && target.subresource === undefined && !sent.metadata.resourceVersion;
    return canCreate ? create(store, target, sent) : notFound(type, name!);
  }
  const stale = preconditionFailure(type, sent, existing);
  if (stale) return stale;
  if (type.group === '' && type.plural === 'secrets' && sent.type !== undefined && sent.type !== existing.type) {
    return failure(422, 'Invalid', `Secret "${name}" is invalid: type: Invalid value: "${String(sent.type)}": field is immutable`, { name, kind: 'Secret', causes: [{ reason: 'FieldValueInvalid', field: 'type' }] });
  }
  const next = target.subresource === 'status' ? { ...clone(existing), status: sent.status } : keepServerFields(type, sent, existing);
  if (next.status === undefined) delete next.status;
  return reply(200, render(type, target.version, store.write(type, next, existing)));
}

/** What a main-resource update cannot change: status (when it has a subresource), deletion, secret type. */
function keepServerFields(type: ResourceType, sent: KubeObject, existing: KubeObject): KubeObject {
  const next = sent;
  if (type.statusSubresource) next.status = clone(existing.status);
  if (existing.metadata.deletionTimestamp) next.metadata.deletionTimestamp = existing.metadata.deletionTimestamp;
  else delete next.metadata.deletionTimestamp;
  if (type.group === '' && type.plural === 'secrets') next.type ??= existing.type;
  return next;
}

function patch(store: ObjectStore, req: RestRequest, existing: KubeObject): Reply {
  const { type, version } = req.target;
  const patched = applyPatch(req.contentType, type.custom, render(type, version, existing), req.body);
  if (!patched.ok) return failure(patched.code, patched.code === 415 ? 'UnsupportedMediaType' : patched.code === 422 ? 'Invalid' : 'BadRequest', patched.message);
  return update(store, req.target, patched.value, existing);
}

function remove(store: ObjectStore, target: Target, body: unknown, existing: KubeObject): Reply {
  const { type, namespace, name } = target;
  const failed = deletePreconditionFailure(type, body, existing);
  if (failed) return failed;
  if (existing.metadata.finalizers?.length) {
    if (existing.metadata.deletionTimestamp) return reply(200, render(type, target.version, existing));
    const marked = clone(existing);
    marked.metadata.deletionTimestamp = nowTimestamp();
    marked.metadata.deletionGracePeriodSeconds = 0;
    return reply(200, render(type, target.version, store.write(type, marked, existing)));
  }
  if (type.group === '' && type.plural === 'namespaces') deleteContents(store, name!);
  const gone = store.remove(type, namespace, name!);
  if (!gone) return notFound(type, name!);
  if (RETURNS_DELETED.has(id(type))) return reply(200, render(type, target.version, gone));
  const details = { name, ...(type.group ? { group: type.group } : {}), kind: type.plural, uid: gone.metadata.uid };
  return reply(200, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details });
}

/** What the namespace controller does after a namespace is deleted, done at once. */
function deleteContents(store: ObjectStore, namespace: string): void {
  for (const type of store.types.all().filter((t) => t.namespaced)) {
    for (const [, obj] of store.snapshot(type) ?? new Map<string, KubeObject>()) {
      if (obj.metadata.namespace === namespace) store.remove(type, namespace, obj.metadata.name);
    }
  }
}

export { conflict };
