/**
 * The fake API server's storage, standing in for etcd plus the watch cache: every object of every
 * resource, one cluster-wide resourceVersion counter, and the log of changes since the compaction
 * horizon, from which watches resume and paged lists read consistent snapshots. Stored objects
 * are never mutated in place (a write stores a new object), so events and snapshots can share them.
 *
 * `put`/`get`/`delete`/`items` are the test's direct handle (no admission checks, but the same
 * stamping, defaulting and watch events as an API write); REST handlers use `write`/`remove`.
 */
import { randomUUID } from 'node:crypto';
import { applyDefaults } from './defaults.js';
import { apiVersionOf, typeId, type ResourceType, type ResourceTypes } from './resource-types.js';
import { clone, nowTimestamp, type DenyRule, type KubeObject } from './types.js';

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  readonly type: EventType;
  readonly rv: number;
  readonly resource: ResourceType;
  /** The object after the change (for DELETED: its last state, stamped with the deletion's revision). */
  readonly object: KubeObject;
  /** The object before the change (MODIFIED, DELETED). */
  readonly prev?: KubeObject;
}

export type StoreListener = (event: StoreEvent) => void;

const keyOf = (namespace: string | undefined, name: string): string => `${namespace ?? ''}/${name}`;

export class ObjectStore {
  readonly denied: DenyRule[] = [];
  private readonly tables = new Map<string, Map<string, KubeObject>>();
  private revision = 1;
  private horizon = 1;
  private log: StoreEvent[] = [];
  private readonly listeners = new Set<StoreListener>();
  private nextIp = 1;
  /**
   * Treat a write that changes nothing as kube-apiserver does: no new resourceVersion, no event.
   * Off by default only because earlier tests expect every PUT to bump the resourceVersion.
   */
  skipNoopUpdates = false;

  /** `callerName`: the identity Forbidden messages name. `maxEvents`: watch-cache capacity (older events are compacted). */
  constructor(readonly types: ResourceTypes, readonly callerName = 'system:serviceaccount:istio-system:istiod', private readonly maxEvents = Number.POSITIVE_INFINITY) {}

  currentRevision(): string {
    return String(this.revision);
  }

  revisionNumber(): number {
    return this.revision;
  }

  /** The oldest resourceVersion a watch can resume from or a snapshot can be read at. */
  compactedRevision(): number {
    return this.horizon;
  }

  /** Forget the change log up to `rv` (default: now), as etcd compaction does: older resumes get 410. */
  compact(rv = this.revision): void {
    this.horizon = Math.max(this.horizon, Math.min(rv, this.revision));
    this.log = this.log.filter((e) => e.rv > this.horizon);
  }

  /** Test control: create or replace `obj` (a plural such as `pods` or `gateways.networking.istio.io`). */
  put(resource: string, obj: KubeObject): KubeObject {
    const type = this.types.byName(resource);
    if (type.namespaced !== (obj.metadata.namespace !== undefined)) throw new Error(`fake kube: ${resource} "${obj.metadata.name}" ${type.namespaced ? 'needs' : 'must not have'} a namespace`);
    return this.write(type, clone(obj), this.lookup(type, obj.metadata.namespace, obj.metadata.name));
  }

  get(resource: string, namespace: string | undefined, name: string): KubeObject | undefined {
    const found = this.lookup(this.types.byName(resource), namespace, name);
    return found ? clone(found) : undefined;
  }

  /** Test control: delete immediately (finalizers ignored). */
  delete(resource: string, namespace: string | undefined, name: string): boolean {
    return this.remove(this.types.byName(resource), namespace, name) !== undefined;
  }

  /** Every object of a resource (in one namespace), sorted by namespace and name. */
  items(resource: string, namespace?: string): KubeObject[] {
    const type = this.types.byName(resource);
    return [...this.table(type).entries()]
      .filter(([, o]) => namespace === undefined || o.metadata.namespace === namespace)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([, o]) => clone(o));
  }

  lookup(type: ResourceType, namespace: string | undefined, name: string): KubeObject | undefined {
    return this.table(type).get(keyOf(namespace, name));
  }

  /** Stamp, default and store `obj` (owned by the store from now on); emits ADDED or MODIFIED. */
  write(type: ResourceType, obj: KubeObject, existing: KubeObject | undefined): KubeObject {
    obj.apiVersion = apiVersionOf(type);
    obj.kind = type.kind;
    const meta = obj.metadata;
    meta.uid = existing?.metadata.uid ?? randomUUID();
    meta.creationTimestamp = existing?.metadata.creationTimestamp ?? nowTimestamp();
    if (type.custom) meta.generation = nextGeneration(obj, existing);
    applyDefaults(type, obj, () => this.allocateIp());
    if (meta.deletionTimestamp !== undefined && !(meta.finalizers?.length)) {
      return clone(this.remove(type, meta.namespace, meta.name)!);
    }
    if (existing && this.skipNoopUpdates && sameContent(obj, existing)) return clone(existing);
    meta.resourceVersion = String(++this.revision);
    this.table(type).set(keyOf(meta.namespace, meta.name), obj);
    this.emit({ type: existing ? 'MODIFIED' : 'ADDED', rv: this.revision, resource: type, object: obj, ...(existing ? { prev: existing } : {}) });
    return clone(obj);
  }

  /** Delete now; the returned object (also the DELETED event's) carries the deletion's revision. */
  remove(type: ResourceType, namespace: string | undefined, name: string): KubeObject | undefined {
    const key = keyOf(namespace, name);
    const prev = this.table(type).get(key);
    if (!prev) return undefined;
    this.table(type).delete(key);
    const object = { ...prev, metadata: { ...prev.metadata, resourceVersion: String(++this.revision) } };
    this.emit({ type: 'DELETED', rv: this.revision, resource: type, object, prev });
    return object;
  }

  /** The resource's objects as they were at `rv` (shared, do not mutate); undefined once compacted. */
  snapshot(type: ResourceType, rv = this.revision): Map<string, KubeObject> | undefined {
    if (rv < this.horizon) return undefined;
    const state = new Map(this.table(type));
    for (let i = this.log.length - 1; i >= 0 && this.log[i]!.rv > rv; i--) {
      const e = this.log[i]!;
      if (e.resource !== type) continue;
      const key = keyOf(e.object.metadata.namespace, e.object.metadata.name);
      if (e.prev) state.set(key, e.prev);
      else state.delete(key);
    }
    return state;
  }

  /** The changes after `rv`, oldest first; undefined when some were compacted away. */
  eventsAfter(rv: number): StoreEvent[] | undefined {
    if (rv < this.horizon) return undefined;
    const first = this.log.findIndex((e) => e.rv > rv);
    return first < 0 ? [] : this.log.slice(first);
  }

  subscribe(listener: StoreListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(event: StoreEvent): void {
    this.log.push(event);
    if (this.log.length > this.maxEvents) this.compact(this.log[this.log.length - this.maxEvents - 1]!.rv);
    for (const listener of [...this.listeners]) listener(event);
  }

  private table(type: ResourceType): Map<string, KubeObject> {
    let table = this.tables.get(typeId(type));
    if (!table) this.tables.set(typeId(type), (table = new Map()));
    return table;
  }

  private allocateIp(): string {
    const n = this.nextIp++;
    return `10.96.${(n >> 8) & 255}.${n & 255}`;
  }
}

/** Custom resources: 1 on create, +1 when anything outside metadata and status changed. */
function nextGeneration(obj: KubeObject, existing: KubeObject | undefined): number {
  if (!existing) return 1;
  const body = (o: KubeObject) => canonical({ ...o, metadata: undefined, status: undefined, apiVersion: undefined, kind: undefined });
  const previous = existing.metadata.generation ?? 1;
  return body(obj) === body(existing) ? previous : previous + 1;
}

function sameContent(a: KubeObject, b: KubeObject): boolean {
  const withoutVersion = (o: KubeObject) => canonical({ ...o, metadata: { ...o.metadata, resourceVersion: undefined } });
  return withoutVersion(a) === withoutVersion(b);
}

/** JSON with sorted keys, so a reordered but equal spec is not a change. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (typeof value !== 'object' || value === null) return JSON.stringify(value) ?? 'null';
  const entries = Object.entries(value).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : 1));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
}
