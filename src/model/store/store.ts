/**
 * The one mutable part of the model: the current objects, keyed by `kind/namespace/name`, plus
 * the keys changed since the last `takeChanges()`. Sources write here; snapshots read `list()`.
 */
import { isDeepStrictEqual } from 'node:util';
import { objectKey, refOf, type ConfigObject, type ObjectRef } from '../config.js';
import type { KindName } from '../kinds.js';

export type ChangeListener = (key: string) => void;

export interface Store {
  /** Adds or replaces an object. Returns false (and records nothing) if nothing meaningful changed. */
  upsert(obj: ConfigObject): boolean;
  /** Returns false if there was no such object. */
  remove(ref: ObjectRef): boolean;
  get(ref: ObjectRef): ConfigObject | undefined;
  /** Current objects (all, or of one kind), in insertion order. */
  list(kind?: KindName): ConfigObject[];
  readonly size: number;
  /** Keys changed since the previous call; clears them. */
  takeChanges(): Set<string>;
  hasChanges(): boolean;
  /** Called after each recorded change, with the object's key. Returns an unsubscribe function. */
  subscribe(listener: ChangeListener): () => void;
}

/** Same spec, labels and annotations: a resync or a status-only update is not a change. */
export function sameContent(a: ConfigObject, b: ConfigObject): boolean {
  return isDeepStrictEqual(a.spec, b.spec)
    && isDeepStrictEqual(a.metadata.labels, b.metadata.labels)
    && isDeepStrictEqual(a.metadata.annotations, b.metadata.annotations)
    && a.apiVersion === b.apiVersion;
}

export function createStore(): Store {
  const objects = new Map<string, ConfigObject>();
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
      if (old && sameContent(old, obj)) return false;
      record(key);
      return true;
    },
    remove(ref) {
      const key = objectKey(ref);
      if (!objects.delete(key)) return false;
      record(key);
      return true;
    },
    get: (ref) => objects.get(objectKey(ref)),
    list: (kind) => [...objects.values()].filter((o) => kind === undefined || o.kind === kind),
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
