/**
 * RFC 6902 JSON Patch from an original document to a modified one, as an admission webhook
 * returns it: `add` for new members and appended array items, `replace` for changed values,
 * `remove` for dropped ones (array tails removed from the end so indexes stay valid). Paths are
 * RFC 6901 pointers (`~` → `~0`, `/` → `~1`, so `sidecar.istio.io/status` → `sidecar.istio.io~1status`).
 */
import { isObject } from './k8s.js';

export type JsonPatchOp =
  | { readonly op: 'add' | 'replace'; readonly path: string; readonly value: unknown }
  | { readonly op: 'remove'; readonly path: string };

export function escapePointer(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => sameJson(v, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => Object.hasOwn(b, k) && sameJson(a[k], b[k]));
  }
  return false;
}

function diff(a: unknown, b: unknown, path: string, out: JsonPatchOp[]): void {
  if (sameJson(a, b)) return;
  if (isObject(a) && isObject(b)) {
    for (const k of Object.keys(a)) if (a[k] !== undefined && (!Object.hasOwn(b, k) || b[k] === undefined)) out.push({ op: 'remove', path: `${path}/${escapePointer(k)}` });
    for (const k of Object.keys(b)) {
      if (b[k] === undefined) continue;
      const p = `${path}/${escapePointer(k)}`;
      if (!Object.hasOwn(a, k) || a[k] === undefined) out.push({ op: 'add', path: p, value: structuredClone(b[k]) });
      else diff(a[k], b[k], p, out);
    }
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    const common = Math.min(a.length, b.length);
    for (let i = 0; i < common; i++) diff(a[i], b[i], `${path}/${i}`, out);
    for (let i = common; i < b.length; i++) out.push({ op: 'add', path: `${path}/${i}`, value: structuredClone(b[i]) });
    for (let i = a.length - 1; i >= common; i--) out.push({ op: 'remove', path: `${path}/${i}` });
    return;
  }
  out.push({ op: 'replace', path, value: structuredClone(b) });
}

/** The patch turning `original` into `modified` (both JSON values). */
export function createJsonPatch(original: unknown, modified: unknown): JsonPatchOp[] {
  const out: JsonPatchOp[] = [];
  if (path0Replace(original, modified)) return [{ op: 'replace', path: '', value: structuredClone(modified) }];
  diff(original, modified, '', out);
  return out;
}

function path0Replace(a: unknown, b: unknown): boolean {
  return !(isObject(a) && isObject(b)) && !(Array.isArray(a) && Array.isArray(b)) && !sameJson(a, b);
}

export { sameJson };
