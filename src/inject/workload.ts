/**
 * The workload a pod belongs to, from its controller owner reference (Istio's
 * GetDeployMetaFromPod): a ReplicaSet named <deployment>-<pod-template-hash> means a Deployment, a
 * Job named <cronjob>-<8..11 digits> means a CronJob; no controller means the pod itself.
 */
import { isObject, labelsOf, podMeta, type Pod, type WorkloadRef } from './k8s.js';

export function workloadOfPod(pod: Pod, namespace?: string): WorkloadRef {
  const meta = podMeta(pod);
  const ns = typeof meta.namespace === 'string' && meta.namespace ? meta.namespace : namespace;
  const base = { ...(ns ? { namespace: ns } : {}) };
  const podName = typeof meta.name === 'string' ? meta.name : '';
  const owners = Array.isArray(meta.ownerReferences) ? meta.ownerReferences.filter(isObject) : [];
  const ref = meta.generateName ? owners.find((o) => o.controller === true) : undefined;
  if (!ref || typeof ref.name !== 'string' || typeof ref.kind !== 'string') return { kind: 'Pod', apiVersion: 'v1', name: podName, ...base };
  const apiVersion = typeof ref.apiVersion === 'string' ? ref.apiVersion : '';
  const hash = labelsOf(pod)['pod-template-hash'];
  if (ref.kind === 'ReplicaSet' && hash && ref.name.endsWith(hash)) {
    return { kind: 'Deployment', apiVersion, name: ref.name.slice(0, -(hash.length + 1)), ...base };
  }
  const cron = ref.kind === 'Job' ? /^(.+)-\d{8,11}$/.exec(ref.name) : null;
  if (cron) return { kind: 'CronJob', apiVersion: 'batch/v1', name: cron[1]!, ...base };
  return { kind: ref.kind, apiVersion, name: ref.name || podName, ...base };
}
