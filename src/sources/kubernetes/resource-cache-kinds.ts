/**
 * The kinds the Kubernetes source keeps in read-only caches instead of the config model
 * (Secret, ConfigMap): their informer paths and transforms, and the delivery target that sends
 * their objects to the caches and everything else on to the model. Problems found while
 * converting (a value that is not base64) become reports naming the object and field only.
 */
import { ErrorCodes } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import { kindInfo, type KindInfo, type KindName } from '../../model/kinds.js';
import { convertConfigMap, type KubeConfigMap } from './configmap-convert.js';
import { collectionPath, trimForCache } from './convert.js';
import type { KubeObjectReport } from './kube-objects.js';
import type { KubeObject } from './object-cache.js';
import { ResourceCache, type CachedEntry } from './resource-cache.js';
import type { ScopedTarget } from './scoped-delivery.js';
import { convertSecret, secretsPath, type KubeSecret } from './secret-convert.js';

export interface CacheKind {
  readonly info: KindInfo;
  readonly path: string;
  readonly transform: (obj: KubeObject) => KubeObject;
  readonly cache: ResourceCache<CachedEntry>;
}

export interface SourceCaches {
  readonly secrets: ResourceCache<KubeSecret>;
  readonly configMaps: ResourceCache<KubeConfigMap>;
  readonly kinds: readonly CacheKind[];
  byKind(kind: KindName): ResourceCache<CachedEntry> | undefined;
  /** Reports for cached entries with conversion problems. */
  reports(source: string): KubeObjectReport[];
}

export function createSourceCaches(log: Logger): SourceCaches {
  const onListenerError = (err: unknown) => log.error({ err }, 'cache change listener failed');
  const secrets = new ResourceCache<KubeSecret>(onListenerError);
  const configMaps = new ResourceCache<KubeConfigMap>(onListenerError);
  const kinds: CacheKind[] = [
    { info: kindInfo('Secret'), path: secretsPath(), transform: (o) => convertSecret(trimForCache(o)) as unknown as KubeObject, cache: secrets },
    { info: kindInfo('ConfigMap'), path: collectionPath(kindInfo('ConfigMap')), transform: (o) => convertConfigMap(trimForCache(o)) as unknown as KubeObject, cache: configMaps },
  ];
  return {
    secrets,
    configMaps,
    kinds,
    byKind: (kind) => kinds.find((k) => k.info.kind === kind)?.cache,
    reports: (source) => kinds.flatMap((k) => k.cache.problemEntries().map((e) => problemReport(k.info, e, source))),
  };
}

export function problemReport(info: KindInfo, entry: CachedEntry, source: string): KubeObjectReport {
  const { namespace, name, resourceVersion } = entry.metadata;
  return { source, object: `${info.kind}/${namespace}/${name}`, ...(resourceVersion ? { resourceVersion } : {}), code: ErrorCodes.CONFIG_INVALID, errors: [...entry.problems], warnings: [], keptLastGood: false };
}

/** Cache kinds to their caches, every other kind to `model`. */
export function routingTarget(model: ScopedTarget, caches: SourceCaches, source: string): ScopedTarget {
  return {
    apply(info, obj) {
      const cache = caches.byKind(info.kind);
      if (!cache) return model.apply(info, obj);
      cache.apply(obj);
      const entry = obj as unknown as CachedEntry;
      return entry.problems?.length ? problemReport(info, entry, source) : undefined;
    },
    remove(info, obj) {
      const cache = caches.byKind(info.kind);
      if (cache) cache.remove(obj);
      else model.remove(info, obj);
    },
  };
}
