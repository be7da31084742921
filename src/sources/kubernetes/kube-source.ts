/**
 * The Kubernetes config source: one informer per kind the model reads (Service, EndpointSlice,
 * Pod, Namespace, Node and every Istio kind), each event converted and validated exactly as the
 * file source does it and fed to the same ConfigSink. `synced` once every informer listed.
 */
import type { Logger } from '../../lib/logger.js';
import { KINDS, type KindInfo, type KindName } from '../../model/kinds.js';
import type { Validator } from '../../model/validation/validate.js';
import type { ConfigSink } from '../file/config-files.js';
import type { BackoffPolicy } from './backoff.js';
import { collectionPath, trimForCache } from './convert.js';
import { createInformer, type Informer, type InformerStats } from './informer.js';
import { KubeObjects, type KubeObjectReport } from './kube-objects.js';
import type { KubeObject } from './object-cache.js';
import type { ListWatchTransport } from './transport.js';

/** Core kinds the model builds the registry from; Secret/ConfigMap/ServiceAccount come with later work. */
const CORE_KINDS: readonly KindName[] = ['Service', 'EndpointSlice', 'Pod', 'Namespace', 'Node'];

export function watchedKinds(): KindInfo[] {
  return KINDS.filter((k) => k.istio || CORE_KINDS.includes(k.kind));
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
}

export interface KubernetesSource {
  /** Starts every informer; resolves once all of them synced (or the source was closed). */
  start(): Promise<void>;
  readonly synced: boolean;
  reports(): KubeObjectReport[];
  /** Per-kind informer state for /debug/sourcez. */
  status(): Record<string, InformerStats & { synced: boolean }>;
  close(): Promise<void>;
}

export function createKubernetesSource(opts: KubernetesSourceOptions): KubernetesSource {
  const log = opts.logger;
  const objects = new KubeObjects(opts.validator, opts.sink, `kube:${opts.clusterID}`);
  let closed = false;
  let wakeOnClose!: () => void;
  const closedPromise = new Promise<void>((resolve) => (wakeOnClose = resolve));

  function onApply(info: KindInfo, obj: KubeObject): void {
    const report = objects.apply(info, obj);
    if (!report) return;
    const fields = { code: report.code, object: report.object, resourceVersion: report.resourceVersion, keptLastGood: report.keptLastGood };
    if (report.errors.length > 0) log.warn({ ...fields, errors: report.errors }, 'kubernetes object rejected');
    else log.info({ ...fields, warnings: report.warnings }, 'kubernetes object has warnings');
  }

  const informers = new Map<KindName, Informer>();
  for (const info of opts.kinds ?? watchedKinds()) {
    informers.set(info.kind, createInformer({
      name: info.kind,
      path: collectionPath(info),
      transport: opts.transport,
      logger: log.child({ kind: info.kind }),
      transform: trimForCache,
      ...(opts.resyncMs ? { resyncMs: opts.resyncMs } : {}),
      ...(opts.backoff ? { backoff: opts.backoff } : {}),
      handlers: { upsert: (obj) => onApply(info, obj), remove: (obj) => objects.remove(info, obj) },
    }));
  }

  return {
    async start() {
      for (const informer of informers.values()) informer.start();
      await Promise.race([Promise.all([...informers.values()].map((i) => i.whenSynced())), closedPromise]);
      if (closed) return;
      log.info({ kinds: informers.size, objects: objects.objectCount(), rejected: objects.reports().filter((r) => r.errors.length > 0).length }, 'kubernetes source synced');
    },
    get synced() {
      return [...informers.values()].every((i) => i.synced);
    },
    reports: () => objects.reports(),
    status: () => Object.fromEntries([...informers].map(([kind, i]) => [kind, { ...i.stats(), synced: i.synced }])),
    async close() {
      closed = true;
      for (const informer of informers.values()) informer.close();
      wakeOnClose();
    },
  };
}
