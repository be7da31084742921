/**
 * The two spellings of a workload identity: the Kubernetes username
 * `system:serviceaccount:<ns>:<sa>` and the SPIFFE ID `spiffe://<trustDomain>/ns/<ns>/sa/<sa>`.
 * Both parsers are strict: anything that is not exactly that shape is refused.
 */
import { isDns1123Label, isDns1123Subdomain } from '../../lib/k8s-names.js';
import { fail, ok, type Result } from '../../lib/result.js';
import type { WorkloadIdentity } from '../ca/types.js';

const SA_PREFIX = 'system:serviceaccount:';

function checkedIdentity(namespace: string, serviceAccount: string, source: string): Result<WorkloadIdentity, string> {
  if (!isDns1123Label(namespace)) return fail(`${source}: namespace ${JSON.stringify(namespace)} is not a DNS-1123 label`);
  if (!isDns1123Subdomain(serviceAccount)) return fail(`${source}: service account ${JSON.stringify(serviceAccount)} is not a DNS-1123 subdomain`);
  return ok({ namespace, serviceAccount });
}

/** `system:serviceaccount:<ns>:<sa>` → identity; four colon-separated parts, nothing else. */
export function parseServiceAccountUsername(username: unknown, source = 'username'): Result<WorkloadIdentity, string> {
  if (typeof username !== 'string') return fail(`${source} is missing or not a string`);
  const parts = username.split(':');
  if (parts.length !== 4 || !username.startsWith(SA_PREFIX)) {
    return fail(`${source} ${JSON.stringify(username.slice(0, 256))} is not system:serviceaccount:<namespace>:<name>`);
  }
  return checkedIdentity(parts[2]!, parts[3]!, source);
}

export function spiffeId(trustDomain: string, identity: WorkloadIdentity): string {
  return `spiffe://${trustDomain}/ns/${identity.namespace}/sa/${identity.serviceAccount}`;
}

/** `spiffe://<trustDomain>/ns/<ns>/sa/<sa>` in exactly this trust domain → identity. */
export function parseSpiffeId(uri: string, trustDomain: string): Result<WorkloadIdentity, string> {
  const prefix = `spiffe://${trustDomain}/`;
  if (!uri.startsWith(prefix)) return fail(`URI SAN ${JSON.stringify(uri.slice(0, 256))} is not in trust domain ${trustDomain}`);
  const parts = uri.slice(prefix.length).split('/');
  if (parts.length !== 4 || parts[0] !== 'ns' || parts[2] !== 'sa') {
    return fail(`URI SAN ${JSON.stringify(uri.slice(0, 256))} is not spiffe://${trustDomain}/ns/<namespace>/sa/<name>`);
  }
  return checkedIdentity(parts[1]!, parts[3]!, 'URI SAN');
}
