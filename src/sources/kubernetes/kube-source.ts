/**
 * The Kubernetes config source: one informer per kind the model reads (Service, EndpointSlice,
 * Pod, Namespace, Node and every Istio kind), each event converted and validated exactly as the
 * file source does it and fed to the same ConfigSink. Secrets and ConfigMaps are not mesh config
 * (and Secrets are sensitive): they go to read-only caches (`secrets`, `configMaps`) instead,
 * under the same discovery scope. `synced` once every informer listed.
 */
import type { LabelSelector, MeshConfig } from '../../config/mesh-types.js';
import type { Logger } from '../../lib/logger.js';
import { KINDS, type KindInfo, type KindName } from '../../model/kinds.js';
import type { Validator } from '../../model/validation/validate.js';
import type { ConfigSink } from '../file/config-files.js';
import type { BackoffPolicy } from './backoff.js';
import { collectionPath, transformFor } from './convert.js';
import { createInformer, type Informer, type InformerStats } from './informer.js';
import { DiscoveryScope } from './discovery-scope.js';
import { KubeObjects, type KubeObjectReport } from './kube-objects.js';
import { createMeshConfigWatch, type MeshConfigWatch } from './mesh-config-watch.js';
import { ScopedDelivery } from './scoped-delivery.js';
import type { KubeObject } from './object-cache.js';
import type { KubeConfigMap } from './configmap-convert.js';
import type { ResourceCacheView } from './resource-cache.js';
import { createSourceCaches, routingTarget } from './resource-cache-kinds.js';
import type { KubeSecret } from './secret-convert.js';
import type { ListWatchTransport } from './transport.js';

/** Core kinds the model builds the registry from (Secret and ConfigMap go to caches, not the model). */
const CORE_KINDS: readonly KindName[] = ['Service', 'EndpointSlice', 'Pod', 'Namespace', 'Node'];

/**
 * Istio kinds, the core kinds above and the Gateway API kinds. The Gateway API CRDs may not be
 * installed: a kind the API server does not serve (404) counts as synced and is retried later.
 */
export function watchedKinds(): KindInfo[] {
  return KINDS.filter((k) => k.istio || k.gatewayApi === true || CORE_KINDS.includes(k.kind));
}

export interface KubernetesSourceOptions {
  readonly transport: ListWatchTransport;
  readonly validator: Validator;
  readonly sink: ConfigSink;
  readonly logger: Logger;
  /** Recorded on every object as `kube:<clusterID>`. */
  readonly clusterID: string;
  readonly kinds?: readonly KindInfo[];
  readonly resyncMs?: number;
  readonly backoff?: BackoffPolicy;
  /** MeshConfig discoverySelectors in force at start; change them with setDiscoverySelectors. */
  readonly discoverySelectors?: readonly LabelSelector[];
  /** Namespaces always in scope: istiod's own and the mesh root namespace. */
  readonly alwaysInScope?: readonly string[];
  /** Watch ConfigMap `istio` in this namespace for the mesh config (read before any other kind). */
  readonly meshConfigMap?: { readonly namespace: string; readonly initial: MeshConfig; onMesh(mesh: MeshConfig, from: string): void };
  /** Watch Secrets and ConfigMaps into the caches; default: true unless `kinds` is given. */
  readonly caches?: boolean;
}

/** Per-kind state for /debug/sourcez; cache kinds add counts (never contents). */
export type SourceKindStatus = InformerStats & { synced: boolean; cached?: number; withProblems?: number };

export interface KubernetesSource {
  /** Starts every informer; resolves once all of them synced (or the source was closed). */
  start(): Promise<void>;
  readonly synced: boolean;
  reports(): KubeObjectReport[];
  /** Per-kind informer state for /debug/sourcez. */
  status(): Record<string, SourceKindStatus>;
  /** Secrets in scope (not service-account tokens or Helm releases), decoded. */
  readonly secrets: ResourceCacheView<KubeSecret>;
  /** ConfigMaps in scope. */
  readonly configMaps: ResourceCacheView<KubeConfigMap>;
  /** Applies new discoverySelectors live: namespaces entering scope are added, leaving ones removed. */
  setDiscoverySelectors(selectors: readonly LabelSelector[] | undefined, alwaysInScope?: readonly string[]): void;
  /** The raw objects (with status) an informer holds for `kind`, in discovery scope (status writes). */
  objectsOf(kind: KindName): KubeObject[];
  /** Called after every Istio object event the source handled (status writes recompute). */
  onObjectEvent(listener: () => void): () => void;
  close(): Promise<void>;
}

export function createKubernetesSource(opts: KubernetesSourceOptions): KubernetesSource {
  const log = opts.logger;
  const objects = new KubeObjects(opts.validator, opts.sink, `kube:${opts.clusterID}`);
  const informers = new Map<KindName, Informer>();
  const kindInfos = opts.kinds ?? watchedKinds();
  const scope = new DiscoveryScope(new Set(opts.alwaysInScope ?? []), opts.discoverySelectors);
  const caches = createSourceCaches(log);
  const cacheKinds = (opts.caches ?? opts.kinds === undefined) ? caches.kinds : [];
  const cachedKinds = [...kindInfos, ...cacheKinds.map((k) => k.info)].map((info) => ({ info, objects: () => informers.get(info.kind)?.objects() ?? [] }));
  const source = `kube:${opts.clusterID}`;
  const delivery = new ScopedDelivery(scope, routingTarget(objects, caches, source), () => cachedKinds, (change) => log.info({ entered: change.entered, left: change.left }, 'discovery scope changed'));
  const meshWatch: MeshConfigWatch | undefined = opts.meshConfigMap && createMeshConfigWatch({
    transport: opts.transport,
    namespace: opts.meshConfigMap.namespace,
    initial: opts.meshConfigMap.initial,
    logger: log,
    source: `kube:${opts.clusterID}`,
    onMesh: opts.meshConfigMap.onMesh,
    ...(opts.backoff ? { backoff: opts.backoff } : {}),
  });
  const eventListeners = new Set<() => void>();
  const notifyEvent = (info: KindInfo) => (info.istio || info.gatewayApi === true) && eventListeners.forEach((l) => l());
  let closed = false;
  let wakeOnClose!: () => void;
  const closedPromise = new Promise<void>((resolve) => (wakeOnClose = resolve));

  function onApply(info: KindInfo, obj: KubeObject): void {
    const report = delivery.upsert(info, obj);
    if (!report) return;
    const fields = { code: report.code, object: report.object, resourceVersion: report.resourceVersion, keptLastGood: report.keptLastGood };
    if (report.errors.length > 0) log.warn({ ...fields, errors: report.errors }, 'kubernetes object rejected');
    else log.info({ ...fields, warnings: report.warnings }, 'kubernetes object has warnings');
  }

  const informerKinds = [...kindInfos.map((info) => ({ info, path: collectionPath(info), transform: transformFor(info) })), ...cacheKinds];
  for (const { info, path, transform } of informerKinds) {
    informers.set(info.kind, createInformer({
      name: info.kind,
      path,
      transport: opts.transport,
      logger: log.child({ kind: info.kind }),
      transform,
      ...(opts.resyncMs ? { resyncMs: opts.resyncMs } : {}),
      ...(opts.backoff ? { backoff: opts.backoff } : {}),
      handlers: { upsert: (obj) => (onApply(info, obj), notifyEvent(info)), remove: (obj) => (delivery.remove(info, obj), notifyEvent(info)) },
    }));
  }

  return {
    async start() {
      // The mesh config first: its discoverySelectors decide what the first snapshot holds.
      if (meshWatch) {
        meshWatch.informer.start();
        await Promise.race([meshWatch.informer.whenSynced(), closedPromise]);
        if (closed) return;
      }
      for (const informer of informers.values()) informer.start();
      await Promise.race([Promise.all([...informers.values()].map((i) => i.whenSynced())), closedPromise]);
      if (closed) return;
      log.info({ kinds: informers.size, objects: objects.objectCount(), rejected: objects.reports().filter((r) => r.errors.length > 0).length }, 'kubernetes source synced');
    },
    get synced() {
      return (meshWatch?.informer.synced ?? true) && [...informers.values()].every((i) => i.synced);
    },
    reports: () => {
      const meshReport = meshWatch?.report();
      const all = [...objects.reports(), ...caches.reports(source)];
      return meshReport ? [meshReport, ...all] : all;
    },
    status: () => {
      const all: Array<[string, Informer]> = [...informers, ...(meshWatch ? [['MeshConfig', meshWatch.informer] as [string, Informer]] : [])];
      return Object.fromEntries(all.map(([kind, i]) => [kind, { ...i.stats(), synced: i.synced, ...caches.byKind(kind as KindName)?.stats() }]));
    },
    secrets: caches.secrets,
    configMaps: caches.configMaps,
    setDiscoverySelectors: (selectors, alwaysIn) => void delivery.setSelectors(selectors, alwaysIn),
    objectsOf: (kind) => (informers.get(kind)?.objects() ?? []).filter((o) => typeof o.metadata?.namespace !== 'string' || scope.inScope(o.metadata.namespace)),
    onObjectEvent(listener) {
      eventListeners.add(listener);
      return () => void eventListeners.delete(listener);
    },
    async close() {
      closed = true;
      meshWatch?.informer.close();
      for (const informer of informers.values()) informer.close();
      wakeOnClose();
    },
  };
}
