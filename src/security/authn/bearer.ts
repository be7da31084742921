/** The bearer token of a call: exactly one `authorization: Bearer <token>` header. */
import { fail, ok, type Result } from '../../lib/result.js';

/** Tokens are JWTs of a few KiB; anything far larger is refused before it reaches a verifier. */
export const MAX_TOKEN_BYTES = 64 * 1024;

/** `undefined` when no authorization header was sent (the caller may use a client certificate). */
export function bearerToken(authorization: readonly string[]): Result<string, string> | undefined {
  if (authorization.length === 0) return undefined;
  if (authorization.length > 1) return fail(`expected one authorization header, got ${authorization.length}`);
  const value = authorization[0]!;
  const match = /^Bearer +(\S+)\s*$/i.exec(value);
  if (!match) return fail('authorization header is not "Bearer <token>"');
  const token = match[1]!;
  if (token.length > MAX_TOKEN_BYTES) return fail(`bearer token is ${token.length} bytes, over the ${MAX_TOKEN_BYTES} limit`);
  return ok(token);
}
