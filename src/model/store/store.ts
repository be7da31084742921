/**
 * The one mutable part of the model: the current objects, keyed by `kind/namespace/name`, plus
 * the keys changed since the last `takeChanges()`. Sources write here; snapshots read `list()`.
 */
import { objectKey, refOf, type ConfigObject, type ObjectRef } from '../config.js';
import type { KindName } from '../kinds.js';
import { jsonEqual } from './json-equal.js';

export type ChangeListener = (key: string) => void;

export interface Store {
  /** Adds or replaces an object. Returns false (and records nothing) if nothing meaningful changed. */
  upsert(obj: ConfigObject): boolean;
  /** Returns false if there was no such object. */
  remove(ref: ObjectRef): boolean;
  get(ref: ObjectRef): ConfigObject | undefined;
  /** By store key (`objectKey(refOf(obj))`, as takeChanges() returns them). */
  getByKey(key: string): ConfigObject | undefined;
  /** Current objects (all, or of one kind), in insertion order. */
  list(kind?: KindName): ConfigObject[];
  readonly size: number;
  /** Keys changed since the previous call; clears them. */
  takeChanges(): Set<string>;
  hasChanges(): boolean;
  /** Called after each recorded change, with the object's key. Returns an unsubscribe function. */
  subscribe(listener: ChangeListener): () => void;
}

/**
 * Same spec, labels, annotations and lifecycle timestamps: a resync or a status-only update
 * (of an Istio kind) is not a change. Creation time orders conflicting objects, deletion time
 * ends a Pod's endpoints: snapshots built incrementally must see those.
 */
export function sameContent(a: ConfigObject, b: ConfigObject): boolean {
  return a.metadata.creationTimestamp === b.metadata.creationTimestamp
    && a.metadata.deletionTimestamp === b.metadata.deletionTimestamp
    && jsonEqual(a.metadata.labels, b.metadata.labels)
    && jsonEqual(a.metadata.annotations, b.metadata.annotations)
    && jsonEqual(a.spec, b.spec)
    && a.apiVersion === b.apiVersion;
}

export function createStore(): Store {
  const objects = new Map<string, ConfigObject>();
  // Per kind too: list(kind) is asked per batch (Gateway API inputs) and must not scan every Pod.
  const byKind = new Map<string, Map<string, ConfigObject>>();
  const kindMap = (kind: string) => {
    let map = byKind.get(kind);
    if (!map) byKind.set(kind, (map = new Map()));
    return map;
  };
  let changed = new Set<string>();
  const listeners = new Set<ChangeListener>();
  const record = (key: string) => {
    changed.add(key);
    for (const l of listeners) l(key);
  };
  return {
    upsert(obj) {
      const key = objectKey(refOf(obj));
      const old = objects.get(key);
      objects.set(key, obj);
      kindMap(obj.kind).set(key, obj);
      if (old && sameContent(old, obj)) return false;
      record(key);
      return true;
    },
    remove(ref) {
      const key = objectKey(ref);
      if (!objects.delete(key)) return false;
      byKind.get(ref.kind)?.delete(key);
      record(key);
      return true;
    },
    get: (ref) => objects.get(objectKey(ref)),
    getByKey: (key) => objects.get(key),
    list: (kind) => [...(kind === undefined ? objects : byKind.get(kind) ?? []).values()],
    get size() {
      return objects.size;
    },
    takeChanges() {
      const taken = changed;
      changed = new Set();
      return taken;
    },
    hasChanges: () => changed.size > 0,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
