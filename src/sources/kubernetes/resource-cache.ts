/**
 * A small read-only cache of one kind the mesh reads but that is not mesh config (Secrets,
 * ConfigMaps): entries already converted by the informer's transform (base64 decoded once),
 * looked up by namespace/name, and change notifications with the changed `namespace/name`
 * keys. Entries never reach the config model or /debug/configz; only counts are shown.
 * Changes made in one synchronous burst (a list, a scope change) reach listeners as one call.
 */
import type { KubeObject } from './object-cache.js';

export type Labels = Readonly<Record<string, string>>;

/** What every cached entry has: identity, labels/annotations and the conversion's problems. */
export interface CachedEntry {
  readonly metadata: {
    readonly name: string;
    readonly namespace: string;
    readonly resourceVersion?: string;
    readonly uid?: string;
    readonly labels: Labels;
    readonly annotations: Labels;
  };
  /** Per-key problems (e.g. a value that is not base64), naming the field, never the value. */
  readonly problems: readonly string[];
  /** True when the entry is filtered out (e.g. a service-account-token Secret): not cached. */
  readonly skipped?: boolean;
}

export type ChangeKeysListener = (keys: readonly string[]) => void;

/** What consumers (gateway SDS, the injector) see. */
export interface ResourceCacheView<T extends CachedEntry> {
  get(namespace: string, name: string): T | undefined;
  /** Called after changes with the changed `namespace/name` keys; returns an unsubscribe function. */
  onChange(listener: ChangeKeysListener): () => void;
  readonly size: number;
}

export interface ResourceCacheStats {
  readonly cached: number;
  /** Entries with conversion problems (their other keys are still served). */
  readonly withProblems: number;
}

const keyOf = (namespace: string, name: string): string => `${namespace}/${name}`;

export class ResourceCache<T extends CachedEntry> implements ResourceCacheView<T> {
  private readonly entries = new Map<string, T>();
  private readonly listeners = new Set<ChangeKeysListener>();
  private pending = new Set<string>();
  private flushQueued = false;

  constructor(private readonly onListenerError: (err: unknown) => void = () => {}) {}

  get(namespace: string, name: string): T | undefined {
    return this.entries.get(keyOf(namespace, name));
  }

  onChange(listener: ChangeKeysListener): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  get size(): number {
    return this.entries.size;
  }

  stats(): ResourceCacheStats {
    let withProblems = 0;
    for (const e of this.entries.values()) if (e.problems.length > 0) withProblems++;
    return { cached: this.entries.size, withProblems };
  }

  /** Entries with conversion problems, for reports (keys and reasons only). */
  problemEntries(): T[] {
    return [...this.entries.values()].filter((e) => e.problems.length > 0);
  }

  /** An informer delivered `obj` (the transform's output). A skipped entry removes what was cached. */
  apply(obj: KubeObject): void {
    const entry = obj as unknown as T;
    if (entry.skipped) return this.remove(obj);
    const key = keyOf(entry.metadata.namespace, entry.metadata.name);
    if (this.entries.get(key) === entry) return;
    this.entries.set(key, entry);
    this.changed(key);
  }

  remove(obj: KubeObject): void {
    const key = keyOf(String(obj.metadata?.namespace ?? ''), String(obj.metadata?.name ?? ''));
    if (this.entries.delete(key)) this.changed(key);
  }

  private changed(key: string): void {
    this.pending.add(key);
    if (this.flushQueued) return;
    this.flushQueued = true;
    queueMicrotask(() => this.flush());
  }

  private flush(): void {
    this.flushQueued = false;
    const keys = [...this.pending].sort();
    this.pending = new Set();
    if (keys.length === 0) return;
    for (const listener of this.listeners) {
      try {
        listener(keys);
      } catch (err) {
        this.onListenerError(err);
      }
    }
  }
}

/** Labels or annotations as a string map; anything else (bad input) becomes empty. */
export function stringMap(value: unknown): Labels {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) if (typeof v === 'string') out[k] = v;
  return out;
}

/** The identity part of an entry, from an API object (metadata is untrusted). */
export function entryMetadata(raw: KubeObject): CachedEntry['metadata'] {
  const meta = raw.metadata ?? {};
  const rv = typeof meta.resourceVersion === 'string' ? meta.resourceVersion : undefined;
  const uid = typeof meta.uid === 'string' ? meta.uid : undefined;
  return {
    name: typeof meta.name === 'string' ? meta.name : '',
    namespace: typeof meta.namespace === 'string' ? meta.namespace : '',
    ...(rv !== undefined ? { resourceVersion: rv } : {}),
    ...(uid !== undefined ? { uid } : {}),
    labels: stringMap(meta.labels),
    annotations: stringMap(meta.annotations),
  };
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Decodes a `data`/`binaryData` map of base64 values once. A non-string or non-base64 value
 * is left out with a problem naming `<field>.<key>` (never the value: it may be a secret).
 */
export function decodeBase64Map(value: unknown, field: string, problems: string[]): ReadonlyMap<string, Buffer> {
  const out = new Map<string, Buffer>();
  if (value === undefined || value === null) return out;
  if (typeof value !== 'object' || Array.isArray(value)) {
    problems.push(`${field}: not a map of keys to base64 values`);
    return out;
  }
  for (const [key, encoded] of Object.entries(value)) {
    if (typeof encoded !== 'string' || !BASE64.test(encoded)) problems.push(`${field}.${key}: not valid base64`);
    else out.set(key, Buffer.from(encoded, 'base64'));
  }
  return out;
}
