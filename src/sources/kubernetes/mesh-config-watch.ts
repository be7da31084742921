/**
 * The mesh config from ConfigMap `istio` (key `mesh`) in istiod's namespace, hot-reloaded: an
 * informer restricted to that one object (fieldSelector metadata.name=istio). A valid version
 * is handed to `onMesh`; an invalid one is reported against the ConfigMap and the last good
 * mesh config stays in force; a deleted (or absent) ConfigMap means istiod's defaults.
 */
import { defaultMeshConfig, meshConfigFromConfigMap } from '../../config/mesh-config.js';
import type { MeshConfig } from '../../config/mesh-types.js';
import { ErrorCodes } from '../../lib/errors.js';
import { renderIssue } from '../../lib/issue.js';
import type { Logger } from '../../lib/logger.js';
import type { BackoffPolicy } from './backoff.js';
import { trimForCache } from './convert.js';
import { createInformer, type Informer } from './informer.js';
import type { KubeObjectReport } from './kube-objects.js';
import { resourceVersionOf, type KubeObject } from './object-cache.js';
import type { ListWatchTransport } from './transport.js';

export const MESH_CONFIGMAP_NAME = 'istio';

export interface MeshConfigWatchOptions {
  readonly transport: ListWatchTransport;
  /** istiod's namespace, where the `istio` ConfigMap lives. */
  readonly namespace: string;
  readonly logger: Logger;
  /** `kube:<clusterID>`, for reports. */
  readonly source: string;
  /** Called with each newly effective mesh config (never for one equal to the current). */
  onMesh(mesh: MeshConfig, from: string): void;
  /** The mesh config in force before the ConfigMap is read (no onMesh for an equal one). */
  readonly initial?: MeshConfig;
  readonly backoff?: BackoffPolicy;
}

export interface MeshConfigWatch {
  readonly informer: Informer;
  /** The rejection of the ConfigMap's current version, when it is invalid. */
  report(): KubeObjectReport | undefined;
}

export function meshConfigMapPath(namespace: string): string {
  return `/api/v1/namespaces/${encodeURIComponent(namespace)}/configmaps?fieldSelector=${encodeURIComponent(`metadata.name=${MESH_CONFIGMAP_NAME}`)}`;
}

export function createMeshConfigWatch(opts: MeshConfigWatchOptions): MeshConfigWatch {
  const object = `ConfigMap/${opts.namespace}/${MESH_CONFIGMAP_NAME}`;
  let rejected: KubeObjectReport | undefined;
  let effective = opts.initial ? JSON.stringify(opts.initial) : '';

  function apply(mesh: MeshConfig, from: string): void {
    const text = JSON.stringify(mesh);
    if (text === effective) return;
    effective = text;
    opts.onMesh(mesh, from);
  }

  function upsert(cm: KubeObject): void {
    // Only the one object: a server ignoring the field selector must not feed us other ConfigMaps.
    if (cm.metadata?.name !== MESH_CONFIGMAP_NAME) return;
    const rv = resourceVersionOf(cm);
    const parsed = meshConfigFromConfigMap(cm, `${object} key mesh`);
    if (!parsed.ok) {
      const errors = parsed.errors.map(renderIssue);
      rejected = { source: opts.source, object, ...(rv ? { resourceVersion: rv } : {}), code: ErrorCodes.MESHCONFIG_INVALID, errors, warnings: [], keptLastGood: true };
      opts.logger.warn({ code: ErrorCodes.MESHCONFIG_INVALID, object, resourceVersion: rv, errors }, 'mesh config rejected; the last good mesh config stays in force');
      return;
    }
    rejected = undefined;
    apply(parsed.value, `${object}@${rv ?? '?'}`);
  }

  function remove(cm: KubeObject): void {
    if (cm.metadata?.name !== MESH_CONFIGMAP_NAME) return;
    rejected = undefined;
    opts.logger.info({ object }, 'mesh ConfigMap deleted; using the default mesh config');
    apply(defaultMeshConfig(), 'defaults');
  }

  const informer = createInformer({
    name: 'MeshConfig',
    path: meshConfigMapPath(opts.namespace),
    transport: opts.transport,
    logger: opts.logger.child({ kind: 'ConfigMap', name: MESH_CONFIGMAP_NAME }),
    transform: trimForCache,
    ...(opts.backoff ? { backoff: opts.backoff } : {}),
    handlers: { upsert, remove },
  });
  return { informer, report: () => rejected };
}
