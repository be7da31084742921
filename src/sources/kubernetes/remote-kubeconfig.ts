/**
 * A remote cluster's kubeconfig, from a multi-cluster Secret, → a list/watch transport. Like
 * istiod, a kubeconfig from a Secret may not make istiod read local files or run programs: the
 * user entries' exec, auth providers other than oidc, client-key / client-certificate files and
 * tokenFile are refused (their *-data forms and tokens are fine).
 */
import { KubeConfig } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { fail, ok, type Result } from '../../lib/result.js';
import { createKubeTransport } from './kube-transport.js';
import type { ListWatchTransport } from './transport.js';

const FORBIDDEN_USER_FIELDS = ['exec', 'client-key', 'client-certificate', 'tokenFile', 'token-file'];

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Why this kubeconfig text may not be used, or undefined when it may. */
export function kubeconfigProblem(text: string): string | undefined {
  if (text.trim() === '') return 'the kubeconfig is empty';
  let doc: unknown;
  try {
    doc = parse(text, { maxAliasCount: 100 });
  } catch (err) {
    return `the kubeconfig is not valid YAML: ${(err as Error).message}`;
  }
  if (!isRecord(doc)) return 'the kubeconfig is not a YAML mapping';
  const users = Array.isArray(doc.users) ? doc.users : [];
  for (const [i, entry] of users.entries()) {
    const user = isRecord(entry) && isRecord(entry.user) ? entry.user : {};
    const field = FORBIDDEN_USER_FIELDS.find((f) => user[f] !== undefined && user[f] !== null && user[f] !== '');
    if (field) return `users[${i}].user.${field} is not allowed in a remote cluster secret`;
    const provider = isRecord(user['auth-provider']) ? user['auth-provider'].name : undefined;
    if (provider !== undefined && provider !== 'oidc') return `users[${i}].user.auth-provider ${JSON.stringify(provider)} is not allowed (only oidc)`;
  }
  return undefined;
}

export function connectRemote(text: string): Result<ListWatchTransport, string> {
  const problem = kubeconfigProblem(text);
  if (problem) return fail(problem);
  try {
    const kc = new KubeConfig();
    kc.loadFromString(text);
    if (!kc.getCurrentCluster()) return fail(`the kubeconfig names no current cluster (current-context "${kc.getCurrentContext()}")`);
    return ok(createKubeTransport(kc));
  } catch (err) {
    return fail(`the kubeconfig cannot be loaded: ${(err as Error).message}`);
  }
}
