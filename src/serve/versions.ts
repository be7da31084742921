/**
 * Versions and nonces. A resource's version is a hash of its encoded bytes, so it changes
 * exactly when its content does and is the same on every istiod-ts replica and after a restart
 * (a reconnecting delta client's initial_resource_versions then match). A SotW type version is
 * a hash over the (name, version) pairs it carries.
 */
import { createHash } from 'node:crypto';

const VERSION_CHARS = 16;

export function resourceVersion(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('base64url').slice(0, VERSION_CHARS);
}

const memo = new WeakMap<object, string>();

/** The version of a whole set of resources; order-independent. Memoized for shared (frozen) lists. */
export function setVersion(entries: Iterable<{ readonly name: string; readonly version: string }>): string {
  const known = memo.get(entries);
  if (known !== undefined) return known;
  const version = computeSetVersion(entries);
  if (Object.isFrozen(entries)) memo.set(entries, version);
  return version;
}

function computeSetVersion(entries: Iterable<{ readonly name: string; readonly version: string }>): string {
  const pairs = [...entries].map((e) => `${e.name}\u0000${e.version}`).sort();
  const hash = createHash('sha256');
  for (const pair of pairs) hash.update(pair).update('\u0001');
  return hash.digest('base64url').slice(0, VERSION_CHARS);
}

/** Nonces only need to be unique within one stream; a counter keeps them short and ordered. */
export class NonceSource {
  private next = 1;
  take(): string {
    return (this.next++).toString(36);
  }
}
