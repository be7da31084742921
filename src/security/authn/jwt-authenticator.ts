/**
 * OIDC / JWT bearer tokens checked against Istio's JWTRule (JWT_RULE): signature from the
 * rule's keys, exact issuer, an accepted audience, expiry and not-before; the identity is the
 * `sub` claim and must be exactly system:serviceaccount:<ns>:<sa>.
 */
import { errors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { fail, ok } from '../../lib/result.js';
import { bearerToken } from './bearer.js';
import { parseServiceAccountUsername } from './identity.js';
import { localJwks, remoteJwks, type RemoteJwksOptions } from './jwks-source.js';
import type { JwtRule } from './jwt-rule.js';
import type { Authenticator } from './types.js';

/** Asymmetric algorithms only: a shared-secret (HS*) key set would let anyone holding it mint identities. */
const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];

export interface JwtAuthenticatorOptions {
  readonly rule: JwtRule;
  /** Fetch limits and cache settings for a jwksUri. */
  readonly jwksFetch?: Omit<RemoteJwksOptions, 'uri'>;
  /** The verification clock (tests with fixed tokens); the wall clock otherwise. */
  readonly currentDate?: () => Date;
  readonly clockToleranceSeconds?: number;
}

function keySource(options: JwtAuthenticatorOptions): JWTVerifyGetKey {
  const { rule } = options;
  if (rule.jwks) return localJwks(rule.jwks);
  if (rule.jwksUri) return remoteJwks({ ...options.jwksFetch, uri: rule.jwksUri });
  throw new Error('JWT rule has neither jwks nor jwksUri');
}

function describe(error: unknown): string {
  if (error instanceof errors.JOSEError) return `${error.code}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}

export function createJwtAuthenticator(options: JwtAuthenticatorOptions): Authenticator {
  const getKey = keySource(options);
  const { issuer, audiences } = options.rule;
  return {
    method: 'jwt',
    async authenticate(credentials) {
      const token = bearerToken(credentials.authorization);
      if (!token) return undefined;
      if (!token.ok) return token;
      try {
        const { payload } = await jwtVerify(token.value, getKey, {
          issuer,
          audience: [...audiences],
          algorithms: ALGORITHMS,
          requiredClaims: ['exp', 'sub'],
          clockTolerance: options.clockToleranceSeconds ?? 0,
          currentDate: options.currentDate?.(),
        });
        const identity = parseServiceAccountUsername(payload.sub, 'JWT sub');
        return identity.ok ? ok({ identity: identity.value, method: 'jwt' as const }) : identity;
      } catch (error) {
        return fail(`JWT rejected: ${describe(error)}`);
      }
    },
  };
}
