/**
 * Secret changes as ChangeSets. A credentials change is not a new snapshot of the model: it is
 * pushed to ADS as a ChangeSet of kind `Secret` for the current snapshot, keys
 * `Secret/<namespace>/<name>`. Consumers then regenerate only what secrets feed: gateway SDS,
 * and gateway LDS (a server's filter chain appears or disappears with its secret's validity).
 * ConfigMap changes (CA bundles served as `configmap://` secrets) travel the same way, as kind
 * `ConfigMap`, keys `ConfigMap/<namespace>/<name>`; they reach SDS only.
 */
import type { ChangeSet } from '../../model/change-set.js';
import { TypeUrl } from '../type-urls.js';

export const SECRET_KIND = 'Secret';
export const CONFIGMAP_KIND = 'ConfigMap';
/** What a ConfigMap change reaches: the CA bundle secrets, nothing else. */
export const SDS_ONLY: readonly string[] = Object.freeze([TypeUrl.Secret]);

export const secretChangeKey = (namespace: string, name: string): string => `${SECRET_KIND}/${namespace}/${name}`;

/** True when every change in `changes` is a secret or a CA ConfigMap (and it is not a full push). */
export function secretsOnly(changes: ChangeSet): boolean {
  return !changes.full && changes.kinds.length > 0 && changes.kinds.every((k) => k === SECRET_KIND || k === CONFIGMAP_KIND);
}

/** True when `changes` names a ConfigMap (a CA bundle served over SDS). */
export const configMapsChanged = (changes: ChangeSet): boolean => changes.kinds.includes(CONFIGMAP_KIND);

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
export function secretChangeSet(snapshotVersion: number, changed: readonly string[], kind: string = SECRET_KIND): ChangeSet {
  const keys = [...new Set(changed.map((k) => `${kind}/${k}`))].sort();
  return Object.freeze({
    fromVersion: snapshotVersion,
    toVersion: snapshotVersion,
    full: false,
    kinds: Object.freeze([kind]),
    keys: Object.freeze(keys),
    servicesChanged: Object.freeze([]),
    endpointsChanged: Object.freeze([]),
    endpointsOnly: false,
  });
}

/** The ChangeSet for changed ConfigMaps (`namespace/name` keys) on top of snapshot `snapshotVersion`. */
export const configMapChangeSet = (snapshotVersion: number, changed: readonly string[]): ChangeSet => secretChangeSet(snapshotVersion, changed, CONFIGMAP_KIND);
