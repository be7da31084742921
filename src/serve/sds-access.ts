/**
 * Which SDS secrets one secure stream may receive, by Istio's rules for credentials served by
 * istiod: only to an authenticated stream (the plaintext port refuses SDS altogether); a
 * `kubernetes://` secret only from the identity's own namespace, and then only when that
 * identity may read secrets there (a SubjectAccessReview `list secrets`, decided when the
 * stream was authorized) — except a CA-only `-cacert` secret, which is public; a
 * `kubernetes-gateway://` secret is left to the generator, which serves it only when a Gateway
 * of this proxy references it. A `configmap://<ns>/<name>` CA bundle goes to any verified
 * identity, from any namespace, as in Istio: only the CA is exposed, and a client reads the
 * CA of a server in another namespace by design. `invalid://` is never served. Refused names are left out of the response (logged), never an
 * error: one bad reference must not break the proxy's other secrets.
 */
import type { Logger } from '../lib/logger.js';
import { CONFIGMAP_SCHEME, INVALID_SCHEME } from '../translate/gateway/sds-configmap.js';
import { parseCredentialResource } from '../translate/gateway/sds-credentials.js';
import type { Subscription } from './subscriptions.js';

/** The verified identity of a secure stream and its right to read secrets (bootstrap decides). */
export interface SecretAccess {
  readonly namespace: string;
  readonly serviceAccount: string;
  /** May this identity list secrets in its namespace (SubjectAccessReview, or no RBAC to ask)? */
  readonly canReadSecrets: boolean;
  /** Why not, for the log. */
  readonly reason?: string;
}

export interface SecretDenial {
  readonly name: string;
  readonly reason: string;
}

/** Splits requested names into those the stream may have and those it may not (with reasons). */
export function authorizeSecretNames(names: Iterable<string>, access: SecretAccess | undefined): { allowed: string[]; denied: SecretDenial[] } {
  const allowed: string[] = [];
  const denied: SecretDenial[] = [];
  for (const name of names) {
    const reason = denialReason(name, access);
    if (reason) denied.push({ name, reason });
    else allowed.push(name);
  }
  return { allowed, denied };
}

function denialReason(name: string, access: SecretAccess | undefined): string | undefined {
  if (!access) return 'the stream has no verified identity (connect to the secure port with a client certificate or token)';
  if (name.startsWith(CONFIGMAP_SCHEME)) return undefined;
  if (name.startsWith(INVALID_SCHEME)) return 'invalid:// stands for a BackendTLSPolicy without a usable CA certificate: never served (fail closed)';
  const r = parseCredentialResource(name, access.namespace);
  if (typeof r === 'string') return r;
  if (r.type === 'kubernetes-gateway') return undefined;
  if (r.namespace !== access.namespace) return `secret namespace ${r.namespace} is not the identity's namespace ${access.namespace} (cross-namespace kubernetes:// secrets are never served)`;
  if (r.ca || access.canReadSecrets) return undefined;
  return access.reason ?? `${access.namespace}/${access.serviceAccount} may not list secrets in namespace ${access.namespace}`;
}

const lastLogged = new WeakMap<object, string>();

/**
 * `sub` without the names the stream may not have; each new set of refusals is logged once per
 * stream (`owner` identifies it), naming the proxy, the secrets (at most 3) and the reason.
 */
export function authorizedSecretSubscription(owner: object, log: Logger, sub: Subscription, access: SecretAccess | undefined): Subscription {
  const { allowed, denied } = authorizeSecretNames(sub.names, access);
  if (denied.length === 0) return sub;
  const key = denied.map((d) => d.name).sort().join(',');
  if (lastLogged.get(owner) !== key) {
    lastLogged.set(owner, key);
    log.warn({ secrets: denied.slice(0, 3).map((d) => d.name), more: Math.max(0, denied.length - 3), reason: denied[0]!.reason }, 'proxy asked for secrets it may not read; left out of the SDS response');
  }
  return { wildcard: false, legacyWildcard: false, names: new Set(allowed) };
}
