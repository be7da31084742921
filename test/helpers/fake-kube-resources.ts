/**
 * The core/v1 part of the fake API server: Namespaces, ConfigMaps and Secrets with what clients
 * can observe of kube-apiserver — one cluster-wide resourceVersion counter, uid and
 * creationTimestamp on create, optimistic concurrency on PUT (a stale metadata.resourceVersion
 * is 409 Conflict, none is an unconditional update), 409 AlreadyExists, 404 NotFound, 403 with
 * cause NamespaceTerminating when creating into a terminating namespace, Secret data checked as
 * base64 and stringData folded into data, lists without per-item kind/apiVersion, limit/continue
 * paging and the metadata.name / metadata.namespace field selectors. Errors are `Status` objects.
 */
import { randomUUID } from 'node:crypto';

export type CoreResource = 'namespaces' | 'configmaps' | 'secrets';

const KINDS: Record<CoreResource, string> = { namespaces: 'Namespace', configmaps: 'ConfigMap', secrets: 'Secret' };

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: { name: string; namespace?: string; resourceVersion?: string; uid?: string; creationTimestamp?: string; labels?: Record<string, string>; [k: string]: unknown };
  [k: string]: unknown;
}

export interface Reply {
  readonly code: number;
  readonly body: unknown;
}

/** A denied verb, as RBAC would (403 Forbidden). `namespace` undefined: every namespace. */
export interface DenyRule {
  readonly verb: 'get' | 'list' | 'create' | 'update';
  readonly resource: CoreResource;
  readonly namespace?: string;
}

export function statusBody(code: number, reason: string, message: string, details?: object): object {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code };
}

const keyOf = (resource: CoreResource, namespace: string | undefined, name: string) => `${resource}/${namespace ?? ''}/${name}`;
const clone = <T>(v: T): T => structuredClone(v);
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

export class CoreStore {
  private readonly objects = new Map<string, KubeObject>();
  private revision = 1;
  readonly denied: DenyRule[] = [];
  /** The identity the fake says the caller is, in Forbidden messages. */
  constructor(private readonly callerName = 'system:serviceaccount:istio-system:istiod') {}

  currentRevision(): string {
    return String(this.revision);
  }

  /** Test control: store `obj` as is (bumping resourceVersion), bypassing validation. */
  put(resource: CoreResource, obj: KubeObject): KubeObject {
    const existing = this.objects.get(keyOf(resource, obj.metadata.namespace, obj.metadata.name));
    const stored = this.stamp(resource, clone(obj), existing);
    this.objects.set(keyOf(resource, stored.metadata.namespace, stored.metadata.name), stored);
    return clone(stored);
  }

  get(resource: CoreResource, namespace: string | undefined, name: string): KubeObject | undefined {
    const found = this.objects.get(keyOf(resource, namespace, name));
    return found ? clone(found) : undefined;
  }

  delete(resource: CoreResource, namespace: string | undefined, name: string): boolean {
    return this.objects.delete(keyOf(resource, namespace, name));
  }

  private stamp(resource: CoreResource, obj: KubeObject, existing: KubeObject | undefined): KubeObject {
    obj.apiVersion = 'v1';
    obj.kind = KINDS[resource];
    obj.metadata.uid = existing?.metadata.uid ?? randomUUID();
    obj.metadata.creationTimestamp = existing?.metadata.creationTimestamp ?? new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    obj.metadata.resourceVersion = String(++this.revision);
    if (resource === 'namespaces') obj.status = { phase: 'Active', ...(obj.status as object | undefined) };
    if (resource === 'secrets') obj.type ??= 'Opaque';
    return obj;
  }

  private forbidden(verb: DenyRule['verb'], resource: CoreResource, namespace: string | undefined, name?: string): Reply | undefined {
    const hit = this.denied.some((d) => d.verb === verb && d.resource === resource && (d.namespace === undefined || d.namespace === namespace));
    if (!hit) return undefined;
    const where = namespace ? ` in the namespace "${namespace}"` : ' at the cluster scope';
    const subject = name ? `${resource} "${name}"` : resource;
    return { code: 403, body: statusBody(403, 'Forbidden', `${subject} is forbidden: User "${this.callerName}" cannot ${verb} resource "${resource}" in API group ""${where}`, { ...(name ? { name } : {}), kind: resource }) };
  }

  list(resource: CoreResource, namespace: string | undefined, query: URLSearchParams): Reply {
    const denied = this.forbidden('list', resource, namespace);
    if (denied) return denied;
    const selector = parseFieldSelector(query.get('fieldSelector'));
    if (!selector.ok) return { code: 400, body: statusBody(400, 'BadRequest', selector.error) };
    const limit = Number(query.get('limit') ?? 0);
    const after = query.get('continue') ? Buffer.from(query.get('continue')!, 'base64url').toString() : '';
    const prefix = `${resource}/${namespace === undefined ? '' : `${namespace}/`}`;
    const keys = [...this.objects.keys()].filter((k) => k.startsWith(prefix) && k > after).sort();
    const matching = keys.filter((k) => selector.matches(this.objects.get(k)!));
    const page = limit > 0 ? matching.slice(0, limit) : matching;
    const more = limit > 0 && matching.length > limit;
    const items = page.map((k) => {
      const { apiVersion: _a, kind: _k, ...rest } = clone(this.objects.get(k)!);
      return rest;
    });
    const metadata = { resourceVersion: this.currentRevision(), ...(more ? { continue: Buffer.from(page.at(-1)!).toString('base64url') } : {}) };
    return { code: 200, body: { kind: `${KINDS[resource]}List`, apiVersion: 'v1', metadata, items } };
  }

  read(resource: CoreResource, namespace: string | undefined, name: string): Reply {
    const denied = this.forbidden('get', resource, namespace, name);
    if (denied) return denied;
    const found = this.get(resource, namespace, name);
    return found ? { code: 200, body: found } : notFound(resource, name);
  }

  create(resource: CoreResource, namespace: string | undefined, body: unknown): Reply {
    const checked = this.checkBody(resource, namespace, body, undefined);
    if ('code' in checked) return checked;
    const obj = checked.obj;
    const denied = this.forbidden('create', resource, namespace);
    if (denied) return denied;
    if (namespace !== undefined) {
      const ns = this.objects.get(keyOf('namespaces', undefined, namespace));
      if (!ns) return notFound('namespaces', namespace);
      if ((ns.status as { phase?: string } | undefined)?.phase === 'Terminating') {
        const message = `${resource} "${obj.metadata.name}" is forbidden: unable to create new content in namespace ${namespace} because it is being terminated`;
        return { code: 403, body: statusBody(403, 'Forbidden', message, { name: obj.metadata.name, kind: resource, causes: [{ reason: 'NamespaceTerminating', message: `namespace ${namespace} is being terminated`, field: 'metadata.namespace' }] }) };
      }
    }
    if (this.objects.has(keyOf(resource, namespace, obj.metadata.name))) {
      return { code: 409, body: statusBody(409, 'AlreadyExists', `${resource} "${obj.metadata.name}" already exists`, { name: obj.metadata.name, kind: resource }) };
    }
    delete obj.metadata.resourceVersion;
    return { code: 201, body: this.put(resource, obj) };
  }

  replace(resource: CoreResource, namespace: string | undefined, name: string, body: unknown): Reply {
    const checked = this.checkBody(resource, namespace, body, name);
    if ('code' in checked) return checked;
    const obj = checked.obj;
    const denied = this.forbidden('update', resource, namespace, name);
    if (denied) return denied;
    const existing = this.objects.get(keyOf(resource, namespace, name));
    if (!existing) return notFound(resource, name);
    const sent = obj.metadata.resourceVersion;
    if (sent !== undefined && sent !== '' && sent !== existing.metadata.resourceVersion) {
      const message = `Operation cannot be fulfilled on ${resource} "${name}": the object has been modified; please apply your changes to the latest version and try again`;
      return { code: 409, body: statusBody(409, 'Conflict', message, { name, kind: resource }) };
    }
    if (resource === 'secrets' && obj.type !== undefined && obj.type !== existing.type) {
      return { code: 422, body: statusBody(422, 'Invalid', `Secret "${name}" is invalid: type: Invalid value: "${String(obj.type)}": field is immutable`, { name, kind: 'Secret', causes: [{ reason: 'FieldValueInvalid', field: 'type' }] }) };
    }
    if (resource === 'secrets') obj.type ??= existing.type;
    return { code: 200, body: this.put(resource, obj) };
  }

  /** Shape checks kube-apiserver makes before storage (400 / 422), and Secret stringData folding. */
  private checkBody(resource: CoreResource, namespace: string | undefined, body: unknown, urlName: string | undefined): Reply | { obj: KubeObject } {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return { code: 400, body: statusBody(400, 'BadRequest', 'the object provided is unrecognized') };
    const obj = clone(body) as KubeObject;
    if ((obj.kind !== undefined && obj.kind !== KINDS[resource]) || (obj.apiVersion !== undefined && obj.apiVersion !== 'v1')) {
      return { code: 400, body: statusBody(400, 'BadRequest', `the API version in the data (${String(obj.apiVersion)}) or kind (${String(obj.kind)}) does not match the expected v1 ${KINDS[resource]}`) };
    }
    const meta = obj.metadata;
    if (typeof meta !== 'object' || meta === null || typeof meta.name !== 'string' || meta.name === '') {
      return { code: 422, body: statusBody(422, 'Invalid', `${KINDS[resource]} "" is invalid: metadata.name: Required value: name or generateName is required`, { kind: KINDS[resource] }) };
    }
    if (urlName !== undefined && meta.name !== urlName) return { code: 400, body: statusBody(400, 'BadRequest', `the name of the object (${meta.name}) does not match the name on the URL (${urlName})`) };
    if (meta.namespace !== undefined && meta.namespace !== namespace) return { code: 400, body: statusBody(400, 'BadRequest', 'the namespace of the provided object does not match the namespace sent on the request') };
    if (namespace !== undefined) meta.namespace = namespace;
    if (resource === 'secrets') return this.foldSecretData(obj);
    if (resource === 'configmaps' && obj.data !== undefined && !isStringMap(obj.data)) return { code: 400, body: statusBody(400, 'BadRequest', 'ConfigMap.data: values must be strings') };
    return { obj };
  }

  private foldSecretData(obj: KubeObject): Reply | { obj: KubeObject } {
    const data = (obj.data ?? {}) as Record<string, unknown>;
    for (const [k, v] of Object.entries(data)) {
      if (typeof v !== 'string' || !BASE64.test(v) || v.length % 4 !== 0) return { code: 400, body: statusBody(400, 'BadRequest', `Secret in version "v1" cannot be handled as a Secret: illegal base64 data in data["${k}"]`) };
    }
    if (obj.stringData !== undefined) {
      if (!isStringMap(obj.stringData)) return { code: 400, body: statusBody(400, 'BadRequest', 'Secret.stringData: values must be strings') };
      for (const [k, v] of Object.entries(obj.stringData)) data[k] = Buffer.from(v).toString('base64');
      delete obj.stringData;
    }
    if (Object.keys(data).length > 0) obj.data = data;
    return { obj };
  }
}

function isStringMap(v: unknown): v is Record<string, string> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every((x) => typeof x === 'string');
}

function notFound(resource: CoreResource, name: string): Reply {
  return { code: 404, body: statusBody(404, 'NotFound', `${resource} "${name}" not found`, { name, kind: resource }) };
}

type Selector = { ok: true; matches: (o: KubeObject) => boolean } | { ok: false; error: string };

/** Equality-only field selectors on the two fields every kind supports. */
function parseFieldSelector(text: string | null): Selector {
  if (!text) return { ok: true, matches: () => true };
  const terms: Array<[string, string, boolean]> = [];
  for (const term of text.split(',')) {
    const m = /^([a-zA-Z.]+)(==|=|!=)(.*)$/.exec(term);
    if (!m) return { ok: false, error: `invalid selector: '${text}'; can't understand '${term}'` };
    if (m[1] !== 'metadata.name' && m[1] !== 'metadata.namespace') return { ok: false, error: `"${m[1]}" is not a known field selector: only "metadata.name", "metadata.namespace"` };
    terms.push([m[1], m[3]!, m[2] !== '!=']);
  }
  return { ok: true, matches: (o) => terms.every(([field, value, eq]) => ((field === 'metadata.name' ? o.metadata.name : o.metadata.namespace) === value) === eq) };
}

/** `/api/v1/...` paths of the three resources: undefined when the path is not one of them. */
export function parseCorePath(path: string): { resource: CoreResource; namespace?: string; name?: string } | undefined {
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] !== 'api' || parts[1] !== 'v1') return undefined;
  const rest = parts.slice(2);
  if (rest[0] === 'namespaces' && rest.length <= 2) return { resource: 'namespaces', name: rest[1] };
  if (rest[0] === 'namespaces' && (rest[2] === 'configmaps' || rest[2] === 'secrets') && rest.length <= 4) return { resource: rest[2], namespace: rest[1], name: rest[3] };
  if ((rest[0] === 'configmaps' || rest[0] === 'secrets') && rest.length === 1) return { resource: rest[0] };
  return undefined;
}

/** One request against the core resources (path already parsed). */
export function handleCore(store: CoreStore, method: string, target: NonNullable<ReturnType<typeof parseCorePath>>, query: URLSearchParams, body: unknown): Reply {
  const { resource, namespace, name } = target;
  const allNamespaces = resource !== 'namespaces' && namespace === undefined;
  if (name === undefined && method === 'GET') return store.list(resource, namespace, query);
  if (name === undefined && method === 'POST' && !allNamespaces) return store.create(resource, namespace, body);
  if (name !== undefined && method === 'GET') return store.read(resource, namespace, name);
  if (name !== undefined && method === 'PUT') return store.replace(resource, namespace, name, body);
  return { code: 405, body: statusBody(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource') };
}
