/**
 * Store → debounce → Snapshot + ChangeSet. The composition root creates one, points sources
 * at `store`, and gets each new snapshot through `onSnapshot`.
 */
import { computeChangeSet, type ChangeSet } from '../change-set.js';
import { buildSnapshot, nextSnapshot, type Snapshot } from '../snapshot.js';
import type { RegistryOptions } from '../registry/types.js';
import { createDebouncer, type BatchTiming, type Scheduler } from './debounce.js';
import { createStore, type Store } from './store.js';

export interface ModelPipelineOptions {
  readonly registry: RegistryOptions;
  readonly debounceAfterMs?: number;
  readonly debounceMaxMs?: number;
  readonly scheduler?: Scheduler;
  /** Receives every new snapshot with what changed since the previous one. */
  readonly onSnapshot: (snapshot: Snapshot, changes: ChangeSet, timing: BatchTiming) => void | Promise<void>;
  readonly onError?: (err: unknown) => void;
  /** Defaults to a fresh store. */
  readonly store?: Store;
  /**
   * Build no snapshot until the first flush()/rebuild(): while sources are still listing, a
   * quiet moment between list pages would otherwise build (and throw away) partial snapshots
   * of a large cluster. The daemon flushes once every source synced.
   */
  readonly holdUntilFlush?: boolean;
}

export interface ModelPipeline {
  readonly store: Store;
  /** The latest snapshot, undefined before the first batch. */
  current(): Snapshot | undefined;
  /** Builds a snapshot from pending changes now (e.g. once every source has synced). */
  flush(): Promise<void>;
  /**
   * Builds a new snapshot now with these registry options even when no object changed (the
   * mesh config changed); its ChangeSet is full, so every proxy is pushed.
   */
  rebuild(registry: RegistryOptions): Promise<void>;
  close(): void;
}

export function createModelPipeline(opts: ModelPipelineOptions): ModelPipeline {
  const store = opts.store ?? createStore();
  let current: Snapshot | undefined;
  let registry = opts.registry;
  let forceFull = false;
  let holding = opts.holdUntilFlush ?? false;
  const debouncer = createDebouncer({
    ...(opts.debounceAfterMs !== undefined ? { afterMs: opts.debounceAfterMs } : {}),
    ...(opts.debounceMaxMs !== undefined ? { maxMs: opts.debounceMaxMs } : {}),
    ...(opts.scheduler ? { scheduler: opts.scheduler } : {}),
    ...(opts.onError ? { onError: opts.onError } : {}),
    onBatch: async (_batch, timing) => {
      if (holding) return; // the changes stay in the store's change set for the first flush
      // The store's own change set is authoritative (the debouncer's copy may lag a push).
      const keys = store.takeChanges();
      if (keys.size === 0 && current && !forceFull) return;
      const full = forceFull;
      forceFull = false;
      // Incremental from the current snapshot; from scratch for the first and for a rebuild.
      const next = full || !current
        ? buildSnapshot(store.list(), current, registry)
        : nextSnapshot(current, registry, { keys, get: (key) => store.getByKey(key), all: () => store.list() });
      const changes = full ? { ...computeChangeSet(current, next, keys), full: true } : computeChangeSet(current, next, keys);
      current = next;
      await opts.onSnapshot(next, changes, timing);
    },
  });
  const unsubscribe = store.subscribe((key) => debouncer.push([key]));
  return {
    store,
    current: () => current,
    async flush() {
      holding = false;
      if (!store.hasChanges() && current) return;
      debouncer.push(['<flush>']);
      await debouncer.flush();
    },
    async rebuild(next) {
      holding = false;
      registry = next;
      forceFull = true;
      debouncer.push(['<rebuild>']);
      await debouncer.flush();
    },
    close() {
      unsubscribe();
      debouncer.close();
    },
  };
}
