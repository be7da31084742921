/**
 * The JWKS documents istiod fetched for RequestAuthentication `jwksUri` rules. translate/ is
 * pure, so fetching happens outside (bootstrap's JWKS resolver) and the generators read the
 * results through this lookup; `version` moves whenever any entry changes, and is part of the
 * scope key of every resource that inlines a key set, so cached answers never go stale.
 */
export type JwksEntry =
  | { readonly ok: true; /** The JWKS JSON text, inlined as local_jwks.inline_string. */ readonly jwks: string }
  | { readonly ok: false; /** Why it could not be used (timeout, oversize, blocked address, bad JSON...). */ readonly reason: string };

export interface JwksLookup {
  /** undefined: not fetched yet (treated like a failure until it arrives). */
  get(uri: string): JwksEntry | undefined;
  readonly version: string;
}

/** A lookup with nothing in it (no resolver wired, e.g. golden tests without jwksUri). */
export const EMPTY_JWKS: JwksLookup = Object.freeze({ get: () => undefined, version: '0' });
