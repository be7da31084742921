/**
 * The per-connection merging push queue. While a push waits for its turn, newer snapshots
 * merge into it: only the newest snapshot is pushed, the push is full if any merged change was
 * full (or not endpoints-only), and endpoints-only pushes carry the union of changed hosts.
 */
import type { ChangeSet } from '../model/change-set.js';

export interface PendingPush {
  /** The newest ChangeSet merged in, with endpointsChanged/endpointsOnly/full merged. */
  readonly changes: ChangeSet;
  /** Earliest config event among the merged batches (ms since epoch), for convergence time. */
  readonly firstEventAt: number | undefined;
}

export function mergeChanges(older: ChangeSet, newer: ChangeSet): ChangeSet {
  const endpointsOnly = older.endpointsOnly && newer.endpointsOnly && !older.full && !newer.full;
  const union = (a: readonly string[], b: readonly string[]) => Object.freeze([...new Set([...a, ...b])].sort());
  return Object.freeze({
    fromVersion: older.fromVersion,
    toVersion: newer.toVersion,
    full: older.full || newer.full,
    kinds: union(older.kinds, newer.kinds),
    keys: union(older.keys, newer.keys),
    servicesChanged: union(older.servicesChanged, newer.servicesChanged),
    endpointsChanged: union(older.endpointsChanged, newer.endpointsChanged),
    endpointsOnly,
  });
}

export class PushQueue {
  private pending: PendingPush | undefined;

  get hasPending(): boolean {
    return this.pending !== undefined;
  }

  /** Adds a change; returns true when the connection must be scheduled (nothing was pending). */
  enqueue(changes: ChangeSet, firstEventAt: number | undefined): boolean {
    const before = this.pending;
    if (!before) {
      this.pending = { changes, firstEventAt };
      return true;
    }
    const earliest = before.firstEventAt === undefined ? firstEventAt : firstEventAt === undefined ? before.firstEventAt : Math.min(before.firstEventAt, firstEventAt);
    this.pending = { changes: mergeChanges(before.changes, changes), firstEventAt: earliest };
    return false;
  }

  take(): PendingPush | undefined {
    const p = this.pending;
    this.pending = undefined;
    return p;
  }
}
