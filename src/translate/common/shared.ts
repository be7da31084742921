/**
 * Marks a body part the translator reuses in many places (one VirtualService's provenance on
 * each of its routes, one retry policy on every default route): deep-frozen, so no builder can
 * change it under the others, and the encoder may encode it once and copy the bytes.
 */
export function shared<T extends object>(value: T): Readonly<T> {
  deepFreeze(value);
  return value;
}

function deepFreeze(value: object): void {
  if (Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const key in value) {
    const child = (value as Record<string, unknown>)[key];
    if (typeof child === 'object' && child !== null) deepFreeze(child);
  }
}
