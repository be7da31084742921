/** A small RFC 6902 apply (add/remove/replace), to check the injector's patches round-trip. */
import type { JsonPatchOp } from '../../../src/inject/json-patch.js';

function unescape(token: string): string {
  return token.replace(/~1/g, '/').replace(/~0/g, '~');
}

function parentOf(doc: unknown, path: string): { parent: Record<string, unknown> | unknown[]; key: string } {
  const tokens = path.split('/').slice(1).map(unescape);
  const key = tokens.pop();
  if (key === undefined) throw new Error(`patch path "${path}" addresses the root`);
  let cur: unknown = doc;
  for (const t of tokens) {
    if (typeof cur !== 'object' || cur === null) throw new Error(`patch path "${path}": "${t}" is not inside an object`);
    cur = (cur as Record<string, unknown>)[t];
  }
  if (typeof cur !== 'object' || cur === null) throw new Error(`patch path "${path}": parent missing`);
  return { parent: cur as Record<string, unknown> | unknown[], key };
}

export function applyPatch(doc: unknown, patch: readonly JsonPatchOp[]): unknown {
  const out = structuredClone(doc);
  for (const op of patch) {
    const { parent, key } = parentOf(out, op.path);
    if (Array.isArray(parent)) {
      const i = key === '-' ? parent.length : Number(key);
      if (!Number.isInteger(i) || i < 0 || i > parent.length - (op.op === 'add' ? 0 : 1)) throw new Error(`patch ${op.op} ${op.path}: index out of range`);
      if (op.op === 'add') parent.splice(i, 0, structuredClone(op.value));
      else if (op.op === 'replace') parent[i] = structuredClone(op.value);
      else parent.splice(i, 1);
      continue;
    }
    if (op.op !== 'add' && !Object.hasOwn(parent, key)) throw new Error(`patch ${op.op} ${op.path}: no such member`);
    if (op.op === 'remove') delete parent[key];
    else parent[key] = structuredClone(op.value);
  }
  return out;
}
