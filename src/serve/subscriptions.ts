/**
 * What a stream is subscribed to for one type, and how requests change it (xDS spec rules):
 * - LDS/CDS: an empty name list on the first request is a (legacy) wildcard subscription; it
 *   stays wildcard while the client keeps sending no names. `*` asks for wildcard explicitly,
 *   alongside named resources. Naming resources without `*` ends a legacy wildcard.
 * - Other types are always named; `*` has no meaning there and is ignored.
 */
import { allowsWildcard } from '../translate/type-urls.js';

export const WILDCARD = '*';

export interface Subscription {
  readonly wildcard: boolean;
  /** The wildcard came from an empty first request (not an explicit `*`). */
  readonly legacyWildcard: boolean;
  /** Explicitly named resources (without `*`). */
  readonly names: ReadonlySet<string>;
}

export const EMPTY_SUBSCRIPTION: Subscription = Object.freeze({ wildcard: false, legacyWildcard: false, names: new Set<string>() });

/** The subscription after a SotW request that carries the full list `resourceNames`. */
export function nextSotwSubscription(typeUrl: string, previous: Subscription | undefined, resourceNames: readonly string[]): Subscription {
  const names = new Set(resourceNames.filter((n) => n !== WILDCARD));
  if (!allowsWildcard(typeUrl)) return { wildcard: false, legacyWildcard: false, names };
  if (resourceNames.includes(WILDCARD)) return { wildcard: true, legacyWildcard: false, names };
  if (resourceNames.length === 0 && (previous === undefined || previous.legacyWildcard)) return { wildcard: true, legacyWildcard: true, names };
  return { wildcard: false, legacyWildcard: false, names };
}

/** The subscription after a delta request's subscribe/unsubscribe lists. */
export function nextDeltaSubscription(typeUrl: string, previous: Subscription | undefined, subscribe: readonly string[], unsubscribe: readonly string[]): Subscription {
  const wildcardType = allowsWildcard(typeUrl);
  const noChange = subscribe.length === 0 && unsubscribe.length === 0;
  if (wildcardType && noChange && (previous === undefined || previous.legacyWildcard)) return { wildcard: true, legacyWildcard: true, names: new Set() };
  const names = new Set(previous?.names ?? []);
  let wildcard = wildcardType && previous !== undefined && previous.wildcard && !previous.legacyWildcard;
  for (const n of subscribe) {
    if (n === WILDCARD) wildcard = wildcardType;
    else names.add(n);
  }
  for (const n of unsubscribe) {
    if (n === WILDCARD) wildcard = false;
    else names.delete(n);
  }
  return { wildcard, legacyWildcard: false, names };
}

export function sameSubscription(a: Subscription | undefined, b: Subscription): boolean {
  if (!a || a.wildcard !== b.wildcard || a.names.size !== b.names.size) return false;
  for (const n of a.names) if (!b.names.has(n)) return false;
  return true;
}

/** The names to generate: undefined = everything (wildcard). */
export function namesToGenerate(sub: Subscription): readonly string[] | undefined {
  return sub.wildcard ? undefined : [...sub.names];
}

/** For debug views: undefined = wildcard; explicit names are listed too when both apply. */
export function describeSubscription(sub: Subscription): readonly string[] | undefined {
  if (sub.wildcard && sub.names.size === 0) return undefined;
  return [...(sub.wildcard ? [WILDCARD] : []), ...[...sub.names].sort()];
}

const fingerprints = new WeakMap<Subscription, string>();

/** A string that is equal for equal subscriptions; computed once per (immutable) Subscription. */
export function subscriptionFingerprint(sub: Subscription): string {
  let fp = fingerprints.get(sub);
  if (fp === undefined) fingerprints.set(sub, (fp = `${sub.wildcard ? '*' : ''}\u0001${[...sub.names].sort().join('\u0000')}`));
  return fp;
}
