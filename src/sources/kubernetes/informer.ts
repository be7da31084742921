/**
 * One informer: what client-node's ListWatch leaves to callers, owned in one place.
 * - list, then watch from the list's resourceVersion with allowWatchBookmarks;
 * - any watch error or end → watch again from the last resourceVersion seen (events and
 *   bookmarks advance it), after a capped, jittered exponential backoff when the watch failed;
 * - 410 Gone (an HTTP 410 or an ERROR event whose Status has code 410) → exactly one relist,
 *   reconciled against the cache so objects deleted meanwhile get one delete each;
 * - `synced` after the first complete list; an optional periodic resync relists and
 *   reconciles (repairs any drift without a restart).
 * Handlers get each change once, in order; a throwing handler is logged, never fatal.
 */
import type { Logger } from '../../lib/logger.js';
import { silentLogger } from '../../lib/logger.js';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffPolicy } from './backoff.js';
import { cacheKey, reconcile, resourceVersionOf, sameVersion, type KubeObject } from './object-cache.js';
import { statusCodeOf, type ListWatchTransport, type WatchHandle } from './transport.js';

export interface InformerHandlers {
  upsert(obj: KubeObject): void;
  /** Gets the last state the informer knew of the deleted object. */
  remove(obj: KubeObject): void;
}

export interface InformerOptions {
  /** For logs and stats, e.g. the kind. */
  readonly name: string;
  /** Collection path, e.g. /api/v1/services (all namespaces). */
  readonly path: string;
  readonly transport: ListWatchTransport;
  readonly handlers: InformerHandlers;
  readonly logger?: Logger;
  readonly backoff?: BackoffPolicy;
  readonly random?: () => number;
  /** Relist and reconcile this often; 0 or absent = never (Istio's informers use no resync). */
  readonly resyncMs?: number;
  /** Server-side watch timeout; default 5–10 min at random, as client-go picks it. */
  readonly watchTimeoutSeconds?: number;
  /** Applied to every object before it is cached and delivered (e.g. drop managedFields). */
  readonly transform?: (obj: KubeObject) => KubeObject;
}

export interface InformerStats {
  /** Complete lists applied: the initial one, one per 410 and one per resync. */
  readonly lists: number;
  readonly goneSeen: number;
  readonly relistsAfterGone: number;
  readonly watchesStarted: number;
  readonly watchFailures: number;
  readonly resourceVersion: string;
  readonly lastError?: string;
}

export interface Informer {
  start(): void;
  readonly synced: boolean;
  /** Resolves once the first list has been delivered. */
  whenSynced(): Promise<void>;
  /** The cached objects, as delivered. */
  objects(): KubeObject[];
  stats(): InformerStats;
  close(): void;
}

type ListReason = 'initial' | 'gone' | 'resync';

interface WatchOutcome {
  readonly events: number;
  readonly gone: boolean;
  readonly resync: boolean;
  readonly err: unknown;
}

/** Slack past the server-side timeout before the client gives up on a silent watch. */
const WATCH_DEADLINE_GRACE_S = 30;

export function createInformer(opts: InformerOptions): Informer {
  const log = opts.logger ?? silentLogger;
  const policy = opts.backoff ?? DEFAULT_BACKOFF;
  const random = opts.random ?? Math.random;
  const rawTransform = opts.transform ?? ((o: KubeObject) => o);
  /** A transform that throws on some odd object must not stall the list or the watch: the object is skipped. */
  const transform = (o: KubeObject): KubeObject | undefined => {
    try {
      return rawTransform(o);
    } catch (err) {
      log.warn({ err, informer: opts.name, object: typeof o === 'object' && o !== null ? cacheKey(o) : undefined }, 'object could not be transformed; ignored');
      return undefined;
    }
  };
  const cache = new Map<string, KubeObject>();
  const stats = { lists: 0, goneSeen: 0, relistsAfterGone: 0, watchesStarted: 0, watchFailures: 0, lastError: undefined as string | undefined };
  let resourceVersion = '';
  let listReason: ListReason | undefined = 'initial';
  let failures = 0;
  let closed = false;
  let started = false;
  let synced = false;
  let markSynced!: () => void;
  const syncedPromise = new Promise<void>((resolve) => (markSynced = resolve));
  let endWatch: ((why: 'resync' | 'closed') => void) | undefined;
  let listAbort: AbortController | undefined;
  let sleeping: { timer: NodeJS.Timeout; wake: () => void } | undefined;
  let resyncTimer: NodeJS.Timeout | undefined;

  function deliver(what: 'upsert' | 'remove', obj: KubeObject): void {
    try {
      opts.handlers[what](obj);
    } catch (err) {
      log.error({ err, informer: opts.name, object: cacheKey(obj) }, 'informer handler failed');
    }
  }

  function fail(err: unknown): void {
    failures++;
    stats.lastError = err instanceof Error ? err.message : JSON.stringify(err);
  }

  function pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        sleeping = undefined;
        resolve();
      };
      sleeping = { timer: setTimeout(wake, ms), wake };
    });
  }

  async function listOnce(reason: ListReason): Promise<boolean> {
    listAbort = new AbortController();
    try {
      // Transformed page by page where the transport can: full objects (a Pod is mostly what
      // trimPod drops) then never outlive their page, so startup leaves far less old-space garbage.
      const result = await opts.transport.list(opts.path, listAbort.signal, transform);
      if (closed) return false;
      const items: KubeObject[] = [];
      for (const item of result.items) {
        const obj = result.transformed ? item : transform(item);
        if (obj) items.push(obj);
      }
      const { upserts, deletes } = reconcile(cache, items);
      for (const obj of deletes) deliver('remove', obj);
      for (const obj of upserts) deliver('upsert', obj);
      resourceVersion = result.resourceVersion;
      stats.lists++;
      if (reason === 'gone') stats.relistsAfterGone++;
      log.debug({ informer: opts.name, reason, items: result.items.length, upserts: upserts.length, deletes: deletes.length, resourceVersion }, 'listed');
      return true;
    } catch (err) {
      if (closed) return false;
      fail(err);
      const code = statusCodeOf(err);
      const level = synced ? 'warn' : 'info';
      log[level]({ informer: opts.name, path: opts.path, statusCode: code, err: stats.lastError, attempt: failures }, code === 404 ? 'resource not served by the API server; retrying' : 'list failed; retrying');
      // A kind the cluster does not serve (CRD not installed) must not hold readiness forever.
      if (code === 404) setSynced();
      return false;
    } finally {
      listAbort = undefined;
    }
  }

  function setSynced(): void {
    if (synced) return;
    synced = true;
    markSynced();
  }

  function applyEvent(type: string, raw: KubeObject): void {
    if (type === 'BOOKMARK') return;
    const obj = transform(raw);
    if (!obj) return;
    const key = cacheKey(obj);
    if (key === undefined) {
      log.warn({ informer: opts.name, type }, 'watch event without metadata.name ignored');
      return;
    }
    const old = cache.get(key);
    if (type === 'DELETED') {
      if (!old) return; // already gone: never a second delete
      cache.delete(key);
      deliver('remove', old);
      return;
    }
    if (type !== 'ADDED' && type !== 'MODIFIED') return;
    if (old && sameVersion(old, obj)) return;
    cache.set(key, obj);
    deliver('upsert', obj);
  }

  function watchOnce(): Promise<WatchOutcome> {
    return new Promise((resolve) => {
      let events = 0;
      let gone = false;
      let finished = false;
      let handle: WatchHandle | undefined;
      const timeoutSeconds = opts.watchTimeoutSeconds ?? Math.floor(300 * (1 + random()));
      const finish = (err: unknown, why?: 'resync' | 'closed') => {
        if (finished) return;
        finished = true;
        endWatch = undefined;
        clearTimeout(deadline);
        handle?.abort();
        if (statusCodeOf(err) === 410) gone = true;
        resolve({ events, gone, resync: why === 'resync', err });
      };
      const deadline = setTimeout(() => finish(new Error('watch outlived its timeout')), (timeoutSeconds + WATCH_DEADLINE_GRACE_S) * 1000);
      endWatch = (why) => finish(null, why);
      const onEvent = (type: string, obj: KubeObject) => {
        if (finished) return;
        if (type === 'ERROR') return finish(obj ?? new Error('watch ERROR event'));
        events++;
        applyEvent(type, obj);
        resourceVersion = resourceVersionOf(obj) ?? resourceVersion;
      };
      stats.watchesStarted++;
      const params = { resourceVersion, allowWatchBookmarks: true, timeoutSeconds };
      opts.transport.watch(opts.path, params, onEvent, (err) => finish(err)).then(
        (h) => (finished ? h.abort() : (handle = h)),
        (err: unknown) => finish(err),
      );
    });
  }

  async function afterWatch(outcome: WatchOutcome): Promise<void> {
    if (outcome.resync) {
      listReason = 'resync';
      return;
    }
    if (outcome.gone) {
      stats.goneSeen++;
      listReason = 'gone';
      log.info({ informer: opts.name, resourceVersion }, 'watch expired (410 Gone); relisting');
    }
    const failed = (outcome.err !== null && outcome.err !== undefined && !outcome.gone) || outcome.events === 0;
    if (failed) {
      stats.watchFailures++;
      fail(outcome.err ?? new Error('watch ended without events'));
      log.debug({ informer: opts.name, err: stats.lastError, attempt: failures }, 'watch ended; restarting');
    } else failures = 0;
    if (failures > 0) await pause(backoffDelay(failures, policy, random));
  }

  async function run(): Promise<void> {
    while (!closed) {
      if (listReason !== undefined) {
        if (!(await listOnce(listReason))) {
          if (!closed) await pause(backoffDelay(failures, policy, random));
          continue;
        }
        listReason = undefined;
        failures = 0;
        setSynced();
      }
      const outcome = await watchOnce();
      if (closed) return;
      await afterWatch(outcome);
    }
  }

  return {
    start() {
      if (started || closed) return;
      started = true;
      if (opts.resyncMs && opts.resyncMs > 0) resyncTimer = setInterval(() => endWatch?.('resync'), opts.resyncMs);
      void run().catch((err: unknown) => log.error({ err, informer: opts.name }, 'informer loop failed'));
    },
    get synced() {
      return synced;
    },
    whenSynced: () => syncedPromise,
    objects: () => [...cache.values()],
    stats: () => ({ ...stats, resourceVersion }),
    close() {
      closed = true;
      clearInterval(resyncTimer);
      endWatch?.('closed');
      listAbort?.abort();
      if (sleeping) {
        clearTimeout(sleeping.timer);
        sleeping.wake();
      }
    },
  };
}
