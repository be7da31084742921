/**
 * Caller authentication for the CA (and, later, secure ADS): turns what a gRPC call carried into
 * a WorkloadIdentity or a reason. The reason is for the log only; callers see an opaque
 * Unauthenticated status. Nothing here knows gRPC: serve/ extracts the credentials.
 */
import type { Result } from '../../lib/result.js';
import type { WorkloadIdentity } from '../ca/types.js';

/** What one call presented, already taken out of the transport. */
export interface CallerCredentials {
  /** Every `authorization` header value, as sent. */
  readonly authorization: readonly string[];
  /**
   * The TLS peer's leaf certificate (DER), present only when the TLS handshake verified the
   * client's chain against the CA's roots (grpc-js reports a peer certificate only then).
   */
  readonly peerCertificateDer?: Buffer;
}

export type AuthMethod = 'client-certificate' | 'kubernetes-token' | 'jwt';

export interface AuthenticatedCaller {
  readonly identity: WorkloadIdentity;
  readonly method: AuthMethod;
}

/** A failure reason: for the log line, never for the caller. Never contains a token. */
export type AuthnResult = Result<AuthenticatedCaller, string>;

/** One way of proving who you are; `undefined` when the call does not carry this kind of credential. */
export interface Authenticator {
  readonly method: AuthMethod;
  authenticate(credentials: CallerCredentials): Promise<AuthnResult | undefined>;
}
