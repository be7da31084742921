/**
 * Deep equality for plain JSON-like data (objects, arrays, primitives): what config objects
 * and registry results are made of. Several times faster than util.isDeepStrictEqual, which
 * also checks prototypes, symbols and property descriptors; anything that is not a plain object
 * or array is handed to it.
 */
import { isDeepStrictEqual } from 'node:util';

const PLAIN = Object.prototype;

export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return Number.isNaN(a) && Number.isNaN(b);
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!jsonEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const pa: unknown = Object.getPrototypeOf(a);
  const pb: unknown = Object.getPrototypeOf(b);
  if ((pa !== PLAIN && pa !== null) || (pb !== PLAIN && pb !== null)) return isDeepStrictEqual(a, b);
  if (pa !== pb) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) {
    if (!Object.prototype.hasOwnProperty.call(b, k)) return false;
    if (!jsonEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  }
  return true;
}
