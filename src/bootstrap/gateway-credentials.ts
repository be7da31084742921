/**
 * The gateway credentials (credentialName secrets) the router generator reads: a
 * CredentialIndex over the Kubernetes Secret cache, validated lazily and once per Secret
 * object, with a version that moves on every Secret change. Each change batch goes to ADS as a
 * secrets-only ChangeSet for the current snapshot, so only gateways using a changed secret get
 * SDS (and, if a server's chain appeared or disappeared, LDS); the model is not rebuilt and
 * never holds secret bytes.
 */
import type { Logger } from '../lib/logger.js';
import type { ChangeSet } from '../model/change-set.js';
import type { Snapshot } from '../model/snapshot.js';
import type { KubeSecret } from '../sources/kubernetes/secret-convert.js';
import { secretChangeSet } from '../translate/gateway/sds-changes.js';
import { CA_SUFFIX, type CaMaterial, type CredentialIndex, type Lookup, type TlsMaterial } from '../translate/gateway/sds-credentials.js';
import { extractCa, extractCertificate } from './gateway-credentials-validate.js';

/** What the credentials read: the Kubernetes source's Secret cache (or a test's). */
export interface SecretSource {
  get(namespace: string, name: string): KubeSecret | undefined;
  onChange(listener: (keys: readonly string[]) => void): () => void;
}

export interface GatewayCredentials {
  /** The current index (a new object whenever a secret changed). */
  index(): CredentialIndex;
  /** Called with the changed `namespace/name` keys after the index moved. */
  onChange(listener: (keys: readonly string[]) => void): () => void;
  close(): void;
}

const notFound = <T>(namespace: string, name: string): Lookup<T> => ({ ok: false, reason: `Secret ${namespace}/${name} not found` });

function memoized<T>(extract: (s: KubeSecret) => Lookup<T>): (s: KubeSecret) => Lookup<T> {
  const memo = new WeakMap<KubeSecret, Lookup<T>>();
  return (secret) => {
    let found = memo.get(secret);
    if (!found) memo.set(secret, (found = extract(secret)));
    return found;
  };
}

export function createGatewayCredentials(source: SecretSource | undefined): GatewayCredentials {
  const certificateOf = memoized(extractCertificate);
  const caOf = memoized(extractCa);
  const listeners = new Set<(keys: readonly string[]) => void>();
  const build = (version: number): CredentialIndex => Object.freeze({
    version,
    certificate(namespace: string, name: string): Lookup<TlsMaterial> {
      const secret = source?.get(namespace, name);
      return secret ? certificateOf(secret) : notFound(namespace, name);
    },
    caCertificate(namespace: string, name: string): Lookup<CaMaterial> {
      // Istio's order: a separate `<name>-cacert` Secret, else the credential's own Secret.
      const secret = source?.get(namespace, `${name}${CA_SUFFIX}`) ?? source?.get(namespace, name);
      return secret ? caOf(secret) : notFound(namespace, `${name}${CA_SUFFIX}`);
    },
  });
  let current = build(0);
  const unsubscribe = source?.onChange((keys) => {
    current = build(current.version + 1);
    for (const listener of listeners) listener(keys);
  });
  return {
    index: () => current,
    onChange(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    close: () => unsubscribe?.(),
  };
}

/** What the wiring needs of the model pipeline and the ADS server. */
export interface CredentialPushTarget {
  ready(): boolean;
  current(): Snapshot | undefined;
}

/**
 * Pushes each secret change to ADS as a secrets-only ChangeSet on the current snapshot (none
 * before the first synced snapshot: that one reads the index as it is then).
 */
export function pushCredentialChanges(credentials: GatewayCredentials, pipeline: CredentialPushTarget, ads: { onSnapshot(snapshot: Snapshot, changes: ChangeSet): void }, log: Logger): () => void {
  return credentials.onChange((keys) => {
    const snapshot = pipeline.current();
    if (!pipeline.ready() || !snapshot) return;
    log.info({ secrets: keys.slice(0, 5), count: keys.length, version: credentials.index().version }, 'gateway credentials changed; pushing SDS to the gateways using them');
    ads.onSnapshot(snapshot, secretChangeSet(snapshot.version, keys));
  });
}

/**
 * A re-reviewed identity may now read (or no longer read) its namespace's secrets: push that
 * namespace's gateways as if its secrets changed, so each stream re-filters its SDS names.
 */
export function pushSecretAccessChange(pipeline: CredentialPushTarget, ads: { onSnapshot(snapshot: Snapshot, changes: ChangeSet): void }, log: Logger): (namespace: string) => void {
  return (namespace) => {
    const snapshot = pipeline.current();
    if (!pipeline.ready() || !snapshot) return;
    log.info({ namespace }, 'a gateway identity\'s right to read secrets changed (SubjectAccessReview); pushing SDS to the gateways of its namespace');
    ads.onSnapshot(snapshot, secretChangeSet(snapshot.version, [`${namespace}/*`]));
  };
}
