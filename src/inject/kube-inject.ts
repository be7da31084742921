/**
 * Offline injection of a manifest (istioctl kube-inject): every Pod and pod template of a
 * workload (Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob,
 * and `kind: List` items) is injected; other documents pass through unchanged. Pure: text in,
 * text out. Errors name the document index, the object and the field path.
 */
import { parseAllDocuments, stringify } from 'yaml';
import { fail, ok, type Result } from '../lib/result.js';
import { renderIssue } from '../lib/issue.js';
import { injectPod, type InjectContext } from './inject-pod.js';
import { isObject, sortKeys, type JsonObject, type Pod, type WorkloadRef } from './k8s.js';

export const MAX_MANIFEST_BYTES = 16 * 1024 * 1024;

/** Where each kind keeps its pod template. */
const TEMPLATE_PATHS: Readonly<Record<string, readonly string[]>> = {
  Pod: [],
  Deployment: ['spec', 'template'],
  StatefulSet: ['spec', 'template'],
  DaemonSet: ['spec', 'template'],
  ReplicaSet: ['spec', 'template'],
  ReplicationController: ['spec', 'template'],
  Job: ['spec', 'template'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template'],
};

/** istioctl decides with a fixed policy: inject unless the pod opts out (no selectors, policy enabled). */
const KUBE_INJECT_POLICY = (ctx: InjectContext): InjectContext['settings']['config'] => ({ ...ctx.settings.config, policy: 'enabled', neverInjectSelector: [], alwaysInjectSelector: [] });

export interface KubeInjectResult {
  readonly output: string;
  /** Per-object notes, e.g. why an object was not injected. */
  readonly warnings: readonly string[];
}

function describe(obj: JsonObject): string {
  const meta = isObject(obj.metadata) ? obj.metadata : {};
  const name = typeof meta.name === 'string' ? meta.name : '<unnamed>';
  return `${String(obj.kind)} ${typeof meta.namespace === 'string' && meta.namespace ? `${meta.namespace}/` : ''}${name}`;
}

/** Injects one object in place; returns whether it changed. */
function injectObject(obj: JsonObject, where: string, ctx: InjectContext, warnings: string[], errors: string[]): boolean {
  if (obj.kind === 'List' && Array.isArray(obj.items)) {
    let changed = false;
    obj.items.forEach((item, i) => { if (isObject(item)) changed = injectObject(item, `${where}.items[${i}]`, ctx, warnings, errors) || changed; });
    return changed;
  }
  const path = typeof obj.kind === 'string' ? TEMPLATE_PATHS[obj.kind] : undefined;
  if (!path) return false;
  let holder: JsonObject = obj;
  for (const key of path) {
    if (!isObject(holder[key])) {
      errors.push(`${where} (${describe(obj)}): ${path.slice(0, path.indexOf(key) + 1).join('.')}: Required value: a ${obj.kind} needs a pod template`);
      return false;
    }
    holder = holder[key] as JsonObject;
  }
  const meta = isObject(obj.metadata) ? obj.metadata : {};
  const workload: WorkloadRef = {
    kind: String(obj.kind),
    apiVersion: typeof obj.apiVersion === 'string' ? obj.apiVersion : '',
    name: typeof meta.name === 'string' ? meta.name : '',
    ...(typeof meta.namespace === 'string' && meta.namespace ? { namespace: meta.namespace } : {}),
  };
  const pod: Pod = { metadata: isObject(holder.metadata) ? holder.metadata : {}, spec: isObject(holder.spec) ? holder.spec : {} };
  const result = injectPod(pod, { ...ctx, workload, namespace: workload.namespace ?? ctx.namespace ?? '', settings: { ...ctx.settings, config: KUBE_INJECT_POLICY(ctx) } });
  const prefix = path.length > 0 ? `${path.join('.')}.` : '';
  if (!result.ok) {
    errors.push(...result.errors.map((e) => `${where} (${describe(obj)}): ${renderIssue({ ...e, path: prefix + e.path })}`));
    return false;
  }
  if (!result.value.injected) {
    warnings.push(`${where}: skipping injection of ${describe(obj)}: ${result.value.reason}`);
    return false;
  }
  holder.metadata = result.value.pod.metadata;
  holder.spec = result.value.pod.spec;
  return true;
}

export function kubeInject(text: string, ctx: InjectContext): Result<KubeInjectResult, string> {
  if (text.length > MAX_MANIFEST_BYTES) return fail(`manifest is larger than ${MAX_MANIFEST_BYTES} bytes`);
  const warnings: string[] = [];
  const errors: string[] = [];
  const parts: string[] = [];
  const docs = parseAllDocuments(text, { uniqueKeys: true, prettyErrors: false });
  (Array.isArray(docs) ? docs : [docs]).forEach((doc, i) => {
    const where = `document ${i}`;
    if (doc.errors[0]) return void errors.push(`${where}: not valid YAML: ${doc.errors[0].message.split('\n')[0]}`);
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (err) {
      return void errors.push(`${where}: YAML cannot be expanded: ${(err as Error).message}`);
    }
    if (value === null || value === undefined) return;
    if (!isObject(value)) return void errors.push(`${where}: Invalid value: expected a Kubernetes object (a map with apiVersion and kind)`);
    const changed = injectObject(value, where, ctx, warnings, errors);
    parts.push(changed ? stringify(sortKeys(value), { lineWidth: 0, indentSeq: false }) : doc.toString({ lineWidth: 0, indentSeq: false }).replace(/^---[ \t]*\n/, ''));
  });
  if (errors.length > 0) return fail(...errors);
  return ok({ output: parts.map((p) => `${p.endsWith('\n') ? p : `${p}\n`}---\n`).join(''), warnings });
}
