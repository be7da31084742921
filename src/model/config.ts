import type { KindName } from './kinds.js';

/** Kubernetes object metadata, as much of it as the control plane reads. */
export interface ObjectMeta {
  readonly name: string;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly resourceVersion?: string;
  readonly generation?: number;
  readonly creationTimestamp?: string;
  readonly uid?: string;
  /** Set while Kubernetes is deleting the object (e.g. a terminating Pod). */
  readonly deletionTimestamp?: string;
}

/** One validated config object (Istio CRD or Kubernetes core kind), frozen once in the store. */
export interface ConfigObject<Spec = Record<string, unknown>> {
  readonly kind: KindName;
  readonly apiVersion: string;
  readonly metadata: ObjectMeta;
  /** `spec` for Istio kinds; for core kinds the whole object minus apiVersion/kind/metadata. */
  readonly spec: Spec;
  /** Where the object came from: `file:<path>#<doc>` or `kube:<cluster>`. */
  readonly source?: string;
  /**
   * The remote cluster that holds the object (multi-cluster: registry kinds only). Absent for
   * the primary (config) cluster and files, so their keys stay `kind/namespace/name`.
   */
  readonly cluster?: string;
}

/** kind/namespace/name: how errors, debug output and status name an object. */
export interface ObjectRef {
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  /** See ConfigObject.cluster: absent = the primary cluster. */
  readonly cluster?: string;
}

/**
 * `kind/namespace/name` (`kind/name` when cluster-scoped); a remote cluster's object gets
 * `@<cluster>` appended, so it never collides with the primary's and the kind stays first.
 */
export function objectKey(ref: ObjectRef): string {
  const base = ref.namespace ? `${ref.kind}/${ref.namespace}/${ref.name}` : `${ref.kind}/${ref.name}`;
  return ref.cluster === undefined ? base : `${base}@${ref.cluster}`;
}

export function refOf(obj: ConfigObject): ObjectRef {
  const ref = { kind: obj.kind, namespace: obj.metadata.namespace, name: obj.metadata.name };
  return obj.cluster === undefined ? ref : { ...ref, cluster: obj.cluster };
}
