/**
 * Pushes JWKS resolver changes to ADS. A fetched key set is not a new snapshot of the model: it
 * goes to ADS as a ChangeSet of kind RequestAuthentication (no keys) on the current snapshot,
 * which makes every connection recompute its subscribed types. Only LDS actually changes — the
 * generators put the lookup's version in their listener scope keys, everything else is served
 * from the snapshot's cache and unchanged resources are not resent — so this is, in effect, a
 * full LDS push. Key sets change rarely (refresh interval 20m by default), so precision is not
 * worth a per-proxy index of which listener inlines which jwksUri.
 */
import type { Logger } from '../lib/logger.js';
import type { ChangeSet } from '../model/change-set.js';
import type { Snapshot } from '../model/snapshot.js';
import type { JwksResolver } from './jwks-resolver.js';

export const JWKS_CHANGE_KIND = 'RequestAuthentication';

export function jwksChangeSet(snapshotVersion: number): ChangeSet {
  return Object.freeze({
    fromVersion: snapshotVersion,
    toVersion: snapshotVersion,
    full: false,
    kinds: Object.freeze([JWKS_CHANGE_KIND]),
    keys: Object.freeze([]),
    servicesChanged: Object.freeze([]),
    endpointsChanged: Object.freeze([]),
    endpointsOnly: false,
  });
}

export interface JwksPushTarget {
  ready(): boolean;
  current(): Snapshot | undefined;
}

/** Each resolver change → one ChangeSet for ADS (none before the first synced snapshot). */
export function pushJwksChanges(resolver: Pick<JwksResolver, 'onChange' | 'version'>, pipeline: JwksPushTarget, ads: { onSnapshot(snapshot: Snapshot, changes: ChangeSet): void }, log: Logger): () => void {
  return resolver.onChange(() => {
    const snapshot = pipeline.current();
    if (!pipeline.ready() || !snapshot) return;
    log.info({ jwksVersion: resolver.version, snapshot: snapshot.version }, 'jwks key sets changed; pushing listeners');
    ads.onSnapshot(snapshot, jwksChangeSet(snapshot.version));
  });
}
