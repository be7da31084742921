/**
 * VirtualService header operations, as Istio translates them: `set` overwrites
 * (OVERWRITE_IF_EXISTS_OR_ADD), `add` appends (APPEND_IF_EXISTS_OR_ADD), each group sorted by
 * name; pseudo-headers and `host` are never written, but a `set` (else `add`) of `:authority` /
 * `host` on the request becomes the route's host rewrite.
 */
import type { HeaderOperations, Headers } from '../../../model/types/common.js';
import type { Json } from './types.js';

export interface HeaderOps {
  readonly request_headers_to_add: Json[];
  readonly request_headers_to_remove: string[];
  readonly response_headers_to_add: Json[];
  readonly response_headers_to_remove: string[];
  /** Request authority to rewrite to ('' for none). */
  readonly authority: string;
}

const isInternal = (name: string) => name.startsWith(':') || name.toLowerCase() === 'host';
const isAuthority = (name: string) => name.toLowerCase() === ':authority' || name.toLowerCase() === 'host';

function toAdd(values: Record<string, string> | undefined, append: boolean): { options: Json[]; authority: string } {
  let authority = '';
  const options: Json[] = [];
  for (const key of Object.keys(values ?? {}).sort()) {
    const value = values![key]!;
    if (isAuthority(key)) authority = value;
    if (isInternal(key)) continue;
    options.push({ header: { key, value }, append_action: append ? 'APPEND_IF_EXISTS_OR_ADD' : 'OVERWRITE_IF_EXISTS_OR_ADD' });
  }
  return { options, authority };
}

function side(ops: HeaderOperations | undefined): { add: Json[]; remove: string[]; authority: string } {
  const set = toAdd(ops?.set, false);
  const add = toAdd(ops?.add, true);
  return { add: [...set.options, ...add.options], remove: (ops?.remove ?? []).filter((k) => !isInternal(k)), authority: set.authority || add.authority };
}

/** No operations (most routes): shared, never written to (applyHeaderOps copies the lists). */
const NO_OPS: HeaderOps = Object.freeze({
  request_headers_to_add: [], request_headers_to_remove: [], response_headers_to_add: [], response_headers_to_remove: [], authority: '',
});

export function headerOperations(headers: Headers | undefined): HeaderOps {
  if (!headers || (!headers.request && !headers.response)) return NO_OPS;
  const req = side(headers?.request);
  const resp = side(headers?.response);
  return {
    request_headers_to_add: req.add,
    request_headers_to_remove: req.remove,
    response_headers_to_add: resp.add,
    response_headers_to_remove: resp.remove,
    authority: req.authority,
  };
}

const LIST_FIELDS = ['request_headers_to_add', 'request_headers_to_remove', 'response_headers_to_add', 'response_headers_to_remove'] as const;

/** Appends the operations' lists to `target` (a Route or a ClusterWeight); empty lists are left out. */
export function applyHeaderOps(target: Json, ops: HeaderOps): void {
  for (const field of LIST_FIELDS) {
    const items = ops[field] as unknown[];
    if (items.length === 0) continue;
    target[field] = [...((target[field] as unknown[] | undefined) ?? []), ...items];
  }
}
