/**
 * May a gateway's identity read secrets? Istio asks the API server with a SubjectAccessReview:
 * can `system:serviceaccount:<ns>:<sa>` `list` `secrets` in `<ns>`; the answer is cached per
 * user, an allow for 5 minutes and a refusal (or a failed review) for 1 minute, as Istio's
 * credentials controller does. Without Kubernetes (file mode) there is no RBAC to consult and
 * a same-namespace read is allowed.
 */
import { kubeJson, type KubeClient } from '../security/authn/kube-client.js';
import type { WorkloadIdentity } from '../security/ca/index.js';
import type { SecretAccess } from '../serve/sds-access.js';

export const SUBJECT_ACCESS_REVIEW_PATH = '/apis/authorization.k8s.io/v1/subjectaccessreviews';
const ALLOWED_TTL_MS = 5 * 60_000;
const DENIED_TTL_MS = 60_000;

export type SecretAccessCheck = (identity: WorkloadIdentity) => Promise<SecretAccess>;

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

export function createSecretAccessCheck(kube: KubeClient | undefined, now: () => number = Date.now): SecretAccessCheck {
  const cache = new Map<string, { expires: number; access: Promise<SecretAccess> }>();
  return (identity) => {
    if (!kube) return Promise.resolve({ ...identity, canReadSecrets: true });
    const key = `${identity.namespace}/${identity.serviceAccount}`;
    const t = now();
    for (const [k, v] of cache) if (v.expires <= t) cache.delete(k);
    const hit = cache.get(key);
    if (hit) return hit.access;
    const entry = { expires: t + DENIED_TTL_MS, access: Promise.resolve<SecretAccess>({ ...identity, canReadSecrets: false }) };
    entry.access = review(kube, identity).then((r) => {
      if (r.allowed) entry.expires = now() + ALLOWED_TTL_MS;
      return { namespace: identity.namespace, serviceAccount: identity.serviceAccount, canReadSecrets: r.allowed, ...(r.reason ? { reason: r.reason } : {}) };
    });
    cache.set(key, entry);
    return entry.access;
  };
}
