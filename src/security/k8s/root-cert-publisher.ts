/**
 * Root distribution in Kubernetes mode, as istiod's namespace controller does it: ConfigMap
 * `istio-ca-root-cert` (label istio.io/config=true, key root-cert.pem = every trusted root,
 * concatenated) in every namespace except kube-public, kube-node-lease and local-path-storage
 * (kube-system is served), skipping namespaces being deleted. Missing ConfigMaps are created,
 * stale ones updated (only when root-cert.pem differs; other keys and labels are kept), on
 * demand and on a resync interval.
 *
 * Singleton duty: only the leader may run it. Issue 6 adds leader election and must call
 * start() on acquiring the lease and stop() on losing it (and may feed informer events to
 * publishNamespace()); until then nothing starts it in the daemon.
 *
 * Bounded: one pass at a time (requests during a pass coalesce into one more), at most
 * `concurrency` namespaces written at once. A namespace's error is reported and logged, never
 * fatal to the pass or the process.
 */
import { silentLogger, type Logger } from '../../lib/logger.js';
import { isAlreadyExists, isConflict, isForbidden, isNotFound, kubeJson, kubeListAll, KubeApiError, type KubeClient } from '../authn/kube-client.js';

export const ROOT_CERT_CONFIGMAP = 'istio-ca-root-cert';
export const ROOT_CERT_CONFIGMAP_KEY = 'root-cert.pem';
export const ROOT_CERT_CONFIGMAP_LABELS: Readonly<Record<string, string>> = Object.freeze({ 'istio.io/config': 'true' });
/** Istio's injection-ignored namespaces minus kube-system (ztunnel may run there). */
export const ROOT_CERT_IGNORED_NAMESPACES: ReadonlySet<string> = new Set(['kube-public', 'kube-node-lease', 'local-path-storage']);
export const DEFAULT_ROOT_CERT_RESYNC_MS = 60_000;
export const DEFAULT_ROOT_CERT_CONCURRENCY = 8;
/** Writes per namespace per pass (conflicts, a create racing a create) before giving up until the next pass. */
const MAX_WRITE_ATTEMPTS = 4;

export interface NamespaceInfo {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
}

export type NamespaceOutcome =
  | { readonly namespace: string; readonly action: 'created' | 'updated' | 'unchanged' }
  | { readonly namespace: string; readonly action: 'skipped'; readonly reason: string }
  | { readonly namespace: string; readonly action: 'failed'; readonly error: string };

export interface PublishReport {
  /** One entry per namespace listed, in name order. */
  readonly outcomes: readonly NamespaceOutcome[];
  /** Set when the pass could not start (namespaces not listable, no roots): nothing was written. */
  readonly error?: string;
}

export interface RootCertPublisherOptions {
  readonly kube: KubeClient;
  /** The CA's trusted roots right now (ManagedWorkloadCa.roots). */
  readonly roots: () => readonly string[];
  readonly resyncIntervalMs?: number;
  readonly concurrency?: number;
  /** Extra namespace filter (MeshConfig discoverySelectors, issue 6); default: all. */
  readonly includeNamespace?: (ns: NamespaceInfo) => boolean;
  readonly logger?: Logger;
  /** Told the result of every pass (debug views, tests). */
  readonly onReport?: (report: PublishReport) => void;
}

export interface RootCertPublisher {
  /** One reconcile pass over all namespaces now, with `roots` (default: options.roots()). Never rejects. */
  publish(roots?: readonly string[]): Promise<PublishReport>;
  /** Publishes only while started (the leader): what a CA root-change hook calls. */
  rootsChanged(): void;
  /** Reconciles one namespace (an informer's namespace-added or ConfigMap-changed event). */
  publishNamespace(namespace: string): Promise<NamespaceOutcome>;
  /** Begins duty: a pass now, then one every resync interval. Idempotent. */
  start(): void;
  /** Ends duty and waits for a pass in flight. */
  stop(): Promise<void>;
  readonly started: boolean;
}

interface ConfigMapObject {
  metadata: { name: string; namespace?: string; resourceVersion?: string; labels?: Record<string, string>; [k: string]: unknown };
  data?: Record<string, string>;
  [k: string]: unknown;
}

interface NamespaceObject {
  metadata?: { name?: unknown; labels?: unknown };
  status?: { phase?: unknown };
}

/** Every root once, each ending in a newline, in the CA's order. */
export function rootBundle(roots: readonly string[]): string {
  return roots.map((pem) => (pem.endsWith('\n') ? pem : `${pem}\n`)).join('');
}

const configMapsPath = (ns: string) => `/api/v1/namespaces/${encodeURIComponent(ns)}/configmaps`;

export function createRootCertPublisher(opts: RootCertPublisherOptions): RootCertPublisher {
  const log = opts.logger ?? silentLogger;
  const concurrency = Math.max(1, opts.concurrency ?? DEFAULT_ROOT_CERT_CONCURRENCY);
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<PublishReport> | undefined;
  let queued: Promise<PublishReport> | undefined;
  let requestedRoots: readonly string[] | undefined;

  async function pass(): Promise<PublishReport> {
    const roots = requestedRoots ?? opts.roots();
    requestedRoots = undefined;
    const report = await publishAll(opts, rootBundle(roots), concurrency);
    if (report.error) log.error({ err: report.error }, 'root certificate ConfigMaps not published');
    const changed = report.outcomes.filter((o) => o.action === 'created' || o.action === 'updated').length;
    const failed = report.outcomes.filter((o) => o.action === 'failed');
    for (const f of failed) log.warn({ namespace: f.namespace, err: f.action === 'failed' ? f.error : '' }, 'cannot publish the root certificate ConfigMap');
    const summary = { namespaces: report.outcomes.length, changed, failed: failed.length };
    if (changed > 0) log.info(summary, 'root certificate ConfigMaps reconciled');
    else log.debug(summary, 'root certificate ConfigMaps reconciled');
    opts.onReport?.(report);
    return report;
  }

  function publish(roots?: readonly string[]): Promise<PublishReport> {
    if (roots) requestedRoots = roots;
    if (queued) return queued;
    if (!running) return (running = pass().finally(() => (running = undefined)));
    queued = running.then(() => {
      queued = undefined;
      return publish();
    });
    return queued;
  }

  const safely = () => void publish().catch((err: Error) => log.error({ err: err.message }, 'root certificate publishing failed'));

  return {
    publish,
    rootsChanged: () => (timer ? safely() : undefined),
    async publishNamespace(namespace) {
      if (ROOT_CERT_IGNORED_NAMESPACES.has(namespace)) return { namespace, action: 'skipped', reason: 'Kubernetes system namespace' };
      return reconcileNamespace(opts.kube, namespace, rootBundle(opts.roots()), 'unknown');
    },
    start() {
      if (timer) return;
      timer = setInterval(safely, opts.resyncIntervalMs ?? DEFAULT_ROOT_CERT_RESYNC_MS);
      timer.unref();
      safely();
    },
    async stop() {
      clearInterval(timer);
      timer = undefined;
      await (queued ?? running)?.catch(() => undefined);
    },
    get started() {
      return timer !== undefined;
    },
  };
}

async function publishAll(opts: RootCertPublisherOptions, bundle: string, concurrency: number): Promise<PublishReport> {
  if (bundle === '') return { outcomes: [], error: 'the CA has no roots to publish' };
  let namespaces: NamespaceObject[];
  try {
    namespaces = await kubeListAll<NamespaceObject>(opts.kube, '/api/v1/namespaces');
  } catch (err) {
    return { outcomes: [], error: `cannot list namespaces: ${(err as Error).message}` };
  }
  const existing = await existingConfigMaps(opts.kube);
  const targets = namespaces.map(namespaceInfo).filter((t) => t.info.name !== '').sort((a, b) => (a.info.name < b.info.name ? -1 : 1));
  const outcomes = await mapBounded(targets, concurrency, async ({ info, phase }): Promise<NamespaceOutcome> => {
    const namespace = info.name;
    if (ROOT_CERT_IGNORED_NAMESPACES.has(namespace)) return { namespace, action: 'skipped', reason: 'Kubernetes system namespace' };
    if (phase === 'Terminating') return { namespace, action: 'skipped', reason: 'namespace is terminating' };
    if (opts.includeNamespace && !opts.includeNamespace(info)) return { namespace, action: 'skipped', reason: 'not selected' };
    return reconcileNamespace(opts.kube, namespace, bundle, existing ? existing.get(namespace) : 'unknown');
  });
  return { outcomes };
}

function namespaceInfo(ns: NamespaceObject): { info: NamespaceInfo; phase: unknown } {
  const labels = typeof ns.metadata?.labels === 'object' && ns.metadata.labels !== null ? (ns.metadata.labels as Record<string, string>) : {};
  return { info: { name: String(ns.metadata?.name ?? ''), labels }, phase: ns.status?.phase };
}

/** Every istio-ca-root-cert by namespace with one cluster-wide list; undefined when that list fails (then each namespace is read). */
async function existingConfigMaps(kube: KubeClient): Promise<Map<string, ConfigMapObject> | undefined> {
  try {
    const items = await kubeListAll<ConfigMapObject>(kube, '/api/v1/configmaps', { fieldSelector: `metadata.name=${ROOT_CERT_CONFIGMAP}` });
    return new Map(items.map((cm) => [cm.metadata.namespace ?? '', cm]));
  } catch {
    return undefined;
  }
}

async function readConfigMap(kube: KubeClient, namespace: string): Promise<ConfigMapObject | undefined> {
  try {
    return await kubeJson<ConfigMapObject>(kube, 'GET', `${configMapsPath(namespace)}/${ROOT_CERT_CONFIGMAP}`);
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/** Create, update or leave one namespace's ConfigMap; `known` is what a list said ('unknown': read it). */
async function reconcileNamespace(kube: KubeClient, namespace: string, bundle: string, known: ConfigMapObject | undefined | 'unknown'): Promise<NamespaceOutcome> {
  try {
    let current = known === 'unknown' ? await readConfigMap(kube, namespace) : known;
    for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
      if (!current) {
        const created = await createConfigMap(kube, namespace, bundle);
        if (created) return created;
        current = await readConfigMap(kube, namespace); // AlreadyExists: someone created it meanwhile
        continue;
      }
      if (current.data?.[ROOT_CERT_CONFIGMAP_KEY] === bundle) return { namespace, action: 'unchanged' };
      const body = { ...current, metadata: { ...current.metadata, labels: { ...current.metadata.labels, ...ROOT_CERT_CONFIGMAP_LABELS } }, data: { ...current.data, [ROOT_CERT_CONFIGMAP_KEY]: bundle } };
      try {
        await kubeJson(kube, 'PUT', `${configMapsPath(namespace)}/${ROOT_CERT_CONFIGMAP}`, body);
        return { namespace, action: 'updated' };
      } catch (err) {
        if (!isConflict(err) && !isNotFound(err)) throw err;
        current = await readConfigMap(kube, namespace);
      }
    }
    return { namespace, action: 'failed', error: `gave up after ${MAX_WRITE_ATTEMPTS} conflicting writes; retried next pass` };
  } catch (err) {
    return { namespace, action: 'failed', error: (err as Error).message };
  }
}

/** The outcome of a create, or undefined when it already exists. */
async function createConfigMap(kube: KubeClient, namespace: string, bundle: string): Promise<NamespaceOutcome | undefined> {
  const body = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: ROOT_CERT_CONFIGMAP, namespace, labels: { ...ROOT_CERT_CONFIGMAP_LABELS } }, data: { [ROOT_CERT_CONFIGMAP_KEY]: bundle } };
  try {
    await kubeJson(kube, 'POST', configMapsPath(namespace), body);
    return { namespace, action: 'created' };
  } catch (err) {
    if (isAlreadyExists(err)) return undefined;
    // The namespace went away or started terminating between the list and this write.
    if (isNotFound(err)) return { namespace, action: 'skipped', reason: 'namespace no longer exists' };
    if (isForbidden(err) && err instanceof KubeApiError && err.causes.includes('NamespaceTerminating')) return { namespace, action: 'skipped', reason: 'namespace is terminating' };
    throw err;
  }
}

/** `fn` over `items` with at most `limit` in flight; results in input order. */
async function mapBounded<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
