/**
 * SubjectAccessReview create (authorization.k8s.io/v1) as kube-apiserver answers it: 201 with
 * the object echoed and `status.allowed`. Authorization comes from a table of RBAC grants (what
 * Roles bound to a user would allow); a user with no matching grant is not allowed (RBAC's
 * default deny, with an empty reason as the real server gives). Validation as the API server's:
 * exactly one of resourceAttributes / nonResourceAttributes, and a user or a group.
 */
import { badRequest, failure, methodNotAllowed, reply, type Reply } from './types.js';

export const SUBJECT_ACCESS_REVIEW_PATH = '/apis/authorization.k8s.io/v1/subjectaccessreviews';

/** What a RoleBinding (namespace set) or ClusterRoleBinding (no namespace) grants a user. */
export interface AccessGrant {
  readonly user: string;
  /** `*` for every verb. */
  readonly verb: string;
  /** A plural, `*` for every resource. */
  readonly resource: string;
  /** Only in this namespace; absent = cluster-wide. */
  readonly namespace?: string;
}

type Attributes = { verb?: unknown; resource?: unknown; namespace?: unknown; group?: unknown };
type Review = { apiVersion?: unknown; kind?: unknown; spec?: { user?: unknown; groups?: unknown; resourceAttributes?: Attributes; nonResourceAttributes?: unknown } };

const invalid = (field: string, message: string): Reply =>
  failure(422, 'Invalid', `SubjectAccessReview.authorization.k8s.io "" is invalid: ${field}: ${message}`, { group: 'authorization.k8s.io', kind: 'SubjectAccessReview', causes: [{ reason: 'FieldValueInvalid', field, message }] });

function matches(grant: AccessGrant, user: string, attrs: Attributes): boolean {
  return grant.user === user
    && (grant.verb === '*' || grant.verb === attrs.verb)
    && (grant.resource === '*' || grant.resource === attrs.resource)
    && (grant.namespace === undefined || grant.namespace === attrs.namespace);
}

export function handleSubjectAccessReview(method: string, body: unknown, grants: readonly AccessGrant[]): Reply {
  if (method !== 'POST') return methodNotAllowed();
  const review = body as Review | undefined;
  if (!review || typeof review !== 'object') return badRequest('the object provided is unrecognized');
  if (review.kind !== 'SubjectAccessReview' || review.apiVersion !== 'authorization.k8s.io/v1') return badRequest(`the API version in the data (${String(review.apiVersion)}) does not match the expected API version (authorization.k8s.io/v1)`);
  const spec = review.spec ?? {};
  const hasResource = typeof spec.resourceAttributes === 'object' && spec.resourceAttributes !== null;
  if (hasResource === (spec.nonResourceAttributes !== undefined)) return invalid('spec.resourceAttributes', 'exactly one of nonResourceAttributes or resourceAttributes must be specified');
  const user = typeof spec.user === 'string' ? spec.user : '';
  if (user === '' && !(Array.isArray(spec.groups) && spec.groups.length > 0)) return invalid('spec.user', 'at least one of user or group must be specified');
  const attrs = spec.resourceAttributes ?? {};
  const grant = hasResource ? grants.find((g) => matches(g, user, attrs)) : undefined;
  const status = grant
    ? { allowed: true, reason: `RBAC: allowed by RoleBinding granting ${grant.verb} ${grant.resource}${grant.namespace ? ` in ${grant.namespace}` : ''} to ${user}` }
    : { allowed: false };
  return reply(201, { apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', metadata: { creationTimestamp: null }, spec, status });
}
