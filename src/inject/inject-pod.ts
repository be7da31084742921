/**
 * The injector: pod in → decision, injected pod and the JSON patch between them. Pure. The
 * webhook handler wraps this (AdmissionReview → injectPod → AdmissionResponse with the patch);
 * kube-inject applies it to each workload's pod template.
 *
 * Steps follow Istio's injectPod: policy check, render the selected templates over the pod,
 * then post-process (prometheus merge, app probe rewrite, status/revision annotations, container
 * order).
 */
import { fail, ok, type Result } from '../lib/result.js';
import { invalid, type ValidationIssue } from '../lib/issue.js';
import { A, INIT_NAME, PROXY_NAME, VALIDATION_NAME } from './annotations.js';
import type { TemplateSpec } from './injector-config.js';
import { containersOf, deepClone, isObject, type Container, type JsonObject, type Pod } from './k8s.js';
import { applyTemplate, staticTemplateOutput, type MergeOverrides } from './merge.js';
import { renderGateway, renderGrpcAgent, renderGrpcSimple } from './other-templates.js';
import { buildParams, type InjectContext, type TemplateParams } from './params.js';
import { shouldInject } from './policy.js';
import { applyPrometheusMerge } from './prometheus.js';
import { dumpAppProbers, rewriteProbes, shouldRewriteProbes } from './probes.js';
import { renderSidecar } from './sidecar-template.js';
import type { TemplateOutput } from './template-output.js';
import { validateInjectAnnotations, validatePodShape } from './validate-annotations.js';
import { createJsonPatch, type JsonPatchOp } from './json-patch.js';

export type { InjectContext } from './params.js';

export interface InjectOutcome {
  readonly injected: boolean;
  /** Why (not) injected: for logs, metrics and kube-inject messages. */
  readonly reason: string;
  readonly pod: Pod;
  /** RFC 6902 patch from the input pod to `pod`; empty when not injected. */
  readonly patch: readonly JsonPatchOp[];
}

function selectTemplates(pod: Pod, ctx: InjectContext): string[] {
  const cfg = ctx.settings.config;
  const written = isObject(pod.metadata) && isObject(pod.metadata.annotations) ? pod.metadata.annotations[A.templates] : undefined;
  const names = typeof written === 'string' ? written.split(',').map((n) => n.trim()) : [...cfg.defaultTemplates];
  return names.flatMap((n) => cfg.aliases[n] ?? [n]);
}

function render(spec: TemplateSpec, p: TemplateParams): TemplateOutput {
  if (spec.kind === 'static') return staticTemplateOutput(spec.overlay);
  switch (spec.kind === 'built-in' ? spec.name : 'sidecar') {
    case 'gateway': return renderGateway(p);
    case 'grpc-agent': return renderGrpcAgent(p);
    case 'grpc-simple': return renderGrpcSimple(p);
    default: return renderSidecar(p);
  }
}

function templateSpecs(names: string[], ctx: InjectContext): Result<TemplateSpec[], ValidationIssue> {
  const path = `metadata.annotations[${A.templates}]`;
  const specs: TemplateSpec[] = [];
  for (const name of names) {
    const spec = ctx.settings.config.templates[name];
    if (!spec) return fail(invalid(path, name, `requested template "${name}" not found; have ${Object.keys(ctx.settings.config.templates).sort().join(', ')}`));
    if (spec.kind === 'unsupported') return fail(invalid(path, name, spec.reason));
    specs.push(spec);
  }
  return ok(specs);
}

function moveTo(list: Container[], name: string, where: 'first' | 'last'): Container[] {
  const match = list.find((c) => c.name === name);
  if (!match) return list;
  const rest = list.filter((c) => c !== match);
  return where === 'first' ? [match, ...rest] : [...rest, match];
}

/** Istio's reorderPod: proxy last (first when holding the app), istio-init last (native: init, then proxy, first). */
function reorder(spec: JsonObject, p: TemplateParams): void {
  if (Array.isArray(spec.containers)) spec.containers = moveTo(containersOf(spec.containers), PROXY_NAME, p.holdProxy ? 'first' : 'last');
  if (!Array.isArray(spec.initContainers)) return;
  let init = containersOf(spec.initContainers);
  if (p.native) init = moveTo(moveTo(init, PROXY_NAME, 'first'), INIT_NAME, 'first');
  else init = moveTo(moveTo(init, VALIDATION_NAME, 'first'), INIT_NAME, 'last');
  spec.initContainers = moveTo(init, VALIDATION_NAME, 'first');
}

function findSidecar(spec: JsonObject): Container | undefined {
  return [...containersOf(spec.containers), ...containersOf(spec.initContainers)].find((c) => c.name === PROXY_NAME);
}

/** /inject/cluster/<id>/net/<network> values replace the template's env entries, appended sorted (Istio's updateClusterEnvs). */
function overwriteClusterEnvs(sidecar: Container | undefined, p: TemplateParams, ctx: InjectContext): void {
  const envs: Record<string, string> = { ...(ctx.proxyEnvs ?? {}) };
  if (p.values.global.multiCluster.clusterName || envs.ISTIO_META_CLUSTER_ID) envs.ISTIO_META_CLUSTER_ID = p.clusterId;
  if (p.network) envs.ISTIO_META_NETWORK = p.network;
  if (!sidecar || Object.keys(envs).length === 0) return;
  const kept = (Array.isArray(sidecar.env) ? sidecar.env : []).filter((e) => !(isObject(e) && typeof e.name === 'string' && e.name in envs));
  sidecar.env = [...kept, ...Object.keys(envs).sort().map((name) => ({ name, value: envs[name] }))];
}

function statusAnnotation(outputs: TemplateOutput[], revision: string): string {
  const names = (list: readonly { name: string }[]): string[] | null => (list.length === 0 ? null : list.map((c) => c.name));
  const uniq = <T extends { name: string }>(pick: (t: TemplateOutput) => readonly T[]): T[] => {
    const seen = new Map<string, T>();
    for (const t of outputs) for (const item of pick(t)) if (!seen.has(item.name)) seen.set(item.name, item);
    return [...seen.values()];
  };
  return JSON.stringify({
    initContainers: names(uniq((t) => t.initContainers)),
    containers: names(uniq((t) => t.containers)),
    volumes: names(uniq((t) => t.volumes)),
    imagePullSecrets: names(uniq((t) => t.imagePullSecrets)),
    revision: revision || 'default',
  });
}

function postProcess(pod: Pod, outputs: TemplateOutput[], overrides: MergeOverrides, p: TemplateParams, ctx: InjectContext): void {
  const meta = pod.metadata as JsonObject;
  const spec = pod.spec as JsonObject;
  const annotations = { ...(isObject(meta.annotations) ? (meta.annotations as Record<string, string>) : {}) };
  const sidecar = findSidecar(spec);
  overwriteClusterEnvs(sidecar, p, ctx);
  const meshStatusPort = ctx.meshConfig.defaultConfig.statusPort;
  applyPrometheusMerge(annotations, sidecar, ctx.meshConfig, meshStatusPort);
  if (sidecar && shouldRewriteProbes(annotations, p.values.sidecarInjectorWebhook.rewriteAppHTTPProbe)) {
    const probers = dumpAppProbers(spec, meshStatusPort);
    if (probers) sidecar.env = [...(Array.isArray(sidecar.env) ? sidecar.env : []), { name: 'ISTIO_KUBE_APP_PROBERS', value: probers }];
    const port = /^\d+$/.test(annotations[A.statusPort] ?? '') ? Number(annotations[A.statusPort]) : meshStatusPort;
    rewriteProbes(containersOf(spec.containers), port);
    rewriteProbes(containersOf(spec.initContainers), port);
  }
  if (overrides.containers.length + overrides.initContainers.length > 0) {
    annotations[A.overrides] = JSON.stringify({ ...(overrides.containers.length ? { containers: overrides.containers } : {}), ...(overrides.initContainers.length ? { initContainers: overrides.initContainers } : {}) });
  }
  annotations[A.rev] = p.revision || 'default';
  annotations[A.status] = statusAnnotation(outputs, p.revision);
  Object.assign(annotations, ctx.settings.config.injectedAnnotations);
  meta.annotations = annotations;
  reorder(spec, p);
}

/** Injects one pod. Expected failures (bad annotations, unknown templates) are values naming the field. */
export function injectPod(input: Pod, ctx: InjectContext): Result<InjectOutcome, ValidationIssue> {
  if (!isObject(input)) return fail(invalid('<pod>', input, 'expected a Pod object'));
  if (input.metadata !== undefined && !isObject(input.metadata)) return fail(invalid('metadata', input.metadata, 'must be a map'));
  if (input.spec !== undefined && !isObject(input.spec)) return fail(invalid('spec', input.spec, 'must be a map'));
  const decision = shouldInject(input, ctx.namespace ?? '', ctx.settings.config);
  if (!decision.inject) return ok({ injected: false, reason: decision.reason, pod: input, patch: [] });
  const pod = deepClone(input);
  const rawAnnotations = isObject(pod.metadata) ? pod.metadata.annotations : undefined;
  if (rawAnnotations !== undefined && rawAnnotations !== null && (!isObject(rawAnnotations) || Object.values(rawAnnotations).some((v) => typeof v !== 'string'))) {
    return fail(invalid('metadata.annotations', rawAnnotations, 'must be a map of strings'));
  }
  const bad = [...validatePodShape(isObject(pod.spec) ? pod.spec : {}), ...validateInjectAnnotations(isObject(rawAnnotations) ? (rawAnnotations as Record<string, string>) : {})];
  if (bad.length > 0) return fail(...bad);
  const specs = templateSpecs(selectTemplates(pod, ctx), ctx);
  if (!specs.ok) return specs;
  const params = buildParams(pod, ctx);
  if (!params.ok) return params;
  pod.metadata = isObject(pod.metadata) ? pod.metadata : {};
  pod.spec = isObject(pod.spec) ? pod.spec : {};
  const overrides: MergeOverrides = { containers: [], initContainers: [] };
  const outputs = specs.value.map((s) => render(s, params.value));
  for (const out of outputs) applyTemplate(pod, out, overrides);
  postProcess(pod, outputs, overrides, params.value, ctx);
  return ok({ injected: true, reason: decision.reason, pod, patch: createJsonPatch(input, pod) });
}
