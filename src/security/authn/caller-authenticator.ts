/**
 * Tries each configured authenticator in order (client certificate first, as Istio does, then
 * the bearer-token kind); the first that accepts wins. A call carrying no credential any of
 * them understands is refused. Headers such as x-forwarded-client-cert are never consulted.
 */
import { fail, type Result } from '../../lib/result.js';
import type { AuthenticatedCaller, Authenticator, CallerCredentials } from './types.js';

export interface CallerAuthenticator {
  /** On failure, one reason per authenticator that looked at the call (for the log only). */
  authenticate(credentials: CallerCredentials): Promise<Result<AuthenticatedCaller, string>>;
}

export function createCallerAuthenticator(authenticators: readonly Authenticator[]): CallerAuthenticator {
  return {
    async authenticate(credentials) {
      const reasons: string[] = [];
      for (const authenticator of authenticators) {
        const result = await authenticator.authenticate(credentials);
        if (!result) continue;
        if (result.ok) return result;
        reasons.push(`${authenticator.method}: ${result.errors.join('; ')}`);
      }
      if (reasons.length === 0) return fail(`no credentials presented (accepted: ${authenticators.map((a) => a.method).join(', ') || 'none configured'})`);
      return fail(...reasons);
    },
  };
}
