/**
 * An informer's cache of the objects it has delivered, keyed namespace/name, and the
 * reconciliation of that cache against a fresh list (after 410 Gone or a resync). Pure data:
 * the informer decides when to call it and delivers what it returns.
 */
export interface KubeObjectMeta {
  readonly name?: string;
  readonly namespace?: string;
  readonly resourceVersion?: string;
  readonly uid?: string;
  readonly [field: string]: unknown;
}

/** An object as the API server sends it (JSON); only metadata is trusted to exist, and not even that. */
export interface KubeObject {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata?: KubeObjectMeta;
  readonly [field: string]: unknown;
}

/** `namespace/name`, or `name` for cluster-scoped objects; undefined when the object has no name. */
export function cacheKey(obj: KubeObject): string | undefined {
  const meta = obj.metadata;
  if (!meta || typeof meta.name !== 'string' || meta.name === '') return undefined;
  return typeof meta.namespace === 'string' && meta.namespace !== '' ? `${meta.namespace}/${meta.name}` : meta.name;
}

export function resourceVersionOf(obj: KubeObject): string | undefined {
  const rv = obj.metadata?.resourceVersion;
  return typeof rv === 'string' && rv !== '' ? rv : undefined;
}

/** Resource versions are opaque: equal strings mean the same version, anything else is a change. */
export function sameVersion(a: KubeObject, b: KubeObject): boolean {
  const rv = resourceVersionOf(a);
  return rv !== undefined && rv === resourceVersionOf(b);
}

export interface Reconciliation {
  /** Objects new or changed since the cache saw them. */
  readonly upserts: KubeObject[];
  /** Cached objects the list no longer has (deleted while we were not watching). */
  readonly deletes: KubeObject[];
}

/**
 * Compares the cache with a complete list, updates the cache to equal the list and returns
 * what changed. Each vanished object is returned exactly once, since it leaves the cache here.
 */
export function reconcile(cache: Map<string, KubeObject>, items: readonly KubeObject[]): Reconciliation {
  const listed = new Map<string, KubeObject>();
  for (const item of items) {
    const key = cacheKey(item);
    if (key !== undefined) listed.set(key, item);
  }
  const deletes: KubeObject[] = [];
  for (const [key, old] of cache) {
    if (listed.has(key)) continue;
    cache.delete(key);
    deletes.push(old);
  }
  const upserts: KubeObject[] = [];
  for (const [key, item] of listed) {
    const old = cache.get(key);
    if (old && sameVersion(old, item)) continue;
    cache.set(key, item);
    upserts.push(item);
  }
  return { upserts, deletes };
}
