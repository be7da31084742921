/**
 * JSON helpers for the gateway deployment controller: a key-order-independent serialization to
 * compare desired bodies, and "does the live object already hold every field we would apply"
 * (lists compared element by element, so defaults the API server adds inside items do not count).
 */

const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** JSON with object keys sorted, so equal bodies compare equal whatever their key order. */
export function stableJson(value: unknown): string {
  const sorted = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sorted);
    if (!isMap(v)) return v;
    return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sorted(v[k])]));
  };
  return JSON.stringify(sorted(value));
}

/** True when every field of `wanted` is in `live` with the same value (maps: subset; lists: same length, items contained). */
export function containsFields(live: unknown, wanted: unknown): boolean {
  if (Array.isArray(wanted)) return Array.isArray(live) && live.length === wanted.length && wanted.every((w, i) => containsFields(live[i], w));
  if (isMap(wanted)) return isMap(live) && Object.entries(wanted).every(([k, w]) => containsFields(live[k], w));
  return live === wanted;
}
