/**
 * Multi-cluster: Secrets labelled istio/multiCluster=true in istiod's namespace each hold
 * kubeconfigs of remote clusters, one per data key (the key is the cluster ID). Each cluster
 * gets its own registry-only Kubernetes source whose objects are tagged with the cluster and
 * go to the same sink. As istiod's secret controller does it:
 * - the config cluster's own ID in a secret is ignored (with a warning), and so is a cluster ID
 *   another secret already registered;
 * - a changed kubeconfig replaces that cluster's source (an identical one is a no-op); the old
 *   source's objects stay until the new one has synced (or timed out), then whatever the new one
 *   did not deliver is removed; an unusable kubeconfig is reported and the running source kept;
 * - a key or secret deleted stops that cluster's source and removes every object it delivered;
 * - a remote cluster counts as synced once it listed everything or after the remote sync
 *   timeout (PILOT_REMOTE_CLUSTER_TIMEOUT, 30s by default), so one unreachable cluster never
 *   keeps istiod unready.
 */
import { createHash } from 'node:crypto';
import type { LabelSelector } from '../../config/mesh-types.js';
import type { Logger } from '../../lib/logger.js';
import type { Result } from '../../lib/result.js';
import type { ConfigSink } from '../file/config-files.js';
import type { BackoffPolicy } from './backoff.js';
import { trimForCache } from './convert.js';
import { createInformer, type Informer } from './informer.js';
import type { KubernetesSource } from './kube-source.js';
import type { KubeObject } from './object-cache.js';
import { ClusterSink } from './remote-sink.js';
import type { ListWatchTransport } from './transport.js';

export const MULTICLUSTER_SECRET_LABEL = 'istio/multiCluster';
export const DEFAULT_REMOTE_SYNC_TIMEOUT_MS = 30_000;

export type SyncStatus = 'syncing' | 'synced' | 'timeout';

/** One row of /debug/clusterz (Istio's field names). */
export interface RemoteClusterInfo {
  readonly id: string;
  readonly secret_name: string;
  readonly sync_status: SyncStatus | 'error';
  readonly objects?: number;
  readonly error?: string;
}

export interface RemoteClustersOptions {
  /** The config cluster, where the secrets live. */
  readonly transport: ListWatchTransport;
  /** istiod's namespace (the secrets' namespace). */
  readonly namespace: string;
  readonly localClusterID: string;
  readonly sink: ConfigSink;
  readonly logger: Logger;
  readonly syncTimeoutMs?: number;
  readonly backoff?: BackoffPolicy;
  /** kubeconfig text → transport, or why it cannot be used. */
  connect(kubeconfig: string): Result<ListWatchTransport, string>;
  /** A registry-only source for one remote cluster, writing into `sink`. */
  createSource(clusterID: string, transport: ListWatchTransport, sink: ConfigSink): KubernetesSource;
}

export interface RemoteClusters {
  /** Lists the secrets and waits until every cluster they name synced or timed out. */
  start(): Promise<void>;
  readonly synced: boolean;
  clusters(): RemoteClusterInfo[];
  setDiscoverySelectors(selectors: readonly LabelSelector[] | undefined, alwaysInScope?: readonly string[]): void;
  close(): Promise<void>;
}

interface Entry {
  readonly id: string;
  readonly secret: string;
  readonly sha: string;
  readonly source: KubernetesSource;
  readonly sink: ClusterSink;
  status: SyncStatus;
  timer?: NodeJS.Timeout;
  /** Replaced sources' objects, withdrawn (except what this one delivered) once it settles. */
  predecessors: ClusterSink[];
  readonly settled: Promise<void>;
  settle(status: 'synced' | 'timeout'): void;
}

export function secretsPath(namespace: string): string {
  return `/api/v1/namespaces/${encodeURIComponent(namespace)}/secrets?labelSelector=${encodeURIComponent(`${MULTICLUSTER_SECRET_LABEL}=true`)}`;
}

/** The secret's data as cluster ID → kubeconfig text, sorted by ID. */
export function kubeconfigsOf(secret: KubeObject): Array<[string, string]> {
  const data = (secret as { data?: unknown }).data;
  if (typeof data !== 'object' || data === null) return [];
  return Object.entries(data as Record<string, unknown>)
    .filter((e): e is [string, string] => typeof e[1] === 'string')
    .map(([id, b64]) => [id, Buffer.from(b64, 'base64').toString('utf8')] as [string, string])
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

const secretName = (s: KubeObject) => `${String(s.metadata?.namespace ?? '')}/${String(s.metadata?.name ?? '')}`;

export function createRemoteClusters(opts: RemoteClustersOptions): RemoteClusters {
  const log = opts.logger;
  const timeoutMs = opts.syncTimeoutMs ?? DEFAULT_REMOTE_SYNC_TIMEOUT_MS;
  const entries = new Map<string, Entry>();
  /** `secret\0clusterID` → why its kubeconfig was not used. */
  const problems = new Map<string, string>();
  let closed = false;

  function stop(entry: Entry, withdraw: boolean): void {
    clearTimeout(entry.timer);
    entry.sink.detach();
    if (withdraw) for (const sink of [entry.sink, ...entry.predecessors]) sink.withdraw();
    entry.settle('timeout');
    entry.source.close().catch((err: unknown) => log.warn({ err, cluster: entry.id }, 'remote cluster source failed to close'));
  }

  /** The current source settled: replaced sources' leftovers go now. */
  function promote(entry: Entry, status: 'synced' | 'timeout'): void {
    for (const old of entry.predecessors) old.withdraw(entry.sink);
    entry.predecessors = [];
    entry.settle(status);
  }

  function startCluster(id: string, secret: string, sha: string, transport: ListWatchTransport, previous: Entry | undefined): void {
    const sink = new ClusterSink(opts.sink, id);
    let resolveSettled!: () => void;
    const entry: Entry = {
      id, secret, sha, sink, status: 'syncing',
      source: opts.createSource(id, transport, sink),
      predecessors: previous ? [...previous.predecessors, previous.sink] : [],
      settled: new Promise<void>((r) => (resolveSettled = r)),
      settle(status) {
        clearTimeout(entry.timer);
        if (entry.status === 'syncing' || status === 'synced') entry.status = status;
        resolveSettled();
      },
    };
    if (previous) stop(previous, false);
    entries.set(id, entry);
    entry.timer = setTimeout(() => {
      if (entries.get(id) !== entry || entry.status !== 'syncing') return;
      log.warn({ cluster: id, secret, timeoutMs }, 'remote cluster did not sync in time; continuing without waiting for it');
      promote(entry, 'timeout');
    }, timeoutMs);
    entry.source.start().then(
      () => {
        if (entries.get(id) !== entry || closed) return;
        log.info({ cluster: id, secret, objects: sink.size }, 'remote cluster synced');
        promote(entry, 'synced');
      },
      (err: unknown) => log.error({ err, cluster: id }, 'remote cluster source failed'),
    );
  }

  function applyKubeconfig(secret: string, id: string, text: string): void {
    const problemKey = `${secret}\u0000${id}`;
    if (id === opts.localClusterID) {
      log.warn({ cluster: id, secret }, 'ignoring the config cluster\'s own ID in a remote cluster secret');
      return;
    }
    const previous = entries.get(id);
    if (previous && previous.secret !== secret) {
      log.warn({ cluster: id, secret, registeredBy: previous.secret }, 'cluster already registered by another secret; ignored');
      return;
    }
    const sha = createHash('sha256').update(text).digest('hex');
    if (previous?.sha === sha) return;
    const transport = opts.connect(text);
    if (!transport.ok) {
      problems.set(problemKey, transport.errors.join('; '));
      log.error({ cluster: id, secret, error: transport.errors.join('; ') }, previous ? 'remote cluster kubeconfig unusable; the running source stays' : 'remote cluster kubeconfig unusable; cluster not added');
      return;
    }
    problems.delete(problemKey);
    log.info({ cluster: id, secret }, previous ? 'remote cluster kubeconfig changed; restarting its source' : 'adding remote cluster');
    startCluster(id, secret, sha, transport.value, previous);
  }

  function removeCluster(entry: Entry): void {
    log.info({ cluster: entry.id, secret: entry.secret }, 'removing remote cluster');
    entries.delete(entry.id);
    stop(entry, true);
  }

  function dropProblems(secret: string, keep: ReadonlySet<string>): void {
    for (const key of problems.keys()) {
      const [s, id] = key.split('\u0000') as [string, string];
      if (s === secret && !keep.has(id)) problems.delete(key);
    }
  }

  function onSecret(obj: KubeObject): void {
    if (closed) return;
    const secret = secretName(obj);
    const kubeconfigs = kubeconfigsOf(obj);
    const ids = new Set(kubeconfigs.map(([id]) => id));
    for (const entry of [...entries.values()]) if (entry.secret === secret && !ids.has(entry.id)) removeCluster(entry);
    dropProblems(secret, ids);
    for (const [id, text] of kubeconfigs) applyKubeconfig(secret, id, text);
  }

  function onSecretDeleted(obj: KubeObject): void {
    const secret = secretName(obj);
    for (const entry of [...entries.values()]) if (entry.secret === secret) removeCluster(entry);
    dropProblems(secret, new Set());
  }

  const informer: Informer = createInformer({
    name: 'RemoteSecrets',
    path: secretsPath(opts.namespace),
    transport: opts.transport,
    logger: log.child({ kind: 'Secret', label: MULTICLUSTER_SECRET_LABEL }),
    transform: trimForCache,
    ...(opts.backoff ? { backoff: opts.backoff } : {}),
    handlers: { upsert: onSecret, remove: onSecretDeleted },
  });

  return {
    async start() {
      informer.start();
      await informer.whenSynced();
      await Promise.all([...entries.values()].map((e) => e.settled));
    },
    get synced() {
      return informer.synced && [...entries.values()].every((e) => e.status !== 'syncing');
    },
    clusters() {
      const rows: RemoteClusterInfo[] = [...entries.values()].map((e) => ({ id: e.id, secret_name: e.secret, sync_status: e.status, objects: e.sink.size }));
      for (const [key, error] of problems) {
        const [secret, id] = key.split('\u0000') as [string, string];
        if (!entries.has(id)) rows.push({ id, secret_name: secret, sync_status: 'error', error });
      }
      return rows.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    },
    setDiscoverySelectors(next, alwaysIn) {
      for (const e of entries.values()) e.source.setDiscoverySelectors(next, alwaysIn);
    },
    async close() {
      closed = true;
      informer.close();
      const all = [...entries.values()];
      entries.clear();
      for (const e of all) stop(e, false);
      await Promise.all(all.map((e) => e.source.close()));
    },
  };
}
