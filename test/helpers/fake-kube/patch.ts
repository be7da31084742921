/**
 * PATCH bodies: JSON merge patch (RFC 7386), JSON patch (RFC 6902), and strategic merge patch
 * for built-in kinds, approximated as a merge patch (lists are replaced rather than merged by
 * their patch keys; custom resources refuse it with 415, as the real server does). Server-side
 * apply is handled before this (apply.ts); any other content type is refused with 415.
 */
import { clone, isPlainObject } from './types.js';

export type PatchResult = { ok: true; value: unknown } | { ok: false; code: number; message: string };

export const MERGE = 'application/merge-patch+json';
export const JSON_PATCH = 'application/json-patch+json';
export const STRATEGIC = 'application/strategic-merge-patch+json';

export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return clone(patch);
  const result: Record<string, unknown> = isPlainObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete result[k];
    else result[k] = mergePatch(result[k], v);
  }
  return result;
}

type Op = { op?: unknown; path?: unknown; from?: unknown; value?: unknown };

function pointer(path: string): string[] | undefined {
  if (path === '') return [];
  if (!path.startsWith('/')) return undefined;
  return path.slice(1).split('/').map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** The container of the pointer's last segment, and that segment. */
function locate(doc: unknown, parts: string[]): { parent: unknown; key: string } | undefined {
  let node = doc;
  for (const part of parts.slice(0, -1)) {
    node = Array.isArray(node) ? node[Number(part)] : isPlainObject(node) ? node[part] : undefined;
    if (node === undefined) return undefined;
  }
  return { parent: node, key: parts.at(-1)! };
}

function getAt(doc: unknown, parts: string[]): unknown {
  return parts.reduce<unknown>((n, p) => (Array.isArray(n) ? n[Number(p)] : isPlainObject(n) ? n[p] : undefined), doc);
}

function setAt(parent: unknown, key: string, value: unknown, insert: boolean): boolean {
  if (Array.isArray(parent)) {
    const index = key === '-' ? parent.length : Number(key);
    if (!Number.isInteger(index) || index < 0 || index > parent.length) return false;
    parent.splice(index, insert ? 0 : 1, value);
    return true;
  }
  if (!isPlainObject(parent)) return false;
  parent[key] = value;
  return true;
}

function removeAt(parent: unknown, key: string): boolean {
  if (Array.isArray(parent)) {
    const index = Number(key);
    if (!Number.isInteger(index) || index < 0 || index >= parent.length) return false;
    parent.splice(index, 1);
    return true;
  }
  if (!isPlainObject(parent) || !(key in parent)) return false;
  delete parent[key];
  return true;
}

function applyOp(doc: unknown, op: Op): string | undefined {
  const parts = typeof op.path === 'string' ? pointer(op.path) : undefined;
  if (!parts || parts.length === 0) return `invalid path ${JSON.stringify(op.path)}`;
  const at = locate(doc, parts);
  if (!at) return `doc is missing path: "${String(op.path)}"`;
  switch (op.op) {
    case 'add':
      return setAt(at.parent, at.key, clone(op.value), true) ? undefined : `unable to add to "${String(op.path)}"`;
    case 'replace':
      if (getAt(doc, parts) === undefined) return `replace operation does not apply: doc is missing key: ${String(op.path)}`;
      return setAt(at.parent, at.key, clone(op.value), false) ? undefined : `unable to replace "${String(op.path)}"`;
    case 'remove':
      return removeAt(at.parent, at.key) ? undefined : `unable to remove nonexistent key: ${at.key}`;
    case 'test':
      return JSON.stringify(getAt(doc, parts)) === JSON.stringify(op.value) ? undefined : `testing value ${String(op.path)} failed`;
    case 'copy':
    case 'move': {
      const from = typeof op.from === 'string' ? pointer(op.from) : undefined;
      const value = from ? getAt(doc, from) : undefined;
      if (!from || value === undefined) return `${String(op.op)} operation does not apply: doc is missing from path: ${String(op.from)}`;
      if (op.op === 'move') removeAt(locate(doc, from)!.parent, from.at(-1)!);
      const target = locate(doc, parts);
      return target && setAt(target.parent, target.key, clone(value), true) ? undefined : `unable to ${String(op.op)} to "${String(op.path)}"`;
    }
    default:
      return `Unexpected kind: ${String(op.op)}`;
  }
}

export function jsonPatch(target: unknown, ops: unknown): PatchResult {
  if (!Array.isArray(ops)) return { ok: false, code: 400, message: 'json: cannot unmarshal object into Go value of type jsonpatch.Patch' };
  const doc = clone(target);
  for (const op of ops as Op[]) {
    const error = applyOp(doc, op);
    if (error) return { ok: false, code: 422, message: error };
  }
  return { ok: true, value: doc };
}

/** `target` patched per the request's content type. */
export function applyPatch(contentType: string | undefined, custom: boolean, target: unknown, patch: unknown): PatchResult {
  const type = (contentType ?? '').split(';')[0]!.trim();
  if (type === MERGE || (type === STRATEGIC && !custom)) {
    if (!isPlainObject(patch)) return { ok: false, code: 400, message: 'the body of the request was in an unknown format' };
    return { ok: true, value: mergePatch(target, patch) };
  }
  if (type === JSON_PATCH) return jsonPatch(target, patch);
  const accepted = custom ? `${JSON_PATCH}, ${MERGE}` : `${JSON_PATCH}, ${MERGE}, ${STRATEGIC}`;
  return { ok: false, code: 415, message: `the body of the request was in an unknown format - accepted media types include: ${accepted}` };
}
