/**
 * The objects Istio's gateway deployment controller watches besides Gateways: the
 * ServiceAccounts, Deployments and Services it deployed, selected across namespaces by the
 * `gateway.istio.io/managed` label (Istio filters its Deployment informer the same way). Pure:
 * the collection paths, a trim that keeps only what the controller compares (identity, labels,
 * annotations, owner references, spec) and the owning Gateway of a child.
 */
import { GATEWAY_NAME_LABEL, MANAGED_LABEL, MANAGED_VALUE } from './deployment-parts.js';

/** `gateway.istio.io/managed=istio.io-gateway-controller`, as a list/watch labelSelector. */
export const MANAGED_SELECTOR = `${MANAGED_LABEL}=${MANAGED_VALUE}`;
const SELECTOR_QUERY = encodeURIComponent(MANAGED_SELECTOR);

export interface ChildWatch {
  readonly kind: 'ServiceAccount' | 'Deployment' | 'Service';
  /** The resource's plural, as in DesiredObject.plural. */
  readonly plural: string;
  /** All namespaces, managed objects only. */
  readonly path: string;
}

export const CHILD_WATCHES: readonly ChildWatch[] = [
  { kind: 'ServiceAccount', plural: 'serviceaccounts', path: `/api/v1/serviceaccounts?labelSelector=${SELECTOR_QUERY}` },
  { kind: 'Deployment', plural: 'deployments', path: `/apis/apps/v1/deployments?labelSelector=${SELECTOR_QUERY}` },
  { kind: 'Service', plural: 'services', path: `/api/v1/services?labelSelector=${SELECTOR_QUERY}` },
];

/** A child as the API server sends it; nothing in it is trusted. */
export interface RawChild {
  readonly metadata?: { readonly [field: string]: unknown };
  readonly [field: string]: unknown;
}

const KEPT_METADATA = ['name', 'namespace', 'uid', 'resourceVersion', 'labels', 'annotations', 'ownerReferences'] as const;

/** Only what the controller compares or needs to find the object: status and managedFields go. */
export function trimChild(obj: RawChild): RawChild {
  const meta = typeof obj.metadata === 'object' && obj.metadata !== null ? obj.metadata : {};
  const metadata = Object.fromEntries(KEPT_METADATA.filter((k) => meta[k] !== undefined).map((k) => [k, meta[k]]));
  return { ...(obj.spec !== undefined ? { spec: obj.spec } : {}), metadata };
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** True when the child carries Istio's managed label with Istio's value. */
export function isManagedChild(obj: RawChild): boolean {
  const labels = obj.metadata?.labels;
  return typeof labels === 'object' && labels !== null && (labels as Record<string, unknown>)[MANAGED_LABEL] === MANAGED_VALUE;
}

/**
 * `namespace/name` of the Gateway that owns the child: its Gateway owner reference (what Istio's
 * parent handler follows), else the gateway-name label; undefined when neither names one.
 */
export function owningGateway(obj: RawChild): string | undefined {
  const namespace = str(obj.metadata?.namespace);
  if (!namespace) return undefined;
  const refs = Array.isArray(obj.metadata?.ownerReferences) ? (obj.metadata.ownerReferences as unknown[]) : [];
  for (const ref of refs) {
    const r = typeof ref === 'object' && ref !== null ? (ref as Record<string, unknown>) : {};
    const name = str(r.name);
    if (r.kind === 'Gateway' && typeof r.apiVersion === 'string' && r.apiVersion.startsWith('gateway.networking.k8s.io/') && name) return `${namespace}/${name}`;
  }
  const labels = obj.metadata?.labels;
  const byLabel = typeof labels === 'object' && labels !== null ? str((labels as Record<string, unknown>)[GATEWAY_NAME_LABEL]) : undefined;
  return byLabel ? `${namespace}/${byLabel}` : undefined;
}

/** The controller's key for a child (`<plural>/<namespace>/<name>`), undefined without a name. */
export function childKey(plural: string, obj: RawChild): string | undefined {
  const [namespace, name] = [str(obj.metadata?.namespace), str(obj.metadata?.name)];
  return namespace && name ? `${plural}/${namespace}/${name}` : undefined;
}
