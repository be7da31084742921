/**
 * CA bundles in ConfigMaps (BackendTLSPolicy caCertificateRefs, DestinationRule
 * `credentialName: configmap://<ns>/<name>`), read from the Kubernetes ConfigMap cache as Istio
 * reads them: key `cacert` (with `crl`), else `ca.crt` (with `ca.crl`), text `data` only. Each
 * ConfigMap is validated once (every certificate must parse; an invalid one is not served, so
 * the cluster using it fails closed). Three views: the generators' CaBundleIndex (SDS), the
 * status path's CaCertificateLookup (BackendTLSPolicy ResolvedRefs), and change pushes: a
 * change to a ConfigMap some DestinationRule references goes to ADS as a ConfigMap-only
 * ChangeSet, which reaches SDS only.
 */
import type { Logger } from '../lib/logger.js';
import type { ChangeSet } from '../model/change-set.js';
import type { CaCertificateLookup, CaCertificateState } from '../model/gateway-api/backend-tls.js';
import type { Snapshot } from '../model/snapshot.js';
import type { KubeConfigMap } from '../sources/kubernetes/configmap-convert.js';
import { configMapChangeSet } from '../translate/gateway/sds-changes.js';
import { CONFIGMAP_SCHEME, parseConfigMapResource, type CaBundleIndex } from '../translate/gateway/sds-configmap.js';
import type { CaMaterial, Lookup } from '../translate/gateway/sds-credentials.js';
import type { CredentialPushTarget } from './gateway-credentials.js';
import { parseCertificates } from './gateway-credentials-validate.js';

/** What the CA bundles read: the Kubernetes source's ConfigMap cache (or a test's). */
export interface ConfigMapSource {
  get(namespace: string, name: string): KubeConfigMap | undefined;
  onChange(listener: (keys: readonly string[]) => void): () => void;
}

export interface CaBundles {
  /** The current index (a new object, with a new version, whenever a ConfigMap changed). */
  index(): CaBundleIndex;
  /** The same, as the BackendTLSPolicy status reads it. */
  statusLookup(): CaCertificateLookup;
  /** Called with the changed `namespace/name` keys after the index moved. */
  onChange(listener: (keys: readonly string[]) => void): () => void;
  close(): void;
}

const fail = (reason: string): Lookup<CaMaterial> => ({ ok: false, reason });

function caFrom(data: ReadonlyMap<string, string>, caKey: string, crlKey: string): Lookup<CaMaterial> {
  const pem = Buffer.from(data.get(caKey)!, 'utf8');
  const certs = parseCertificates(pem, caKey);
  if (typeof certs === 'string') return fail(certs);
  const crl = data.get(crlKey);
  return { ok: true, value: { trustedCa: pem, ...(crl ? { crl: Buffer.from(crl, 'utf8') } : {}) } };
}

function foundKeys(data: ReadonlyMap<string, string>): string {
  const keys = [...data.keys()].sort();
  if (keys.length === 0) return 'none';
  return keys.length <= 3 ? keys.join(', ') : `${keys.slice(0, 3).join(', ')} and ${keys.length - 3} more`;
}

/** The CA bundle of a ConfigMap, or why it has none. Messages name keys, never values. */
export function extractConfigMapCa(cm: KubeConfigMap): Lookup<CaMaterial> {
  const d = cm.data;
  if (d.get('cacert')) return caFrom(d, 'cacert', 'crl');
  if (d.get('ca.crt')) return caFrom(d, 'ca.crt', 'ca.crl');
  if (d.has('cacert')) return fail('key "cacert" is empty');
  if (d.has('ca.crt')) return fail('key "ca.crt" is empty');
  return fail(`no CA certificate: expected key ca.crt (or cacert); found: ${foundKeys(d)}`);
}

const notFound = (namespace: string, name: string) => `ConfigMap ${namespace}/${name} not found`;

export function createCaBundles(source: ConfigMapSource | undefined): CaBundles {
  const memo = new WeakMap<KubeConfigMap, Lookup<CaMaterial>>();
  const caOf = (cm: KubeConfigMap) => {
    let found = memo.get(cm);
    if (!found) memo.set(cm, (found = extractConfigMapCa(cm)));
    return found;
  };
  const listeners = new Set<(keys: readonly string[]) => void>();
  const build = (version: number): CaBundleIndex => Object.freeze({
    version,
    caBundle(namespace: string, name: string): Lookup<CaMaterial> {
      const cm = source?.get(namespace, name);
      return cm ? caOf(cm) : fail(notFound(namespace, name));
    },
  });
  const lookupOf = (index: CaBundleIndex): CaCertificateLookup => Object.freeze({
    version: index.version,
    check(namespace: string, name: string): CaCertificateState {
      const found = index.caBundle(namespace, name);
      if (found.ok) return { ok: true };
      const missing = source?.get(namespace, name) === undefined;
      return { ok: false, missing, message: missing ? notFound(namespace, name) : `ConfigMap ${namespace}/${name}: ${found.reason}` };
    },
  });
  let current = build(0);
  let lookup = lookupOf(current);
  const unsubscribe = source?.onChange((keys) => {
    current = build(current.version + 1);
    lookup = lookupOf(current);
    for (const listener of listeners) listener(keys);
  });
  return {
    index: () => current,
    statusLookup: () => lookup,
    onChange(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    close: () => unsubscribe?.(),
  };
}

/** Every `credentialName` string anywhere in a DestinationRule spec (traffic policy, ports, subsets). */
function collectCredentialNames(value: unknown, out: string[], depth = 0): void {
  if (depth > 8 || value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    for (const v of value) collectCredentialNames(v, out, depth + 1);
    return;
  }
  for (const [k, v] of Object.entries(value)) {
    if (k === 'credentialName' && typeof v === 'string') out.push(v);
    else collectCredentialNames(v, out, depth + 1);
  }
}

const referencedMemo = new WeakMap<Snapshot, ReadonlySet<string>>();

/** `namespace/name` of every ConfigMap a DestinationRule of `snapshot` names as `configmap://` credentialName. */
export function referencedConfigMaps(snapshot: Snapshot): ReadonlySet<string> {
  let found = referencedMemo.get(snapshot);
  if (found) return found;
  const names: string[] = [];
  for (const dr of snapshot.configs.list('DestinationRule')) collectCredentialNames(dr.spec, names);
  const out = new Set<string>();
  for (const name of names) {
    const r = name.startsWith(CONFIGMAP_SCHEME) ? parseConfigMapResource(name) : undefined;
    if (r && typeof r !== 'string') out.add(`${r.namespace}/${r.name}`);
  }
  referencedMemo.set(snapshot, (found = out));
  return found;
}

/**
 * Pushes changes of referenced ConfigMaps to ADS as a ConfigMap-only ChangeSet on the current
 * snapshot (SDS only); other ConfigMaps (most of them) push nothing.
 */
export function pushCaBundleChanges(bundles: CaBundles, pipeline: CredentialPushTarget, ads: { onSnapshot(snapshot: Snapshot, changes: ChangeSet): void }, log: Logger): () => void {
  return bundles.onChange((keys) => {
    const snapshot = pipeline.current();
    if (!pipeline.ready() || !snapshot) return;
    const referenced = referencedConfigMaps(snapshot);
    const relevant = keys.filter((k) => referenced.has(k));
    if (relevant.length === 0) return;
    log.info({ configMaps: relevant.slice(0, 5), count: relevant.length, version: bundles.index().version }, 'CA bundle ConfigMaps changed; pushing SDS to the proxies using them');
    ads.onSnapshot(snapshot, configMapChangeSet(snapshot.version, relevant));
  });
}
