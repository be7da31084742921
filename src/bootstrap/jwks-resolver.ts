/**
 * istiod's JWKS resolver: fetches the key sets that RequestAuthentication rules name by
 * jwksUri (or issuer, through OpenID discovery), so the jwt_authn translation can inline them
 * (translate/ is pure and reads them through the JwksLookup it is given).
 *
 * - Each new snapshot says which documents are in use: new ones are fetched at once, unused
 *   ones forgotten (timers stopped, late answers dropped).
 * - Every fetch has a timeout, a size limit, no redirects, and refuses hosts resolving into a
 *   blocked CIDR (security/authn/jwks-fetch.ts); the body must be a JWK set.
 * - A success is refreshed after `refreshIntervalMs` (PILOT_JWT_PUB_KEY_REFRESH_INTERVAL, 20m).
 *   A failure keeps the last good set (as Istio does) and retries sooner, backing off from
 *   `retryMinMs` to `retryMaxMs`; a set not refreshed for `staleAfterMs` (Istio's 7 days) is dropped.
 * - `version` moves on every change of what `get` answers, and `onChange` listeners hear of it
 *   (bootstrap pushes LDS).
 */
import type { Logger } from '../lib/logger.js';
import type { Snapshot } from '../model/snapshot.js';
import { createAddressBlockList, type AddressBlockList, type ResolvedAddress } from '../security/authn/jwks-fetch.js';
import { fetchJwks, openIdConfigurationUrl, type JwksSource } from '../security/authn/jwks-remote.js';
import type { JwksEntry, JwksLookup } from '../translate/common/authn/jwks-lookup.js';
import { jwksTargets, type JwksTarget } from './jwks-targets.js';

/** Link-local (which holds the cloud metadata address 169.254.169.254) and known metadata endpoints: always refused. */
export const ALWAYS_BLOCKED_JWKS_CIDRS: readonly string[] = Object.freeze([
  '169.254.0.0/16', 'fe80::/10', 'fd00:ec2::254/128', '100.100.100.200/32',
]);

export interface JwksResolverOptions {
  readonly logger: Logger;
  readonly refreshIntervalMs: number;
  /** Every CIDR refused (ALWAYS_BLOCKED_JWKS_CIDRS plus the operator's, in the daemon). */
  readonly blockedCidrs: readonly string[];
  readonly timeoutMs?: number;
  readonly maxBytes?: number;
  readonly retryMinMs?: number;
  readonly retryMaxMs?: number;
  readonly staleAfterMs?: number;
  readonly maxConcurrentFetches?: number;
  /** pilot_jwks_resolver_network_fetch_{success,fail}_total. */
  readonly onNetworkFetch?: (ok: boolean) => void;
  /** DNS, for tests. */
  readonly resolveHost?: (host: string) => Promise<readonly ResolvedAddress[]>;
  readonly now?: () => number;
}

export interface JwksResolver extends JwksLookup {
  /** Takes the documents in use from a snapshot's RequestAuthentications. */
  update(snapshot: Snapshot): void;
  onChange(listener: () => void): () => void;
  /** Resolves when no fetch is queued or running (tests). */
  idle(): Promise<void>;
  close(): void;
}

export const JWKS_DEFAULTS = Object.freeze({
  timeoutMs: 5_000, maxBytes: 1024 * 1024, retryMinMs: 1_000, retryMaxMs: 60_000, staleAfterMs: 7 * 24 * 3600_000, maxConcurrentFetches: 8,
});

interface Slot {
  readonly key: string;
  readonly source: JwksSource;
  timeoutMs: number;
  entry?: JwksEntry;
  lastSuccessAt?: number;
  failures: number;
  timer?: NodeJS.Timeout;
  state: 'idle' | 'queued' | 'running' | 'gone';
}

export function createJwksResolver(options: JwksResolverOptions): JwksResolver {
  return new Resolver(options);
}

const sameEntry = (a: JwksEntry | undefined, b: JwksEntry): boolean =>
  a !== undefined && (a.ok && b.ok ? a.jwks === b.jwks : !a.ok && !b.ok && a.reason === b.reason);

class Resolver implements JwksResolver {
  private readonly o: Required<Omit<JwksResolverOptions, 'onNetworkFetch' | 'resolveHost' | 'now'>> & JwksResolverOptions;
  private readonly now: () => number;
  private readonly blocked: AddressBlockList;
  private readonly slots = new Map<string, Slot>();
  /** OpenID configuration URL → issuer key, so either name finds a discovery rule's entry. */
  private readonly aliases = new Map<string, string>();
  private readonly listeners = new Set<() => void>();
  private readonly queue: Slot[] = [];
  private running = 0;
  private changes = 0;
  private notifyScheduled = false;
  private closed = false;
  private idleWaiters: Array<() => void> = [];

  constructor(options: JwksResolverOptions) {
    this.o = { ...JWKS_DEFAULTS, ...options };
    this.now = options.now ?? Date.now;
    this.blocked = createAddressBlockList(options.blockedCidrs);
  }

  get version(): string {
    return String(this.changes);
  }

  get(uri: string): JwksEntry | undefined {
    return this.slots.get(uri)?.entry ?? this.slots.get(this.aliases.get(uri) ?? '')?.entry;
  }

  update(snapshot: Snapshot): void {
    if (this.closed) return;
    const targets = jwksTargets(snapshot);
    for (const slot of [...this.slots.values()]) if (!targets.has(slot.key)) this.forget(slot);
    for (const [key, target] of targets) this.track(key, target);
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  idle(): Promise<void> {
    return new Promise<void>((done) => {
      if (this.running === 0 && this.queue.length === 0) done();
      else this.idleWaiters.push(done);
    });
  }

  close(): void {
    this.closed = true;
    for (const slot of [...this.slots.values()]) this.forget(slot);
    this.listeners.clear();
    this.pump();
  }

  private track(key: string, target: JwksTarget): void {
    const timeoutMs = target.timeoutMs ?? this.o.timeoutMs;
    const existing = this.slots.get(key);
    if (existing) return void (existing.timeoutMs = timeoutMs);
    const slot: Slot = { key, source: target.source, timeoutMs, failures: 0, state: 'idle' };
    this.slots.set(key, slot);
    if ('issuer' in target.source) this.aliases.set(openIdConfigurationUrl(target.source.issuer), key);
    this.enqueue(slot);
  }

  private forget(slot: Slot): void {
    clearTimeout(slot.timer);
    slot.state = 'gone';
    const at = this.queue.indexOf(slot);
    if (at >= 0) this.queue.splice(at, 1);
    this.slots.delete(slot.key);
    if ('issuer' in slot.source) this.aliases.delete(openIdConfigurationUrl(slot.source.issuer));
  }

  private enqueue(slot: Slot): void {
    if (this.closed || slot.state !== 'idle') return;
    slot.state = 'queued';
    this.queue.push(slot);
    this.pump();
  }

  /** Starts queued fetches up to the concurrency limit; wakes idle() waiters when nothing is left. */
  private pump(): void {
    while (!this.closed && this.running < this.o.maxConcurrentFetches && this.queue.length > 0) void this.run(this.queue.shift()!);
    if (this.running > 0 || this.queue.length > 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  private async run(slot: Slot): Promise<void> {
    slot.state = 'running';
    this.running += 1;
    const { maxBytes, resolveHost, onNetworkFetch } = this.o;
    try {
      const jwks = await fetchJwks(slot.source, { timeoutMs: slot.timeoutMs, maxBytes, blocked: this.blocked, any2xx: true, ...(resolveHost ? { resolveHost } : {}), ...(onNetworkFetch ? { onNetworkFetch } : {}) });
      if (slot.state === 'running' && !this.closed) this.succeeded(slot, jwks);
    } catch (error) {
      if (slot.state === 'running' && !this.closed) this.failed(slot, (error as Error).message);
    } finally {
      this.running -= 1;
      if (slot.state === 'running') slot.state = 'idle';
      this.pump();
    }
  }

  private succeeded(slot: Slot, jwks: string): void {
    slot.failures = 0;
    slot.lastSuccessAt = this.now();
    if (this.setEntry(slot, { ok: true, jwks })) this.o.logger.info({ key: slot.key, bytes: jwks.length }, 'jwks key set fetched');
    this.schedule(slot, this.o.refreshIntervalMs);
  }

  /** Keeps the last good set unless it went unrefreshed for staleAfterMs; retries with backoff. */
  private failed(slot: Slot, reason: string): void {
    slot.failures += 1;
    const fresh = slot.lastSuccessAt !== undefined && this.now() - slot.lastSuccessAt < this.o.staleAfterMs;
    if (slot.entry?.ok && fresh) this.o.logger.warn({ key: slot.key, reason, failures: slot.failures }, 'jwks refresh failed; keeping the last good key set');
    else {
      this.o.logger.warn({ key: slot.key, reason, failures: slot.failures }, 'jwks fetch failed');
      this.setEntry(slot, { ok: false, reason });
    }
    const { retryMinMs, retryMaxMs, refreshIntervalMs } = this.o;
    this.schedule(slot, Math.min(retryMinMs * 2 ** Math.min(slot.failures - 1, 30), retryMaxMs, refreshIntervalMs));
  }

  private schedule(slot: Slot, delayMs: number): void {
    clearTimeout(slot.timer);
    slot.timer = setTimeout(() => this.enqueue(slot), delayMs);
    slot.timer.unref();
  }

  /** true when the answer changed (the version moved). */
  private setEntry(slot: Slot, entry: JwksEntry): boolean {
    const changed = !sameEntry(slot.entry, entry);
    slot.entry = entry;
    if (changed) this.notify();
    return changed;
  }

  private notify(): void {
    this.changes += 1;
    if (this.notifyScheduled) return;
    this.notifyScheduled = true;
    // Answers arriving together become one push.
    setImmediate(() => {
      this.notifyScheduled = false;
      if (!this.closed) for (const listener of this.listeners) listener();
    });
  }
}
