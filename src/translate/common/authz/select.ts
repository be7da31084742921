/**
 * The AuthorizationPolicies that apply to a workload, as Istio selects them: those in the root
 * namespace (mesh-wide) and in the workload's namespace, whose selector is empty or matches the
 * workload's labels. A policy with targetRef(s) does not select by labels: it applies only to a
 * Kubernetes Gateway's own pods (kind Gateway of gateway.networking.k8s.io, same namespace,
 * label gateway.networking.k8s.io/gateway-name); its Service targets are for waypoints, which
 * sidecars are not. Split by action (default ALLOW), oldest first within each.
 */
import type { ConfigObject } from '../../../model/config.js';
import { byAge } from '../../../model/registry/build-registry.js';
import type { Snapshot } from '../../../model/snapshot.js';
import type { PolicyTargetReference } from '../../../model/types/common.js';
import type { AuthorizationPolicySpec } from '../../../model/types/security.js';

export interface SelectedPolicies {
  readonly custom: readonly ConfigObject[];
  readonly deny: readonly ConfigObject[];
  readonly allow: readonly ConfigObject[];
  readonly audit: readonly ConfigObject[];
}

export interface Workload {
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
}

export const specOf = (c: ConfigObject) => (c.spec ?? {}) as unknown as AuthorizationPolicySpec;

const GATEWAY_NAME_LABEL = 'gateway.networking.k8s.io/gateway-name';
const GATEWAY_API_GROUP = 'gateway.networking.k8s.io';

function targetsGateway(ref: PolicyTargetReference, policy: ConfigObject, w: Workload): boolean {
  const ns = ref.namespace || policy.metadata.namespace;
  return ref.kind === 'Gateway' && ref.group === GATEWAY_API_GROUP && ns === w.namespace && w.labels[GATEWAY_NAME_LABEL] === ref.name;
}

export function appliesTo(policy: ConfigObject, w: Workload): boolean {
  const spec = specOf(policy);
  const refs = [...(spec.targetRef ? [spec.targetRef] : []), ...(spec.targetRefs ?? [])];
  if (refs.length > 0) return refs.some((r) => targetsGateway(r, policy, w));
  const match = spec.selector?.matchLabels ?? {};
  return Object.entries(match).every(([k, v]) => w.labels[k] === v);
}

export function selectPolicies(snapshot: Snapshot, w: Workload): SelectedPolicies {
  const root = snapshot.options.rootNamespace;
  const namespaces = root === w.namespace ? [root] : [root, w.namespace];
  const all = namespaces.flatMap((ns) => [...snapshot.configs.list('AuthorizationPolicy', ns)]).sort(byAge);
  const out = { custom: [] as ConfigObject[], deny: [] as ConfigObject[], allow: [] as ConfigObject[], audit: [] as ConfigObject[] };
  for (const p of all) {
    if (!appliesTo(p, w)) continue;
    const action = specOf(p).action ?? 'ALLOW';
    const bucket = action === 'CUSTOM' ? out.custom : action === 'DENY' ? out.deny : action === 'AUDIT' ? out.audit : out.allow;
    bucket.push(p);
  }
  return out;
}

export const hasAny = (s: SelectedPolicies) => s.custom.length + s.deny.length + s.allow.length + s.audit.length > 0;
