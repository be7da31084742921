/**
 * Kubernetes service-account tokens, checked by the API server with a TokenReview for the
 * `istio-ca` audience. Accepted only when the review says authenticated, the user is in group
 * system:serviceaccounts with username system:serviceaccount:<ns>:<sa>, and any audiences the
 * review returns include istio-ca.
 */
import { fail, ok } from '../../lib/result.js';
import { bearerToken } from './bearer.js';
import { parseServiceAccountUsername } from './identity.js';
import type { KubeClient } from './kube-client.js';
import type { Authenticator, AuthnResult } from './types.js';

export const TOKEN_REVIEW_PATH = '/apis/authentication.k8s.io/v1/tokenreviews';
export const CA_AUDIENCE = 'istio-ca';
const SERVICE_ACCOUNTS_GROUP = 'system:serviceaccounts';

interface ReviewStatus {
  readonly authenticated?: unknown;
  readonly error?: unknown;
  readonly audiences?: unknown;
  readonly user?: { readonly username?: unknown; readonly groups?: unknown };
}

function statusOf(body: unknown): ReviewStatus | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const status = (body as { status?: unknown }).status;
  return typeof status === 'object' && status !== null ? (status as ReviewStatus) : undefined;
}

/** The review's verdict on one token, as an identity or the reason it is refused. */
export function judgeTokenReview(httpStatus: number, body: unknown, audience: string): AuthnResult {
  if (httpStatus !== 200 && httpStatus !== 201) {
    const message = typeof (body as { message?: unknown } | undefined)?.message === 'string' ? `: ${(body as { message: string }).message.slice(0, 256)}` : '';
    return fail(`TokenReview request failed with HTTP ${httpStatus}${message}`);
  }
  const status = statusOf(body);
  if (!status) return fail('TokenReview response has no status');
  if (status.authenticated !== true) {
    return fail(`TokenReview: token not authenticated${typeof status.error === 'string' && status.error ? ` (${status.error.slice(0, 256)})` : ''}`);
  }
  const audiences = status.audiences;
  if (Array.isArray(audiences) && audiences.length > 0 && !audiences.includes(audience)) {
    return fail(`TokenReview: token audiences ${JSON.stringify(audiences.slice(0, 8))} do not include ${audience}`);
  }
  const groups = status.user?.groups;
  if (!Array.isArray(groups) || !groups.includes(SERVICE_ACCOUNTS_GROUP)) return fail(`TokenReview: user is not in group ${SERVICE_ACCOUNTS_GROUP}`);
  const identity = parseServiceAccountUsername(status.user?.username, 'TokenReview user.username');
  return identity.ok ? ok({ identity: identity.value, method: 'kubernetes-token' }) : identity;
}

export interface TokenReviewAuthenticatorOptions {
  readonly kube: KubeClient;
  /** The audience the token must carry; Istio's CA uses istio-ca. */
  readonly audience?: string;
}

export function createTokenReviewAuthenticator(options: TokenReviewAuthenticatorOptions): Authenticator {
  const audience = options.audience ?? CA_AUDIENCE;
  return {
    method: 'kubernetes-token',
    async authenticate(credentials) {
      const token = bearerToken(credentials.authorization);
      if (!token) return undefined;
      if (!token.ok) return token;
      const review = { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token: token.value, audiences: [audience] } };
      try {
        const response = await options.kube.request('POST', TOKEN_REVIEW_PATH, review);
        return judgeTokenReview(response.status, response.body, audience);
      } catch (error) {
        return fail(`TokenReview request failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    },
  };
}
