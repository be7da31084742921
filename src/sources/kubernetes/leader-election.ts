/**
 * Leader election on a coordination.k8s.io/v1 Lease, with the semantics of client-go's
 * leaderelection as istiod runs it:
 * - a replica takes the lease when it does not exist, has no holder (released), or has not
 *   changed for its leaseDurationSeconds as measured on this replica's own clock from when it
 *   first saw that version (client-go's observedTime, immune to clock skew between replicas);
 * - every write is a PUT with the resourceVersion read, so of two racing replicas one wins and
 *   the other gets 409 and keeps following;
 * - the leader renews every retry period; if no renewal succeeded within the renew deadline it
 *   stops leading (its duties stop) and goes back to competing;
 * - taking a lease from another holder increments leaseTransitions; renewing keeps acquireTime;
 * - close() releases a held lease (holder cleared, duration 1 s), so a peer takes over at its
 *   next retry instead of waiting out the lease (client-go's ReleaseOnCancel, which istiod sets).
 * Followers poll with client-go's jitter (retry period × [1, 2.2)).
 */
import { silentLogger, type Logger } from '../../lib/logger.js';
import { LeaseConflictError, microTime, type LeaseLock, type LeaseRecord, type ObservedLease } from './lease-client.js';

export interface LeaderElectionConfig {
  readonly lock: LeaseLock;
  /** holderIdentity: the pod name (POD_NAME). Must differ between replicas. */
  readonly identity: string;
  readonly leaseDurationMs: number;
  readonly renewDeadlineMs: number;
  readonly retryPeriodMs: number;
  readonly logger?: Logger;
  readonly now?: () => number;
  readonly random?: () => number;
}

export interface LeaderStatus {
  readonly lease: string;
  readonly identity: string;
  readonly leader: boolean;
  /** Who holds the lease as last read ('' when free, undefined before the first read). */
  readonly holder?: string;
  readonly leaseTransitions?: number;
  /** Our last successful acquire or renew (ISO time). */
  readonly lastRenewal?: string;
  /** How many times this replica became leader. */
  readonly acquisitions: number;
  readonly lastError?: string;
}

export type LeadershipListener = (leader: boolean) => void;

export interface LeaderElector {
  /** Begins competing. Idempotent. */
  start(): void;
  isLeader(): boolean;
  /** Called on every gain (true) and loss (false); returns an unsubscribe function. */
  onChange(listener: LeadershipListener): () => void;
  status(): LeaderStatus;
  /** Stops competing and releases the lease if held (listeners hear `false` first). */
  close(): Promise<void>;
}

/** client-go's JitterFactor for the acquire loop. */
const ACQUIRE_JITTER = 1.2;

/** Checks client-go's constraints; throws with the offending values. */
export function checkElectionTimings(c: Pick<LeaderElectionConfig, 'leaseDurationMs' | 'renewDeadlineMs' | 'retryPeriodMs'>): void {
  if (!(c.retryPeriodMs > 0)) throw new Error(`leader election retry period must be positive, got ${c.retryPeriodMs} ms`);
  if (!(c.leaseDurationMs > c.renewDeadlineMs)) throw new Error(`leader election lease duration (${c.leaseDurationMs} ms) must be greater than the renew deadline (${c.renewDeadlineMs} ms)`);
  if (!(c.renewDeadlineMs > ACQUIRE_JITTER * c.retryPeriodMs)) throw new Error(`leader election renew deadline (${c.renewDeadlineMs} ms) must be greater than ${ACQUIRE_JITTER} × the retry period (${c.retryPeriodMs} ms)`);
}

export function createLeaderElector(config: LeaderElectionConfig): LeaderElector {
  checkElectionTimings(config);
  const log = (config.logger ?? silentLogger).child({ lease: config.lock.describe, identity: config.identity });
  const now = config.now ?? Date.now;
  const random = config.random ?? Math.random;
  const { lock, identity } = config;
  const listeners = new Set<LeadershipListener>();
  let started = false;
  let closed = false;
  let leader = false;
  let acquisitions = 0;
  let observed: ObservedLease | undefined;
  let observedAtMs = 0;
  let lastRenewMs: number | undefined;
  let lastError: string | undefined;
  let loopTimer: NodeJS.Timeout | undefined;
  let deadlineTimer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> | undefined;

  function setLeader(value: boolean, why: string): void {
    if (leader === value) return;
    leader = value;
    clearTimeout(deadlineTimer);
    if (value) acquisitions++;
    log.info({ leader: value, reason: why }, value ? 'leader election lock obtained' : 'leader election lock lost');
    for (const listener of [...listeners]) {
      try {
        listener(value);
      } catch (err) {
        log.error({ err: (err as Error).message }, 'leadership listener failed');
      }
    }
  }

  function renewed(lease: ObservedLease, at: number): void {
    observed = lease;
    observedAtMs = at;
    lastRenewMs = at;
    lastError = undefined;
    setLeader(true, 'acquired or renewed');
    // Losing the API server must not leave two leaders: stop leading once renewals stop working.
    clearTimeout(deadlineTimer);
    deadlineTimer = setTimeout(() => setLeader(false, `not renewed within the renew deadline (${config.renewDeadlineMs} ms)`), config.renewDeadlineMs);
    deadlineTimer.unref();
  }

  function nextRecord(current: LeaseRecord | undefined, at: number): LeaseRecord {
    const mine = current?.holderIdentity === identity;
    return {
      holderIdentity: identity,
      leaseDurationSeconds: Math.max(1, Math.ceil(config.leaseDurationMs / 1000)),
      acquireTime: mine && current?.acquireTime ? current.acquireTime : microTime(at),
      renewTime: microTime(at),
      leaseTransitions: current === undefined ? 0 : mine ? current.leaseTransitions : current.leaseTransitions + 1,
    };
  }

  /** One client-go tryAcquireOrRenew. */
  async function tryAcquireOrRenew(): Promise<void> {
    const current = await lock.get();
    const at = now();
    if (!current) {
      renewed(await lock.create(nextRecord(undefined, at)), at);
      return;
    }
    if (current.resourceVersion !== observed?.resourceVersion) {
      observed = current;
      observedAtMs = at;
    }
    const { record } = current;
    const heldByOther = record.holderIdentity !== '' && record.holderIdentity !== identity;
    if (heldByOther && observedAtMs + record.leaseDurationSeconds * 1000 > at) {
      setLeader(false, `held by ${record.holderIdentity}`);
      return;
    }
    if (heldByOther) log.info({ previousHolder: record.holderIdentity, leaseDurationSeconds: record.leaseDurationSeconds }, 'lease expired; taking it over');
    renewed(await lock.update(current, nextRecord(record, at)), at);
  }

  async function attempt(): Promise<void> {
    try {
      await tryAcquireOrRenew();
    } catch (err) {
      lastError = (err as Error).message;
      if (err instanceof LeaseConflictError) log.debug({ err: lastError }, 'lease changed under us; retrying');
      else log.warn({ err: lastError }, 'leader election attempt failed');
    }
  }

  function schedule(): void {
    if (closed) return;
    const delay = leader ? config.retryPeriodMs : config.retryPeriodMs * (1 + random() * ACQUIRE_JITTER);
    loopTimer = setTimeout(() => {
      inFlight = attempt().finally(() => {
        inFlight = undefined;
        schedule();
      });
    }, delay);
    loopTimer.unref();
  }

  async function release(): Promise<void> {
    if (!observed || observed.record.holderIdentity !== identity) return;
    const at = now();
    const record: LeaseRecord = { holderIdentity: '', leaseDurationSeconds: 1, acquireTime: microTime(at), renewTime: microTime(at), leaseTransitions: observed.record.leaseTransitions };
    try {
      await lock.update(observed, record);
      log.info('lease released');
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'cannot release the lease; peers take over when it expires');
    }
  }

  return {
    start() {
      if (started || closed) return;
      started = true;
      log.info({ leaseDurationMs: config.leaseDurationMs, renewDeadlineMs: config.renewDeadlineMs, retryPeriodMs: config.retryPeriodMs }, 'leader election started');
      inFlight = attempt().finally(() => {
        inFlight = undefined;
        schedule();
      });
    },
    isLeader: () => leader,
    onChange(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    status: () => ({
      lease: lock.describe,
      identity,
      leader,
      ...(observed ? { holder: observed.record.holderIdentity, leaseTransitions: observed.record.leaseTransitions } : {}),
      ...(lastRenewMs !== undefined ? { lastRenewal: new Date(lastRenewMs).toISOString() } : {}),
      acquisitions,
      ...(lastError ? { lastError } : {}),
    }),
    async close() {
      if (closed) return;
      closed = true;
      clearTimeout(loopTimer);
      await inFlight;
      const wasLeader = leader;
      setLeader(false, 'shutting down');
      if (wasLeader) await release();
    },
  };
}

/**
 * Runs a singleton duty while `elector` leads: `start` now if already leading and on every
 * gain, `stop` on every loss. Returns an unsubscribe function (it does not call `stop`).
 */
export function whileLeader(elector: Pick<LeaderElector, 'isLeader' | 'onChange'>, duty: { start(): void; stop(): void }): () => void {
  const unsubscribe = elector.onChange((leading) => (leading ? duty.start() : duty.stop()));
  if (elector.isLeader()) duty.start();
  return unsubscribe;
}
