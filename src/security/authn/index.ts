/** Caller authentication for the CA and secure xDS: see types.ts. */
export type { AuthMethod, AuthenticatedCaller, Authenticator, AuthnResult, CallerCredentials } from './types.js';
export { createCallerAuthenticator, type CallerAuthenticator } from './caller-authenticator.js';
export { createClientCertAuthenticator, judgeClientCertificate, type ClientCertAuthenticatorOptions } from './client-cert.js';
export { createTokenReviewAuthenticator, judgeTokenReview, CA_AUDIENCE, TOKEN_REVIEW_PATH, type TokenReviewAuthenticatorOptions } from './token-review.js';
export { createJwtAuthenticator, type JwtAuthenticatorOptions } from './jwt-authenticator.js';
export { parseJwtRule, type JwtRule } from './jwt-rule.js';
export { createKubeClient, type KubeClient, type KubeClientConfig, type KubeResponse } from './kube-client.js';
export { bearerToken } from './bearer.js';
export { parseServiceAccountUsername, parseSpiffeId, spiffeId } from './identity.js';
