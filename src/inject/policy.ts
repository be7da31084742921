/**
 * Whether a pod gets a sidecar, decided the way Istio's injection webhook decides (injectRequired),
 * plus the idempotence rule: a pod that already carries sidecar.istio.io/status is left alone.
 * The reason is stable text for logs, metrics and kube-inject messages.
 */
import { A, L } from './annotations.js';
import type { InjectorConfig } from './injector-config.js';
import { selectorMatches } from './label-selector.js';
import { annotationsOf, labelsOf, podMeta, podSpec, type Pod } from './k8s.js';

/** Namespaces never injected (Istio's IgnoredNamespaces, plus kube-node-lease). */
export const IGNORED_NAMESPACES: readonly string[] = ['kube-system', 'kube-public', 'kube-node-lease'];

export interface InjectDecision {
  readonly inject: boolean;
  readonly reason: string;
}

/** YAML 1.1 truthy spellings Istio accepts for the inject label/annotation. */
const TRUE_VALUES = ['y', 'yes', 'true', 'on'];

export function shouldInject(pod: Pod, namespace: string, config: InjectorConfig): InjectDecision {
  if (podSpec(pod).hostNetwork === true) return { inject: false, reason: 'pod uses hostNetwork' };
  const ns = typeof podMeta(pod).namespace === 'string' && podMeta(pod).namespace ? String(podMeta(pod).namespace) : namespace;
  if (IGNORED_NAMESPACES.includes(ns)) return { inject: false, reason: `namespace ${ns} is never injected` };
  const annotations = annotationsOf(pod);
  if (annotations[A.status] !== undefined) return { inject: false, reason: 'pod is already injected (sidecar.istio.io/status is set)' };
  const labels = labelsOf(pod);
  // The label is the current API; it wins over the deprecated annotation.
  const fromLabel = labels[L.inject] !== undefined;
  const selector = fromLabel ? labels[L.inject]! : (annotations[A.inject] ?? '');
  const where = fromLabel ? 'label' : 'annotation';
  if (selector !== '') {
    const on = TRUE_VALUES.includes(selector.toLowerCase());
    return { inject: on, reason: `${where} ${L.inject}=${selector}` };
  }
  const never = config.neverInjectSelector.findIndex((s) => selectorMatches(s, labels));
  if (never >= 0) return { inject: false, reason: `pod labels match neverInjectSelector[${never}]` };
  const always = config.alwaysInjectSelector.findIndex((s) => selectorMatches(s, labels));
  if (always >= 0) return { inject: true, reason: `pod labels match alwaysInjectSelector[${always}]` };
  return config.policy === 'enabled'
    ? { inject: true, reason: 'injector policy is enabled' }
    : { inject: false, reason: 'injector policy is disabled and the pod does not ask for injection' };
}
