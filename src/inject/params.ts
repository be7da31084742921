/**
 * Everything a template reads, computed once per pod: the effective proxy config (mesh default
 * merged with proxy.istio.io/config), interception mode, native-sidecar switch, image, cluster
 * and network. Istio's template data (SidecarTemplateData) in TypeScript form.
 */
import { buildMeshConfig } from '../config/mesh-config.js';
import type { MeshConfig, ProxyConfig } from '../config/mesh-types.js';
import { fail, ok, type Result } from '../lib/result.js';
import { invalid, type ValidationIssue } from '../lib/issue.js';
import { A, L, parseGoBool, PROXY_NAME } from './annotations.js';
import type { InjectorSettings } from './injector-config.js';
import { readYaml } from './injector-config.js';
import { annotationsOf, containersOf, isObject, labelsOf, podMeta, podSpec, type Container, type Pod, type WorkloadRef } from './k8s.js';
import type { InjectValues } from './values.js';

export interface InjectContext {
  readonly settings: InjectorSettings;
  readonly meshConfig: MeshConfig;
  /** istio.io/rev this injector serves; '' = default. */
  readonly revision?: string;
  /** ENABLE_NATIVE_SIDECARS: the proxy as an init container with restartPolicy Always. */
  readonly nativeSidecars?: boolean;
  /** The AdmissionRequest's namespace when the pod has none. */
  readonly namespace?: string;
  /** The owning workload (kube-inject: the object read; webhook: see workloadOfPod). */
  readonly workload?: WorkloadRef;
  /** Overrides from the webhook path /inject/cluster/<id>/net/<network>. */
  readonly proxyEnvs?: Readonly<Record<string, string>>;
}

export interface TemplateParams {
  readonly pod: Pod;
  readonly annotations: Readonly<Record<string, string>>;
  readonly labels: Readonly<Record<string, string>>;
  readonly containers: readonly Container[];
  readonly namespace: string;
  readonly workload?: WorkloadRef;
  readonly values: InjectValues;
  readonly mesh: MeshConfig;
  readonly proxyConfig: ProxyConfig;
  readonly revision: string;
  readonly interceptionMode: string;
  readonly tproxy: boolean;
  readonly native: boolean;
  readonly holdProxy: boolean;
  /** status.sidecar.istio.io/port as written (string, as the template sees it). */
  readonly statusPort: string;
  readonly proxyImage: string;
  readonly clusterId: string;
  readonly network: string;
  readonly trustDomain: string;
  /** Names of the app containers (all but istio-proxy). */
  readonly appContainers: readonly string[];
}

const ANNOTATION_PATH = `metadata.annotations[${A.proxyConfig}]`;

/** Mesh defaultConfig with the pod's proxy.istio.io/config merged over it, validated. */
function effectiveProxyConfig(mesh: MeshConfig, annotation: string | undefined): Result<ProxyConfig, ValidationIssue> {
  if (annotation === undefined) return ok(mesh.defaultConfig);
  const raw = readYaml(annotation, ANNOTATION_PATH);
  if (!raw.ok) return raw;
  if (raw.value === null || raw.value === undefined) return ok(mesh.defaultConfig);
  if (!isObject(raw.value)) return fail(invalid(ANNOTATION_PATH, annotation, 'must be a ProxyConfig map'));
  const written = raw.value;
  const metadata = isObject(written.proxyMetadata) ? { ...mesh.defaultConfig.proxyMetadata, ...written.proxyMetadata } : mesh.defaultConfig.proxyMetadata;
  const built = buildMeshConfig({ defaultConfig: { ...mesh.defaultConfig, ...written, proxyMetadata: metadata } }).result;
  if (!built.ok) return fail(...built.errors.map((e) => ({ ...e, path: `${ANNOTATION_PATH}.${e.path.replace(/^defaultConfig\.?/, '')}` })));
  return ok(built.value.defaultConfig);
}

/** Istio's ProxyImage: hub/image:tag, with an image type (distroless, debug) suffix when asked for. */
export function proxyImage(values: InjectValues, proxyConfig: ProxyConfig, annotations: Readonly<Record<string, string>>): string {
  const g = values.global;
  const name = g.proxy.image || 'proxyv2';
  if (name.includes('/')) return name;
  const tag = String(g.tag);
  const imageType = annotations[A.proxyImageType] ?? proxyConfig.image?.imageType ?? '';
  if (tag.startsWith('sha256')) return `${g.hub}/${name}@${tag}`;
  let base = tag;
  for (const known of ['distroless', 'debug']) if (base.endsWith(`-${known}`)) { base = base.slice(0, -(known.length + 1)); break; }
  const finalTag = imageType === '' ? tag : imageType === 'default' ? base : `${base}-${imageType}`;
  return `${g.hub}/${name}:${finalTag}`;
}

function nativeSidecar(annotations: Readonly<Record<string, string>>, fallback: boolean): boolean {
  const v = annotations[A.nativeSidecar];
  return v === undefined ? fallback : (parseGoBool(v) ?? fallback);
}

export function buildParams(pod: Pod, ctx: InjectContext): Result<TemplateParams, ValidationIssue> {
  const annotations = annotationsOf(pod);
  const labels = labelsOf(pod);
  const values = ctx.settings.values;
  const pc = effectiveProxyConfig(ctx.meshConfig, annotations[A.proxyConfig]);
  if (!pc.ok) return pc;
  const proxyConfig = pc.value;
  const interceptionMode = annotations[A.interceptionMode] ?? proxyConfig.interceptionMode ?? 'REDIRECT';
  const native = nativeSidecar(annotations, ctx.nativeSidecars ?? false);
  const containers = containersOf(podSpec(pod).containers);
  const envs = ctx.proxyEnvs ?? {};
  const metaNs = podMeta(pod).namespace;
  return ok({
    pod,
    annotations,
    labels,
    containers,
    namespace: typeof metaNs === 'string' && metaNs ? metaNs : (ctx.namespace ?? ctx.workload?.namespace ?? ''),
    ...(ctx.workload ? { workload: ctx.workload } : {}),
    values,
    mesh: ctx.meshConfig,
    proxyConfig,
    revision: ctx.revision ?? values.revision,
    interceptionMode,
    tproxy: interceptionMode === 'TPROXY',
    native,
    holdProxy: (proxyConfig.holdApplicationUntilProxyStarts === true || values.global.proxy.holdApplicationUntilProxyStarts) && !native,
    statusPort: annotations[A.statusPort] ?? String(values.global.proxy.statusPort),
    proxyImage: proxyImage(values, proxyConfig, annotations),
    clusterId: envs.ISTIO_META_CLUSTER_ID || values.global.multiCluster.clusterName || 'Kubernetes',
    network: labels[L.network] ?? (envs.ISTIO_META_NETWORK || values.global.network),
    trustDomain: ctx.meshConfig.trustDomain || values.meshConfig.trustDomain || '',
    appContainers: containers.map((c) => c.name).filter((n) => n !== PROXY_NAME),
  });
}

/** Istio's `annotation` template function: the annotation when present, else the default. */
export function annotationOr(p: TemplateParams, name: string, fallback: string | number | boolean): string {
  return p.annotations[name] ?? String(fallback);
}
