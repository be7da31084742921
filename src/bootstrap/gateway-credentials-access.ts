/**
 * May a gateway's identity read secrets? Istio asks the API server with a SubjectAccessReview:
 * can `system:serviceaccount:<ns>:<sa>` `list` `secrets` in `<ns>`; the answer is cached per
 * user, an allow for 5 minutes and a refusal (or a failed review) for 1 minute, as Istio's
 * credentials controller does. Without Kubernetes (file mode) there is no RBAC to consult and
 * a same-namespace read is allowed.
 *
 * Istio asks again on every push once the cached answer expired. Here a stream holds a getter:
 * each SDS answer reads the cached verdict, and an expired one starts a new review (the old
 * verdict stands until it returns). When a verdict flips, `onChange` names the identity's
 * namespace, so a gateway granted (or refused) RBAC later gets its SDS updated without
 * reconnecting.
 */
import { kubeJson, type KubeClient } from '../security/authn/kube-client.js';
import type { WorkloadIdentity } from '../security/ca/index.js';
import type { SecretAccess } from '../serve/sds-access.js';

export const SUBJECT_ACCESS_REVIEW_PATH = '/apis/authorization.k8s.io/v1/subjectaccessreviews';
const ALLOWED_TTL_MS = 5 * 60_000;
const DENIED_TTL_MS = 60_000;

/** Resolves, once the first review answered, to the stream's access getter. */
export type SecretAccessCheck = ((identity: WorkloadIdentity) => Promise<() => SecretAccess>) & {
  /**
   * The getter at once, without waiting: the first read starts the review (refused until it
   * answers; a grant then arrives through onChange). For sidecars, which rarely ask istiod for
   * secrets, so a connect never waits for, or causes, a review it does not need.
   */
  lazy(identity: WorkloadIdentity): () => SecretAccess;
  /** Called with the identity's namespace when a re-review changed its verdict. */
  onChange(listener: (namespace: string) => void): () => void;
};

interface Review {
  readonly status?: { readonly allowed?: unknown; readonly reason?: unknown; readonly evaluationError?: unknown };
}

async function review(kube: KubeClient, identity: WorkloadIdentity): Promise<{ allowed: boolean; reason?: string }> {
  const user = `system:serviceaccount:${identity.namespace}:${identity.serviceAccount}`;
  const body = { apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec: { user, resourceAttributes: { namespace: identity.namespace, verb: 'list', resource: 'secrets' } } };
  try {
    const answer = await kubeJson<Review>(kube, 'POST', SUBJECT_ACCESS_REVIEW_PATH, body);
    if (answer.status?.allowed === true) return { allowed: true };
    const why = typeof answer.status?.reason === 'string' && answer.status.reason ? `: ${answer.status.reason.slice(0, 200)}` : '';
    return { allowed: false, reason: `${identity.namespace}/${identity.serviceAccount} is not authorized to list secrets in namespace ${identity.namespace} (SubjectAccessReview)${why}` };
  } catch (error) {
    return { allowed: false, reason: `SubjectAccessReview for ${identity.namespace}/${identity.serviceAccount} failed: ${(error as Error).message}` };
  }
}

interface CacheEntry {
  expires: number;
  verdict: SecretAccess;
  pending?: Promise<SecretAccess>;
}

export function createSecretAccessCheck(kube: KubeClient | undefined, now: () => number = Date.now): SecretAccessCheck {
  const cache = new Map<string, CacheEntry>();
  const listeners = new Set<(namespace: string) => void>();
  const revalidate = (key: string, identity: WorkloadIdentity, entry: CacheEntry): Promise<SecretAccess> => {
    entry.pending ??= review(kube!, identity).then((r) => {
      const verdict: SecretAccess = { namespace: identity.namespace, serviceAccount: identity.serviceAccount, canReadSecrets: r.allowed, ...(r.reason ? { reason: r.reason } : {}) };
      const flipped = verdict.canReadSecrets !== entry.verdict.canReadSecrets;
      Object.assign(entry, { verdict, expires: now() + (r.allowed ? ALLOWED_TTL_MS : DENIED_TTL_MS), pending: undefined });
      if (flipped && cache.get(key) === entry) for (const l of listeners) l(identity.namespace);
      return verdict;
    });
    return entry.pending;
  };
  const open = (identity: WorkloadIdentity): (() => SecretAccess) => {
    const verdict: SecretAccess = { ...identity, canReadSecrets: true };
    return () => verdict;
  };
  /** The cache entry of an identity, created refused-and-expired (the first read reviews). */
  const entryFor = (identity: WorkloadIdentity): { key: string; entry: CacheEntry; created: boolean } => {
    const key = `${identity.namespace}/${identity.serviceAccount}`;
    const found = cache.get(key);
    if (found) return { key, entry: found, created: false };
    const entry: CacheEntry = { expires: 0, verdict: { ...identity, canReadSecrets: false } };
    cache.set(key, entry);
    return { key, entry, created: true };
  };
  const getter = (key: string, identity: WorkloadIdentity, held: CacheEntry) => (): SecretAccess => {
    if (held.expires <= now() && !held.pending) void revalidate(key, identity, held);
    return held.verdict;
  };
  const check = async (identity: WorkloadIdentity): Promise<() => SecretAccess> => {
    if (!kube) return open(identity);
    const { key, entry, created } = entryFor(identity);
    // A new identity, or one a lazy stream registered but never read: review before answering.
    if (created || (entry.expires === 0 && !entry.pending)) await revalidate(key, identity, entry);
    else if (entry.pending) await entry.pending;
    return getter(key, identity, entry);
  };
  const lazy = (identity: WorkloadIdentity): (() => SecretAccess) => {
    if (!kube) return open(identity);
    const { key, entry } = entryFor(identity);
    return getter(key, identity, entry);
  };
  return Object.assign(check, {
    lazy,
    onChange(listener: (namespace: string) => void) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
  });
}
