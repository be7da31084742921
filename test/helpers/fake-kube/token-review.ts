/**
 * TokenReview create as kube-apiserver answers it: 201 with the full object (apiVersion, kind,
 * metadata, spec echoed, status). Tokens it knows come from a table; a token is authenticated
 * only when its audiences intersect the requested ones (the API server's own audience when the
 * request names none).
 */
import { badRequest, methodNotAllowed, reply, type Reply } from './types.js';

export const API_SERVER_AUDIENCE = 'https://kubernetes.default.svc.cluster.local';
export const TOKEN_REVIEW_PATH = '/apis/authentication.k8s.io/v1/tokenreviews';

export interface KnownToken {
  readonly username: string;
  readonly uid?: string;
  readonly groups: readonly string[];
  /** The token's `aud`; default: the API server's audience. */
  readonly audiences?: readonly string[];
  /** Misbehaving-authenticator simulation: report these status.audiences regardless. */
  readonly reportAudiences?: readonly string[];
}

type Review = { apiVersion?: unknown; kind?: unknown; spec?: { token?: unknown; audiences?: unknown } };

/** The TokenReview the real API server would return for `review` (already validated). */
function reviewToken(review: Review, tokens: ReadonlyMap<string, KnownToken>): object {
  const spec = review.spec ?? {};
  const requested = Array.isArray(spec.audiences) && spec.audiences.length > 0 ? (spec.audiences as string[]) : [API_SERVER_AUDIENCE];
  const known = tokens.get(spec.token as string);
  const tokenAudiences = known?.audiences ?? [API_SERVER_AUDIENCE];
  const overlap = requested.filter((a) => tokenAudiences.includes(a));
  const base = { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', metadata: { creationTimestamp: null }, spec };
  if (!known) return { ...base, status: { user: {}, error: '[invalid bearer token, token could not be validated]' } };
  if (overlap.length === 0 && !known.reportAudiences) {
    return { ...base, status: { user: {}, error: `[invalid bearer token, token audiences ${JSON.stringify(tokenAudiences)} is invalid for the target audiences ${JSON.stringify(requested)}]` } };
  }
  const user = { username: known.username, uid: known.uid ?? 'uid-1', groups: [...known.groups] };
  return { ...base, status: { authenticated: true, user, audiences: [...(known.reportAudiences ?? overlap)] } };
}

export function handleTokenReview(method: string, body: unknown, tokens: ReadonlyMap<string, KnownToken>): Reply {
  if (method !== 'POST') return methodNotAllowed();
  const review = body as Review | undefined;
  if (!review || typeof review !== 'object') return badRequest('the object provided is unrecognized');
  if (review.kind !== 'TokenReview' || review.apiVersion !== 'authentication.k8s.io/v1') return badRequest(`the API version in the data (${String(review.apiVersion)}) does not match the expected API version (authentication.k8s.io/v1)`);
  if (typeof review.spec?.token !== 'string' || review.spec.token === '') return badRequest('token is required for TokenReview in authentication');
  return reply(201, reviewToken(review, tokens));
}
