/**
 * Where JWT verification keys come from: an inline key set, or a jwksUri fetched with a
 * timeout and a size limit and cached (refetched after maxAge, or early — at most once per
 * cooldown — when a token names a key the cached set lacks, which is how issuers rotate keys).
 */
import { fetchSmallJsonDocument } from './jwks-fetch.js';
import { createLocalJWKSet, errors, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';

export interface RemoteJwksOptions {
  readonly uri: string;
  readonly timeoutMs?: number;
  readonly maxBytes?: number;
  readonly maxAgeMs?: number;
  readonly cooldownMs?: number;
  /** Extra PEM roots for an https jwksUri (the system roots are used otherwise). */
  readonly caPem?: string;
  readonly now?: () => number;
}

export const DEFAULT_JWKS_TIMEOUT_MS = 5_000;
export const DEFAULT_JWKS_MAX_BYTES = 1024 * 1024;
export const DEFAULT_JWKS_MAX_AGE_MS = 20 * 60_000;
export const DEFAULT_JWKS_COOLDOWN_MS = 30_000;

/** GETs a small JSON document; rejects on timeout, non-200, oversize or bad JSON. */
export async function fetchSmallJson(uri: string, options: { timeoutMs: number; maxBytes: number; caPem?: string }): Promise<unknown> {
  return (await fetchSmallJsonDocument(uri, options)).value;
}

export function localJwks(jwks: { readonly keys: readonly object[] }): JWTVerifyGetKey {
  return createLocalJWKSet(jwks as JSONWebKeySet);
}

export function remoteJwks(options: RemoteJwksOptions): JWTVerifyGetKey {
  const now = options.now ?? Date.now;
  const maxAge = options.maxAgeMs ?? DEFAULT_JWKS_MAX_AGE_MS;
  const cooldown = options.cooldownMs ?? DEFAULT_JWKS_COOLDOWN_MS;
  const fetchOptions = { timeoutMs: options.timeoutMs ?? DEFAULT_JWKS_TIMEOUT_MS, maxBytes: options.maxBytes ?? DEFAULT_JWKS_MAX_BYTES, caPem: options.caPem };
  let cached: { getKey: JWTVerifyGetKey; fetchedAt: number } | undefined;
  let inflight: Promise<void> | undefined;

  const refresh = (): Promise<void> => {
    inflight ??= fetchSmallJson(options.uri, fetchOptions)
      .then((body) => {
        cached = { getKey: createLocalJWKSet(body as JSONWebKeySet), fetchedAt: now() };
      })
      .catch((error: unknown) => {
        // A stale key set beats none while the issuer is unreachable; retry after the cooldown.
        if (cached) cached = { ...cached, fetchedAt: now() - maxAge + cooldown };
        else throw error;
      })
      .finally(() => {
        inflight = undefined;
      });
    return inflight;
  };

  return async (header, token) => {
    if (!cached || now() - cached.fetchedAt >= maxAge) await refresh();
    try {
      return await cached!.getKey(header, token);
    } catch (error) {
      if (!(error instanceof errors.JWKSNoMatchingKey) || now() - cached!.fetchedAt < cooldown) throw error;
      await refresh();
      return cached!.getKey(header, token);
    }
  };
}
