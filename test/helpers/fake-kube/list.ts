/**
 * LIST as kube-apiserver serves it. resourceVersion semantics: unset = most recent; "0" = any
 * (served whole: limit ignored, as from the watch cache); N (NotOlderThan) = most recent, 504 when
 * N is in the future; N with resourceVersionMatch=Exact = the snapshot at N, 410 Expired once
 * compacted. limit/continue pages are consistent snapshots at the first page's revision; a
 * continue token older than the compaction horizon is 410 Expired with a fresh (inconsistent)
 * token in the Status. Built-in items carry no kind/apiVersion; custom resources' items do.
 */
import type { ObjectStore } from './object-store.js';
import { apiVersionOf, type ResourceType } from './resource-types.js';
import { parseSelectors } from './selectors.js';
import { badRequest, failure, reply, type KubeObject, type Reply } from './types.js';

interface ContinueToken {
  /** Snapshot revision; 0: current state (the token a 410 hands back). */
  readonly rv: number;
  readonly after: string;
}

const encodeToken = (t: ContinueToken): string => Buffer.from(JSON.stringify(t)).toString('base64url');

function decodeToken(text: string): ContinueToken | undefined {
  try {
    const t = JSON.parse(Buffer.from(text, 'base64url').toString()) as ContinueToken;
    return Number.isInteger(t.rv) && typeof t.after === 'string' ? t : undefined;
  } catch {
    return undefined;
  }
}

/** The object as served at `version`; list items of built-in kinds lose kind/apiVersion. */
export function render(type: ResourceType, version: string, obj: KubeObject, asListItem = false): KubeObject {
  if (asListItem && !type.custom) {
    const { apiVersion: _a, kind: _k, ...rest } = obj;
    return rest as KubeObject;
  }
  return { ...obj, apiVersion: apiVersionOf(type, version), kind: type.kind };
}

/** A resourceVersion query parameter as a number; undefined when absent, NaN when malformed. */
export function parseRv(text: string | null): number | undefined {
  if (text === null || text === '') return undefined;
  return /^\d+$/.test(text) ? Number(text) : Number.NaN;
}

export function tooLarge(rv: number, current: number): Reply {
  return failure(504, 'Timeout', `Too large resource version: ${rv}, current: ${current}`, { causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }], retryAfterSeconds: 1 });
}

type Start = { at: number; after: string; paged: boolean } | Reply;

/** Which revision to read and from which key, or the error the parameters earn. */
function startOf(store: ObjectStore, query: URLSearchParams): Start {
  const rv = parseRv(query.get('resourceVersion'));
  const current = store.revisionNumber();
  const cont = query.get('continue');
  if (Number.isNaN(rv)) return badRequest(`invalid resource version: ${query.get('resourceVersion')}`);
  if (cont) {
    if (rv !== undefined) return badRequest('specifying resource version is not allowed when using continue');
    const token = decodeToken(cont);
    if (!token) return badRequest('continue key is not valid: illegal base64 data');
    if (token.rv !== 0 && token.rv < store.compactedRevision()) {
      const message = 'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.';
      const body = { ...(failure(410, 'Expired', message).body as object), metadata: { continue: encodeToken({ rv: 0, after: token.after }) } };
      return reply(410, body);
    }
    return { at: token.rv === 0 ? current : token.rv, after: token.after, paged: true };
  }
  if (rv !== undefined && rv > current) return tooLarge(rv, current);
  if (query.get('resourceVersionMatch') === 'Exact') {
    if (rv === undefined) return badRequest('resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided');
    if (rv < store.compactedRevision()) return failure(410, 'Expired', 'The resourceVersion for the provided list is too old.');
    return { at: rv, after: '', paged: true };
  }
  return { at: current, after: '', paged: rv !== 0 };
}

export function listObjects(store: ObjectStore, type: ResourceType, version: string, namespace: string | undefined, query: URLSearchParams): Reply {
  const selector = parseSelectors(query, type);
  if (!selector.ok) return badRequest(selector.error);
  const start = startOf(store, query);
  if ('code' in start) return start;
  const state = store.snapshot(type, start.at);
  if (!state) return failure(410, 'Expired', 'The resourceVersion for the provided list is too old.');
  const limit = start.paged ? Number(query.get('limit') ?? 0) : 0;
  const prefix = namespace === undefined ? '' : `${namespace}/`;
  const keys = [...state.keys()].filter((k) => k.startsWith(prefix) && k > start.after).sort();
  const matching = keys.filter((k) => selector.matches(state.get(k)!));
  const page = limit > 0 ? matching.slice(0, limit) : matching;
  const remaining = matching.length - page.length;
  const selected = query.has('labelSelector') || query.has('fieldSelector');
  const metadata = {
    resourceVersion: String(start.at),
    ...(remaining > 0 ? { continue: encodeToken({ rv: start.at, after: page.at(-1)! }) } : {}),
    ...(remaining > 0 && !selected ? { remainingItemCount: remaining } : {}),
  };
  const items = page.map((k) => render(type, version, state.get(k)!, true));
  return reply(200, { kind: `${type.kind}List`, apiVersion: apiVersionOf(type, version), metadata, items });
}
