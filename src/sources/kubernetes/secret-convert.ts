/**
 * Secrets as the mesh reads them (gateway credentialName over SDS, later multi-cluster
 * kubeconfigs): decoded once, in the informer's transform, so the informer cache and the
 * Secret cache share one copy. Which Secrets are watched follows istiod's credentials
 * controller: every type except the two that are both common and large and never mesh
 * credentials — service-account tokens and Helm release records — excluded by a field selector
 * on the server (and again here, should a server ignore the selector). Pure; never logs.
 */
import { decodeBase64Map, entryMetadata, type CachedEntry } from './resource-cache.js';
import type { KubeObject } from './object-cache.js';

/** Secret types never cached (istiod's credentials controller excludes the same two). */
export const EXCLUDED_SECRET_TYPES: readonly string[] = ['helm.sh/release.v1', 'kubernetes.io/service-account-token'];

/** The collection path with the field selector that keeps excluded types off the wire. */
export function secretsPath(): string {
  const selector = EXCLUDED_SECRET_TYPES.map((t) => `type!=${t}`).join(',');
  return `/api/v1/secrets?fieldSelector=${encodeURIComponent(selector)}`;
}

export interface KubeSecret extends CachedEntry {
  /** `type`, Opaque when the API object has none (the API server's default). */
  readonly type: string;
  /** `data`, base64-decoded. A value that is not base64 is left out and named in `problems`. */
  readonly data: ReadonlyMap<string, Buffer>;
}

/** The Secret as cached; excluded types become a `skipped` stub without data. */
export function convertSecret(raw: KubeObject): KubeSecret {
  const metadata = entryMetadata(raw);
  const type = typeof raw.type === 'string' && raw.type !== '' ? raw.type : 'Opaque';
  if (EXCLUDED_SECRET_TYPES.includes(type)) return { metadata, type, data: new Map(), problems: [], skipped: true };
  const problems: string[] = [];
  const data = decodeBase64Map(raw.data, 'data', problems);
  return { metadata, type, data, problems };
}

/** A key of a Secret as UTF-8 text (PEM), or undefined when absent. */
export function secretText(secret: KubeSecret, key: string): string | undefined {
  return secret.data.get(key)?.toString('utf8');
}
