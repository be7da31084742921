/**
 * The request pipeline of the fake API server: record, authenticate (bearer token, else 401),
 * inject test failures, then TokenReview, discovery, watch or the REST verbs. Every error is a
 * Kubernetes `Status` object.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ObjectStore } from './object-store.js';
import { handleRest, forbidden, isWatch, verbOf } from './rest.js';
import { discovery, parseResourcePath } from './routes.js';
import { handleTokenReview, TOKEN_REVIEW_PATH, type KnownToken } from './token-review.js';
import { handleSubjectAccessReview, SUBJECT_ACCESS_REVIEW_PATH, type AccessGrant } from './subject-access-review.js';
import { badRequest, failure, type Reply, type Verb } from './types.js';
import type { WatchHub } from './watch.js';

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  /** The query string without `?` ('' when none). */
  readonly query?: string;
  readonly authorization?: string;
  readonly body: unknown;
  /** For resource requests: the RBAC verb, plural, namespace, name and subresource. */
  readonly verb?: Verb;
  readonly resource?: string;
  readonly namespace?: string;
  readonly name?: string;
  readonly subresource?: string;
}

/** A failure to answer instead of serving (chaos): matches verb and resource when given. */
export interface InjectedError {
  readonly verb?: Verb;
  /** A plural, as in the recorded requests. */
  readonly resource?: string;
  readonly code: number;
  /** How many requests get it (default 1). */
  times?: number;
}

export interface ServerState {
  readonly tokens: Map<string, KnownToken>;
  readonly callerTokens: Set<string>;
  readonly requests: RecordedRequest[];
  readonly store: ObjectStore;
  readonly watches: WatchHub;
  readonly injected: InjectedError[];
  /** RBAC grants SubjectAccessReviews are answered from (absent: none). */
  readonly grants?: AccessGrant[];
}

const REASONS: Record<number, string> = { 429: 'TooManyRequests', 500: 'InternalError', 503: 'ServiceUnavailable', 504: 'Timeout', 410: 'Expired', 403: 'Forbidden', 409: 'Conflict' };

export function send(res: ServerResponse, reply: Reply): void {
  const text = JSON.stringify(reply.body);
  const headers: Record<string, string | number> = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) };
  if (reply.code === 429) headers['retry-after'] = 1;
  res.writeHead(reply.code, headers);
  res.end(text);
}

function readBody(req: IncomingMessage, limit = 3 * 1024 * 1024): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) reject(new Error('request entity too large'));
      else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function takeInjected(state: ServerState, verb: Verb | undefined, resource: string | undefined): Reply | undefined {
  const index = state.injected.findIndex((e) => (e.verb === undefined || e.verb === verb) && (e.resource === undefined || e.resource === resource));
  if (index < 0) return undefined;
  const rule = state.injected[index]!;
  rule.times = (rule.times ?? 1) - 1;
  if (rule.times <= 0) state.injected.splice(index, 1);
  return failure(rule.code, REASONS[rule.code] ?? 'InternalError', `injected failure ${rule.code} for ${verb ?? 'request'} ${resource ?? ''}`.trim());
}

export async function handle(req: IncomingMessage, res: ServerResponse, state: ServerState): Promise<void> {
  const method = req.method ?? '';
  const [path = '/', query = ''] = (req.url ?? '/').split('?');
  const params = new URLSearchParams(query);
  const text = await readBody(req);
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  const route = parseResourcePath(path, state.store.types);
  const target = route?.target;
  const verb = target ? (route.watchPath && method === 'GET' ? 'watch' : verbOf(method, target, params)) : undefined;
  const resource = target?.type.plural;
  state.requests.push({ method, path, query, authorization: req.headers.authorization, body, verb, resource, namespace: target?.namespace, name: target?.name, subresource: target?.subresource });
  const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
  if (!token || !state.callerTokens.has(token)) return send(res, failure(401, 'Unauthorized', 'Unauthorized'));
  const injected = takeInjected(state, verb, resource);
  if (injected) return send(res, injected);
  if (path === TOKEN_REVIEW_PATH) return send(res, handleTokenReview(method, body, state.tokens));
  if (path === SUBJECT_ACCESS_REVIEW_PATH) return send(res, handleSubjectAccessReview(method, body, state.grants ?? []));
  const document = method === 'GET' ? discovery(path, state.store.types) : undefined;
  if (document) return send(res, document);
  if (!target) return send(res, failure(404, 'NotFound', 'the server could not find the requested resource'));
  if (text && body === undefined) return send(res, badRequest('the body of the request was in an unknown format'));
  if (verb === 'watch') {
    const denied = forbidden(state.store, 'watch', target);
    if (denied) return send(res, denied);
    const refused = state.watches.serve(res, target, params);
    return refused ? send(res, refused) : undefined;
  }
  send(res, handleRest(state.store, { method, target, query: params, body, contentType: req.headers['content-type'] }));
}

export { isWatch };
