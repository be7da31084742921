/**
 * Secret changes as ChangeSets. A credentials change is not a new snapshot of the model: it is
 * pushed to ADS as a ChangeSet of kind `Secret` for the current snapshot, keys
 * `Secret/<namespace>/<name>`. Consumers then regenerate only what secrets feed: gateway SDS,
 * and gateway LDS (a server's filter chain appears or disappears with its secret's validity).
 */
import type { ChangeSet } from '../../model/change-set.js';

export const SECRET_KIND = 'Secret';

export const secretChangeKey = (namespace: string, name: string): string => `${SECRET_KIND}/${namespace}/${name}`;

/** True when every change in `changes` is a secret (and it is not a full push). */
export function secretsOnly(changes: ChangeSet): boolean {
  return !changes.full && changes.kinds.length > 0 && changes.kinds.every((k) => k === SECRET_KIND);
}

/** Namespaces of the secrets `changes` names. */
export function changedSecretNamespaces(changes: ChangeSet): Set<string> {
  const out = new Set<string>();
  for (const key of changes.keys) {
    const [kind, namespace] = key.split('/');
    if (kind === SECRET_KIND && namespace !== undefined) out.add(namespace);
  }
  return out;
}

/** The ChangeSet for changed secrets (`namespace/name` keys) on top of snapshot `snapshotVersion`. */
export function secretChangeSet(snapshotVersion: number, changed: readonly string[]): ChangeSet {
  const keys = [...new Set(changed.map((k) => `${SECRET_KIND}/${k}`))].sort();
  return Object.freeze({
    fromVersion: snapshotVersion,
    toVersion: snapshotVersion,
    full: false,
    kinds: Object.freeze([SECRET_KIND]),
    keys: Object.freeze(keys),
    servicesChanged: Object.freeze([]),
    endpointsChanged: Object.freeze([]),
    endpointsOnly: false,
  });
}
