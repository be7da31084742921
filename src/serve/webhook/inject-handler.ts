/**
 * POST /inject: an AdmissionRequest for a Pod → injectPod → the AdmissionResponse with the
 * JSON patch. As Istio's injector does: a skipped pod is allowed unchanged; a pod that cannot
 * be injected (bad annotation, unknown template) is refused with the field path, so that with
 * failurePolicy Fail the mistake is seen at `kubectl apply` instead of as a pod without a proxy.
 */
import { renderIssue } from '../../lib/issue.js';
import type { Logger } from '../../lib/logger.js';
import { injectPod, type InjectContext } from '../../inject/inject-pod.js';
import { proxyEnvsFromPath } from '../../inject/inject-path.js';
import { isObject, type Pod } from '../../inject/k8s.js';
import { workloadOfPod } from '../../inject/workload.js';
import { allow, allowWithPatch, deny, type AdmissionRequest, type AdmissionResponse } from './admission-review.js';
import type { WebhookMetrics } from './webhook-metrics.js';

/** What injection needs besides the pod: the current injector settings and mesh config. */
export type InjectBase = Pick<InjectContext, 'settings' | 'meshConfig' | 'revision' | 'nativeSidecars'>;

export interface InjectHandlerDeps {
  /** Read per request, so a reloaded ConfigMap or mesh config applies to the next pod. */
  readonly context: () => InjectBase;
  readonly metrics: WebhookMetrics;
  readonly logger: Logger;
}

/** managedFields can be large and never affects injection (Istio drops it before diffing too). */
function withoutManagedFields(pod: Pod): Pod {
  if (!isObject(pod.metadata) || pod.metadata.managedFields === undefined) return pod;
  const { managedFields: _dropped, ...metadata } = pod.metadata;
  return { ...pod, metadata };
}

function podLabel(pod: Pod, req: AdmissionRequest): string {
  const meta = isObject(pod.metadata) ? pod.metadata : {};
  const name = typeof meta.name === 'string' && meta.name ? meta.name : typeof meta.generateName === 'string' ? `${meta.generateName}*` : req.name || '<unnamed>';
  return `${req.namespace || (typeof meta.namespace === 'string' ? meta.namespace : '')}/${name}`;
}

export function handleInject(req: AdmissionRequest, path: string, deps: InjectHandlerDeps): AdmissionResponse {
  const { metrics, logger } = deps;
  metrics.injectionRequested();
  if (req.kind.group !== '' || req.kind.kind !== 'Pod' || req.operation !== 'CREATE') {
    metrics.injectionSkipped();
    logger.debug({ uid: req.uid, kind: req.kind.kind, operation: req.operation }, 'not a pod creation; allowed unchanged');
    return allow(req.uid);
  }
  if (!isObject(req.object)) {
    metrics.injectionFailed('decode');
    return deny(req.uid, 'request.object: expected a Pod object');
  }
  const pod = withoutManagedFields(req.object as Pod);
  const where = podLabel(pod, req);
  const base = deps.context();
  const envs = proxyEnvsFromPath(path);
  const ctx: InjectContext = { ...base, namespace: req.namespace, workload: workloadOfPod(pod, req.namespace), ...(Object.keys(envs).length > 0 ? { proxyEnvs: envs } : {}) };
  const result = injectPod(pod, ctx);
  if (!result.ok) {
    metrics.injectionFailed('inject');
    const message = `injection of pod ${where} failed: ${result.errors.map(renderIssue).join('; ')}`;
    logger.warn({ uid: req.uid, pod: where, errors: result.errors.map(renderIssue) }, 'sidecar injection refused');
    return deny(req.uid, message);
  }
  if (!result.value.injected) {
    metrics.injectionSkipped();
    logger.debug({ uid: req.uid, pod: where, reason: result.value.reason }, 'sidecar injection skipped');
    return allow(req.uid);
  }
  metrics.injectionSucceeded();
  logger.info({ uid: req.uid, pod: where, reason: result.value.reason, ops: result.value.patch.length }, 'sidecar injected');
  return allowWithPatch(req.uid, result.value.patch);
}
