/**
 * Writes istiod-ts's findings to the Istio objects' status subresource — a leader-only duty
 * (start() on gaining leadership, stop() on losing it) — and the Gateway API objects' conditions
 * (computed from the snapshot; merged by model/gateway-api/status.ts, no validationMessages).
 * - A pass (debounced after poke()) computes every Istio object's desired status from the
 *   validator's reports and the snapshot's diagnostics and queues the objects whose status
 *   differs; an object already right is never written.
 * - The queue coalesces per object (queued once however often it changes) and the status is
 *   recomputed from the newest state when its turn comes; writes go out one at a time through a
 *   token bucket (PILOT_STATUS_QPS / PILOT_STATUS_BURST).
 * - Each write is a PUT of /status with the object's resourceVersion: a 409 means the object
 *   changed meanwhile, and a later pass (poked after a short wait) retries with the new version.
 * Status writes come back as watch events that change nothing the model reads (convert.ts drops
 * `status`, the store ignores resourceVersion), so they never cause a push.
 */
import { silentLogger, type Logger } from '../../lib/logger.js';
import { mergeStatus, type ComputedStatus } from '../../model/gateway-api/status.js';
import { apiKindOf, type KindInfo, type KindName } from '../../model/kinds.js';
import type { KubeJsonApi } from './lease-client.js';
import type { KubeObject } from './object-cache.js';
import { desiredStatus, type IstioStatus } from './status-desired.js';
import { messagesByObject, type AnalysisMessage, type ObjectDiagnostic, type ObjectFindings } from './status-messages.js';
import { createTokenBucket } from './status-rate-limit.js';

export interface StatusInputs {
  /** False while the inputs are partial (source not synced): passes wait. Default: always ready. */
  ready?(): boolean;
  /** The raw objects an informer holds for one Istio kind (with their status). */
  objectsOf(kind: KindName): readonly KubeObject[];
  /** The validator's findings per object (KubernetesSource.reports). */
  reports(): readonly ObjectFindings[];
  /** The current snapshot's diagnostics. */
  diagnostics(): readonly ObjectDiagnostic[];
  /**
   * Gateway API kinds: the status each object should have (by `kind/namespace/name`, or
   * `kind/name` when cluster-scoped); objects absent here are not ours and never written.
   */
  gatewayApiStatus?(): ReadonlyMap<string, ComputedStatus>;
}

export interface StatusWriterOptions {
  readonly api: KubeJsonApi;
  /** The kinds to write status for: Istio kinds (validationMessages), Gateway API kinds (conditions). */
  readonly kinds: readonly KindInfo[];
  readonly inputs: StatusInputs;
  readonly qps: number;
  readonly burst: number;
  /** Quiet time between a poke and the pass (coalesces bursts of changes). Default 100 ms. */
  readonly debounceMs?: number;
  /** Wait before retrying after a 409 or a failed write. Default 500 ms. */
  readonly retryMs?: number;
  /** RFC 3339 time for changed Gateway API conditions. Default: the wall clock, in seconds. */
  readonly now?: () => string;
  readonly logger?: Logger;
}

export interface StatusWriterStats {
  readonly started: boolean;
  readonly queued: number;
  readonly passes: number;
  readonly writes: number;
  readonly conflicts: number;
  readonly failures: number;
  readonly lastError?: string;
}

export interface StatusWriter {
  /** Inputs changed: recompute soon (only while started). */
  poke(): void;
  /** Begins the duty with a full pass. Idempotent. */
  start(): void;
  /** Ends the duty: the queue is dropped (a write in flight completes). */
  stop(): void;
  stats(): StatusWriterStats;
}

interface Entry {
  readonly info: KindInfo;
  readonly raw: KubeObject;
}

const keyOf = (info: KindInfo, raw: KubeObject) => `${info.kind}/${String(raw.metadata?.namespace ?? '')}/${String(raw.metadata?.name ?? '')}`;

function statusPath(info: KindInfo, raw: KubeObject): string {
  const ns = encodeURIComponent(String(raw.metadata?.namespace ?? ''));
  const name = encodeURIComponent(String(raw.metadata?.name ?? ''));
  if (!info.namespaced) return `/apis/${info.group}/${info.versions[0]!}/${info.plural}/${name}/status`;
  return `/apis/${info.group}/${info.versions[0]!}/namespaces/${ns}/${info.plural}/${name}/status`;
}

/** The model's key of a raw object (objectKey): `kind/name` for cluster-scoped kinds. */
const modelKeyOf = (info: KindInfo, raw: KubeObject) => (info.namespaced ? keyOf(info, raw) : `${info.kind}/${String(raw.metadata?.name ?? '')}`);

const wallClock = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

export function createStatusWriter(opts: StatusWriterOptions): StatusWriter {
  const log = opts.logger ?? silentLogger;
  const bucket = createTokenBucket(opts.qps, opts.burst);
  const istioKinds = new Set<string>(opts.kinds.map((k) => k.kind));
  const queue = new Set<string>();
  let index = new Map<string, Entry>();
  let messages = new Map<string, AnalysisMessage[]>();
  let gatewayApi: ReadonlyMap<string, ComputedStatus> = new Map();
  const now = opts.now ?? wallClock;
  /** Our last write per object, until the informer shows a newer version than the one we wrote over. */
  const written = new Map<string, { readonly overRv: unknown; readonly result: KubeObject }>();
  let started = false;
  let draining = false;
  let passTimer: NodeJS.Timeout | undefined;
  let waitTimer: NodeJS.Timeout | undefined;
  let wakeDrain: (() => void) | undefined;
  const counts = { passes: 0, writes: 0, conflicts: 0, failures: 0 };
  let lastError: string | undefined;

  const desiredOf = (key: string, entry: Entry): IstioStatus | undefined => {
    if (entry.info.gatewayApi) {
      const computed = gatewayApi.get(modelKeyOf(entry.info, entry.raw));
      return computed && mergeStatus(computed, entry.raw.status, now());
    }
    return desiredStatus(entry.raw.status, messages.get(key) ?? [], entry.raw.metadata?.generation);
  };

  function currentEntry(info: KindInfo, raw: KubeObject): Entry {
    const key = keyOf(info, raw);
    const mine = written.get(key);
    if (mine && mine.overRv === raw.metadata?.resourceVersion) return { info, raw: mine.result };
    written.delete(key);
    return { info, raw };
  }

  function pass(): void {
    passTimer = undefined;
    if (!started) return;
    if (opts.inputs.ready && !opts.inputs.ready()) {
      poke(opts.retryMs ?? 500);
      return;
    }
    counts.passes++;
    const next = new Map<string, Entry>();
    for (const info of opts.kinds) for (const raw of opts.inputs.objectsOf(info.kind)) next.set(keyOf(info, raw), currentEntry(info, raw));
    index = next;
    messages = messagesByObject(opts.inputs.reports(), opts.inputs.diagnostics(), istioKinds);
    gatewayApi = opts.inputs.gatewayApiStatus?.() ?? new Map();
    for (const [key, entry] of index) if (desiredOf(key, entry)) queue.add(key);
    for (const key of written.keys()) if (!index.has(key)) written.delete(key);
    void drain();
  }

  function poke(delayMs = opts.debounceMs ?? 100): void {
    if (!started || passTimer) return;
    passTimer = setTimeout(pass, delayMs);
    passTimer.unref();
  }

  async function write(key: string, entry: Entry, status: IstioStatus): Promise<void> {
    const { info, raw } = entry;
    const metadata = { name: raw.metadata?.name, ...(info.namespaced ? { namespace: raw.metadata?.namespace } : {}), resourceVersion: raw.metadata?.resourceVersion };
    const body = { apiVersion: info.group ? `${info.group}/${info.versions[0]!}` : info.versions[0]!, kind: apiKindOf(info), metadata, status };
    try {
      const response = await opts.api.request('PUT', statusPath(info, raw), body);
      if (response.status >= 200 && response.status < 300 && typeof response.body === 'object' && response.body !== null) {
        counts.writes++;
        written.set(key, { overRv: raw.metadata?.resourceVersion, result: response.body as KubeObject });
        log.debug({ object: key, messages: (messages.get(key) ?? []).length }, 'status written');
        return;
      }
      if (response.status === 404) return;
      if (response.status === 409) counts.conflicts++;
      else {
        counts.failures++;
        lastError = `PUT ${statusPath(info, raw)}: HTTP ${response.status}`;
        log.warn({ object: key, status: response.status }, 'cannot write status');
      }
    } catch (err) {
      counts.failures++;
      lastError = (err as Error).message;
      log.warn({ object: key, err: lastError }, 'cannot write status');
    }
    poke(opts.retryMs ?? 500);
  }

  async function drain(): Promise<void> {
    if (draining) return;
    draining = true;
    try {
      while (started && queue.size > 0) {
        const wait = bucket.delayMs();
        if (wait > 0) {
          await new Promise<void>((resolve) => {
            wakeDrain = resolve;
            waitTimer = setTimeout(resolve, wait);
            waitTimer.unref();
          });
          continue;
        }
        const key = queue.values().next().value as string;
        queue.delete(key);
        const entry = index.get(key);
        const status = entry && desiredOf(key, entry);
        if (!entry || !status || !bucket.take()) continue;
        await write(key, entry, status);
      }
    } finally {
      draining = false;
    }
  }

  return {
    poke: () => poke(),
    start() {
      if (started) return;
      started = true;
      log.info('status writing started (leader)');
      poke(0);
    },
    stop() {
      if (!started) return;
      started = false;
      clearTimeout(passTimer);
      clearTimeout(waitTimer);
      wakeDrain?.();
      passTimer = undefined;
      queue.clear();
      log.info('status writing stopped');
    },
    stats: () => ({ started, queued: queue.size, ...counts, ...(lastError ? { lastError } : {}) }),
  };
}
