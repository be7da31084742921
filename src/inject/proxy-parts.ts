/**
 * Pieces the built-in templates share: env entries, the proxy's resources, ports JSON, volumes
 * and mounts. Each mirrors a block of Istio's injection templates (facts only: names, paths,
 * values and order).
 */
import { A, PROXY_NAME } from './annotations.js';
import { isObject, type JsonObject, type Volume } from './k8s.js';
import type { TemplateParams } from './params.js';

export const fieldEnv = (name: string, fieldPath: string): JsonObject => ({ name, valueFrom: { fieldRef: { fieldPath } } });
export const resourceEnv = (name: string, resource: string): JsonObject => ({ name, valueFrom: { resourceFieldRef: { resource } } });
export const valueEnv = (name: string, value: string): JsonObject => ({ name, value });

/** protoToJSON-like: compact JSON without empty strings, maps and lists. */
export function protoJson(v: unknown): string {
  const prune = (x: unknown): unknown => {
    if (Array.isArray(x)) return x.length === 0 ? undefined : x.map(prune);
    if (!isObject(x)) return x === '' ? undefined : x;
    const out: JsonObject = {};
    for (const [k, val] of Object.entries(x)) {
      const p = prune(val);
      if (p !== undefined) out[k] = p;
    }
    return Object.keys(out).length === 0 ? undefined : out;
  };
  return JSON.stringify(prune(v) ?? {});
}

/** ISTIO_META_POD_PORTS as the template lays it out: "[", one port per line, "]". */
export function podPortsJson(p: TemplateParams): string {
  const ports: string[] = [];
  for (const c of p.containers) {
    for (const port of Array.isArray(c.ports) ? c.ports : []) {
      if (!isObject(port)) continue;
      const o: JsonObject = {};
      if (port.name) o.name = port.name;
      if (port.hostPort) o.hostPort = port.hostPort;
      o.containerPort = port.containerPort ?? 0;
      if (port.protocol) o.protocol = port.protocol;
      if (port.hostIP) o.hostIP = port.hostIP;
      ports.push(`    ${ports.length > 0 ? ',' : ''}${JSON.stringify(o)}`);
    }
  }
  return ['[', ...ports, ']'].join('\n');
}

export function caAddress(p: TemplateParams): string {
  const g = p.values.global;
  return g.caAddress || `istiod${p.revision ? `-${p.revision}` : ''}.${g.istioNamespace}.svc:15012`;
}

/** Shared identity env: POD_NAME .. HOST_IP. */
export function podIdentityEnv(): JsonObject[] {
  return [
    fieldEnv('POD_NAME', 'metadata.name'),
    fieldEnv('POD_NAMESPACE', 'metadata.namespace'),
    fieldEnv('INSTANCE_IP', 'status.podIP'),
    fieldEnv('SERVICE_ACCOUNT', 'spec.serviceAccountName'),
    fieldEnv('HOST_IP', 'status.hostIP'),
  ];
}

/** NETWORK, WORKLOAD_NAME, OWNER, MESH_ID, TRUST_DOMAIN, then proxyMetadata (sorted, as Go ranges a map). */
export function workloadEnv(p: TemplateParams, opts: { bootstrapOverride: boolean }): JsonObject[] {
  const out: JsonObject[] = [];
  if (p.network) out.push(valueEnv('ISTIO_META_NETWORK', p.network));
  const w = p.workload;
  const workloadName = p.labels['service.istio.io/workload-name'] || w?.name;
  if (workloadName) out.push(valueEnv('ISTIO_META_WORKLOAD_NAME', workloadName));
  if (w?.apiVersion && w.name) out.push(valueEnv('ISTIO_META_OWNER', `kubernetes://apis/${w.apiVersion}/namespaces/${w.namespace || 'default'}/${w.kind.toLowerCase()}s/${w.name}`));
  if (opts.bootstrapOverride && p.annotations[A.bootstrapOverride] !== undefined) out.push(valueEnv('ISTIO_BOOTSTRAP_OVERRIDE', '/etc/istio/custom-bootstrap/custom_bootstrap.json'));
  const meshId = p.values.global.meshID || p.trustDomain;
  if (meshId) out.push(valueEnv('ISTIO_META_MESH_ID', meshId));
  if (p.trustDomain) out.push(valueEnv('TRUST_DOMAIN', p.trustDomain));
  return [...out, ...proxyMetadataEnv(p)];
}

export function proxyMetadataEnv(p: TemplateParams): JsonObject[] {
  const md = p.proxyConfig.proxyMetadata ?? {};
  return Object.keys(md).sort().map((k) => valueEnv(k, md[k]!));
}

/** The "resources" block: annotations when any is set, else values.global.proxy.resources. */
export function proxyResources(p: TemplateParams): JsonObject | undefined {
  const a = p.annotations;
  const req: JsonObject = {};
  const lim: JsonObject = {};
  if (a[A.proxyCPU] !== undefined) req.cpu = a[A.proxyCPU];
  if (a[A.proxyMemory] !== undefined) req.memory = a[A.proxyMemory];
  if (a[A.proxyCPULimit] !== undefined) lim.cpu = a[A.proxyCPULimit];
  if (a[A.proxyMemoryLimit] !== undefined) lim.memory = a[A.proxyMemoryLimit];
  if (Object.keys(req).length + Object.keys(lim).length > 0) {
    return { ...(Object.keys(req).length > 0 ? { requests: req } : {}), ...(Object.keys(lim).length > 0 ? { limits: lim } : {}) };
  }
  const r = p.values.global.proxy.resources;
  return r && Object.keys(r).length > 0 ? structuredClone(r) : undefined;
}

export function readinessProbe(port: number, delay: string, period: string, failure: string): JsonObject {
  const probe: JsonObject = { httpGet: { path: '/healthz/ready', port } };
  // Go's omitempty drops a zero initialDelaySeconds.
  if (Number(delay) !== 0) probe.initialDelaySeconds = Number(delay);
  return { ...probe, periodSeconds: Number(period), timeoutSeconds: 3, failureThreshold: Number(failure) };
}

export function tokenVolume(p: TemplateParams): Volume {
  return { name: 'istio-token', projected: { sources: [{ serviceAccountToken: { path: 'istio-token', expirationSeconds: 43200, audience: p.values.global.sds.token.aud } }] } };
}

export function caCertVolume(p: TemplateParams): Volume[] {
  if (p.values.global.pilotCertProvider !== 'istiod') return [];
  return [{ name: 'istiod-ca-cert', configMap: { name: p.values.global.trustBundleName || 'istio-ca-root-cert' } }];
}

export const podInfoVolume = (): Volume => ({
  name: 'istio-podinfo',
  downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }, { path: 'annotations', fieldRef: { fieldPath: 'metadata.annotations' } }] },
});

/** sidecar.istio.io/userVolume / userVolumeMount: JSON maps of name → volume / mount. */
export function userEntries(p: TemplateParams, annotation: string): JsonObject[] {
  const raw = p.annotations[annotation];
  if (raw === undefined) return [];
  const parsed: unknown = JSON.parse(raw);
  if (!isObject(parsed)) return [];
  return Object.keys(parsed).sort().map((name) => ({ name, ...(isObject(parsed[name]) ? parsed[name] : {}) }));
}

export function canonicalLabels(p: TemplateParams, truncate: boolean): Record<string, string> {
  const l = p.labels;
  let name = l['service.istio.io/canonical-name'] || l['app.kubernetes.io/name'] || l.app || p.workload?.name || '';
  if (truncate) name = name.slice(0, 63).replace(/-$/, '');
  const revision = l['service.istio.io/canonical-revision'] || l['app.kubernetes.io/version'] || l.version || 'latest';
  return { 'service.istio.io/canonical-name': name, 'service.istio.io/canonical-revision': revision };
}

export function isProxy(name: string): boolean {
  return name === PROXY_NAME;
}
