/**
 * Turning a subscription into cached resources, shared by the SotW and delta protocols:
 * wildcard plus any explicitly named extras, and the endpoints-only refresh that regenerates
 * only the EDS resources an endpoint change can affect.
 */
import type { ChangeSet } from '../model/change-set.js';
import { secretsOnly } from '../translate/gateway/sds-changes.js';
import { PUSH_ORDER, TypeUrl } from '../translate/type-urls.js';
import type { ConnectionHandle } from './connection.js';
import { authorizedSecretSubscription } from './sds-access.js';
import { byName as byNameOrder, type CachedResource, type ResourceCache } from './resource-cache.js';
import { subscriptionFingerprint, type Subscription } from './subscriptions.js';

/**
 * Every resource the subscription covers, sorted by name and frozen; undefined if the generator
 * failed. Proxies in the same scope with the same subscription (e.g. EDS for the same clusters)
 * get the very same list, so its set version and response bytes are computed once.
 */
export function resolveSubscription(h: ConnectionHandle, cache: ResourceCache, typeUrl: string, requested: Subscription): readonly CachedResource[] | undefined {
  if (!h.generator.typeUrls.includes(typeUrl)) return [];
  const sub = typeUrl === TypeUrl.Secret ? authorizedSecretSubscription(h, h.log, requested, h.secretAccess?.()) : requested;
  // The common wildcard case returns the cache's shared (sorted, frozen) list as is.
  if (sub.wildcard && sub.names.size === 0) return cache.resolve(h.generator, h.proxy, typeUrl, undefined);
  if (h.generator.nameScopedTypeUrls.includes(typeUrl)) return resolveEach(h, cache, typeUrl, sub);
  return cache.shared(h.generator, h.proxy, typeUrl, subscriptionFingerprint(sub), () => resolveEach(h, cache, typeUrl, sub));
}

function resolveEach(h: ConnectionHandle, cache: ResourceCache, typeUrl: string, sub: Subscription): readonly CachedResource[] | undefined {
  const byName = new Map<string, CachedResource>();
  if (sub.wildcard) {
    const all = cache.resolve(h.generator, h.proxy, typeUrl, undefined);
    if (!all) return undefined;
    for (const r of all) byName.set(r.name, r);
  }
  const extra = [...sub.names].filter((n) => !byName.has(n));
  if (extra.length > 0) {
    const named = cache.resolve(h.generator, h.proxy, typeUrl, extra);
    if (!named) return undefined;
    for (const r of named) byName.set(r.name, r);
  }
  return Object.freeze([...byName.values()].sort(byNameOrder));
}

export interface AffectedRefresh {
  /** Subscribed names an endpoint change can affect. */
  readonly affected: readonly string[];
  /** Their resources in the new snapshot (absent = no longer exists). */
  readonly fresh: ReadonlyMap<string, CachedResource>;
}

/** For an endpoints-only change: regenerates only the subscribed names the generator says are affected. */
export function refreshAffected(h: ConnectionHandle, cache: ResourceCache, typeUrl: string, sub: Subscription, changes: ChangeSet): AffectedRefresh | undefined {
  if (!h.generator.typeUrls.includes(typeUrl)) return { affected: [], fresh: new Map() };
  const affected = [...sub.names].filter((n) => h.generator.affectedByEndpoints(changes, typeUrl, n));
  if (affected.length === 0) return { affected, fresh: new Map() };
  const resolved = cache.resolve(h.generator, h.proxy, typeUrl, affected);
  if (!resolved) return undefined;
  return { affected, fresh: new Map(resolved.map((r) => [r.name, r])) };
}

export interface PushStep {
  readonly typeUrl: string;
  /** Only EDS names affected by the endpoint change are refreshed; otherwise the whole type. */
  readonly endpointsOnly: boolean;
}

/**
 * What a push of `changes` does on one stream holding `held` types, in push order: a full change
 * refreshes every type; an endpoints-only change refreshes the affected EDS names plus the types
 * the generator says the move reaches for this proxy (e.g. a sidecar's own inbound side).
 */
export function pushPlan(h: ConnectionHandle, cache: ResourceCache, changes: ChangeSet, held: Iterable<string>): PushStep[] {
  const ordered = inPushOrder(held, PUSH_ORDER);
  if (secretsOnly(changes)) {
    // Credentials changed, not the model: only what the generator says secrets feed (gateway SDS/LDS).
    const reached = h.generator.alsoAffectedBySecrets?.(cache.snapshot, changes, h.proxy) ?? [];
    return ordered.filter((typeUrl) => reached.includes(typeUrl)).map((typeUrl) => ({ typeUrl, endpointsOnly: false }));
  }
  if (!changes.endpointsOnly || changes.full) return ordered.map((typeUrl) => ({ typeUrl, endpointsOnly: false }));
  const others = h.generator.alsoAffectedByEndpoints?.(cache.snapshot, changes, h.proxy) ?? [];
  return ordered.flatMap((typeUrl): PushStep[] => {
    if (typeUrl === TypeUrl.ClusterLoadAssignment) return [{ typeUrl, endpointsOnly: true }];
    return others.includes(typeUrl) ? [{ typeUrl, endpointsOnly: false }] : [];
  });
}

/** Type URLs in push order (CDS, EDS, LDS, RDS, SDS), then any others by name. */
export function inPushOrder(typeUrls: Iterable<string>, order: readonly string[]): string[] {
  const rank = (t: string) => {
    const i = order.indexOf(t);
    return i < 0 ? order.length : i;
  };
  return [...typeUrls].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
}
