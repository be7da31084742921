/** The `sidecar` template: istio-init (istio-iptables) + istio-proxy, volumes and metadata. */
import { A, INIT_NAME, PROXY_NAME, VALIDATION_NAME } from './annotations.js';
import type { Container, JsonObject, Volume } from './k8s.js';
import { annotationOr, type TemplateParams } from './params.js';
import {
  canonicalLabels, caAddress, caCertVolume, fieldEnv, podIdentityEnv, podInfoVolume, podPortsJson, protoJson, proxyMetadataEnv,
  proxyResources, readinessProbe, resourceEnv, tokenVolume, userEntries, valueEnv, workloadEnv,
} from './proxy-parts.js';
import { imagePullSecrets, type TemplateOutput } from './template-output.js';

/** Istio's excludeInboundPort: the status port appended to the excluded list unless already there. */
export function excludeInboundPort(statusPort: string, excluded: string): string {
  const port = statusPort.trim();
  if (port === '' || port === '0') return excluded;
  const out: string[] = [];
  for (const p of excluded.split(',')) {
    if (p === port) return excluded;
    if (p.trim()) out.push(p.trim());
  }
  return [...out, port].join(',');
}

export function iptablesArgs(p: TemplateParams): string[] {
  const proxy = p.values.global.proxy;
  const a = p.annotations;
  const excluded = excludeInboundPort(p.statusPort, annotationOr(p, A.excludeInboundPorts, proxy.excludeInboundPorts));
  const args = [
    'istio-iptables',
    '-p', String(p.mesh.proxyListenPort || 15001),
    '-z', String((p.mesh as { proxyInboundListenPort?: number }).proxyInboundListenPort || 15006),
    '-u', '1337',
    '-m', p.interceptionMode,
    '-i', annotationOr(p, A.includeOutboundIPRanges, proxy.includeIPRanges),
    '-x', annotationOr(p, A.excludeOutboundIPRanges, proxy.excludeIPRanges),
    '-b', annotationOr(p, A.includeInboundPorts, proxy.includeInboundPorts),
    '-d', excluded ? `15090,15021,${excluded}` : '15090,15021',
  ];
  if (a[A.includeOutboundPorts] !== undefined || proxy.includeOutboundPorts) args.push('-q', annotationOr(p, A.includeOutboundPorts, proxy.includeOutboundPorts));
  if (a[A.excludeOutboundPorts] !== undefined || proxy.excludeOutboundPorts) args.push('-o', annotationOr(p, A.excludeOutboundPorts, proxy.excludeOutboundPorts));
  if (a[A.rerouteVirtualInterfaces] !== undefined) args.push('-k', a[A.rerouteVirtualInterfaces]!);
  else if (a[A.kubevirtInterfaces] !== undefined) args.push('-k', a[A.kubevirtInterfaces]!);
  if (a[A.excludeInterfaces] !== undefined) args.push('-c', a[A.excludeInterfaces]!);
  args.push(`--log_output_level=${annotationOr(p, A.agentLogLevel, p.values.global.logging.level)}`);
  if (p.values.global.logAsJson) args.push('--log_as_json');
  if (p.values.pilot.cni.enabled) args.push('--run-validation', '--skip-rule-apply');
  else if (p.values.global.proxy_init.forceApplyIptables) args.push('--force-apply');
  return args;
}

function withPullPolicy(p: TemplateParams, c: Container): Container {
  return p.values.global.imagePullPolicy ? { ...c, imagePullPolicy: p.values.global.imagePullPolicy } : c;
}

function initImage(p: TemplateParams): string {
  const img = annotationOr(p, A.proxyImage, p.values.global.proxy_init.image);
  return img.includes('/') ? img : p.proxyImage;
}

/** istio-init programs iptables as root; with istio-cni, istio-validation only checks them, unprivileged. */
export function istioInit(p: TemplateParams): Container {
  const privileged = p.values.global.proxy.privileged;
  const cni = p.values.pilot.cni.enabled;
  const env = proxyMetadataEnv(p);
  const resources = proxyResources(p);
  const identity = cni
    ? { readOnlyRootFilesystem: true, runAsGroup: 1337, runAsUser: 1337, runAsNonRoot: true }
    : { readOnlyRootFilesystem: false, runAsGroup: 0, runAsNonRoot: false, runAsUser: 0 };
  return withPullPolicy(p, {
    name: cni ? VALIDATION_NAME : INIT_NAME,
    image: initImage(p),
    args: iptablesArgs(p),
    ...(env.length > 0 ? { env } : {}),
    ...(resources ? { resources } : {}),
    securityContext: {
      allowPrivilegeEscalation: privileged,
      privileged,
      capabilities: { ...(cni ? {} : { add: ['NET_ADMIN', 'NET_RAW'] }), drop: ['ALL'] },
      ...identity,
    },
  });
}

/** With istio-cni the node agent reads the redirect settings from these pod annotations. */
function cniRedirectAnnotations(p: TemplateParams): Record<string, string> {
  const proxy = p.values.global.proxy;
  const a = p.annotations;
  const out: Record<string, string> = { [A.interceptionMode]: p.interceptionMode };
  const put = (name: string, value: string | undefined): void => { if (value) out[name] = value; };
  put(A.includeOutboundIPRanges, annotationOr(p, A.includeOutboundIPRanges, proxy.includeIPRanges));
  put(A.excludeOutboundIPRanges, annotationOr(p, A.excludeOutboundIPRanges, proxy.excludeIPRanges));
  put(A.includeInboundPorts, annotationOr(p, A.includeInboundPorts, proxy.includeInboundPorts));
  out[A.excludeInboundPorts] = excludeInboundPort(p.statusPort, annotationOr(p, A.excludeInboundPorts, proxy.excludeInboundPorts));
  if (a[A.includeOutboundPorts] !== undefined || proxy.includeOutboundPorts) out[A.includeOutboundPorts] = annotationOr(p, A.includeOutboundPorts, proxy.includeOutboundPorts);
  if (a[A.excludeOutboundPorts] !== undefined || proxy.excludeOutboundPorts) out[A.excludeOutboundPorts] = annotationOr(p, A.excludeOutboundPorts, proxy.excludeOutboundPorts);
  put(A.kubevirtInterfaces, a[A.kubevirtInterfaces]);
  put(A.rerouteVirtualInterfaces, a[A.rerouteVirtualInterfaces]);
  put(A.excludeInterfaces, a[A.excludeInterfaces]);
  return out;
}

export function proxyImageFor(p: TemplateParams): string {
  const img = annotationOr(p, A.proxyImage, p.values.global.proxy.image);
  return img.includes('/') ? img : p.proxyImage;
}

function sidecarArgs(p: TemplateParams, mode: 'sidecar' | 'router', logLevels: boolean): string[] {
  const g = p.values.global;
  const args = ['proxy', mode, '--domain', `$(POD_NAMESPACE).svc.${g.proxy.clusterDomain}`];
  if (logLevels) args.push(`--proxyLogLevel=${annotationOr(p, A.logLevel, g.proxy.logLevel)}`, `--proxyComponentLogLevel=${annotationOr(p, A.componentLogLevel, g.proxy.componentLogLevel)}`);
  args.push(`--log_output_level=${annotationOr(p, A.agentLogLevel, g.logging.level)}`);
  if (g.sts.servicePort) args.push(`--stsPort=${g.sts.servicePort}`);
  if (g.logAsJson) args.push('--log_as_json');
  if (mode === 'sidecar' && logLevels && g.proxy.outlierLogPath) args.push(`--outlierLogPath=${g.proxy.outlierLogPath}`);
  return args;
}
export { sidecarArgs };

function lifecycle(p: TemplateParams): JsonObject | undefined {
  if (p.values.global.proxy.lifecycle) return structuredClone(p.values.global.proxy.lifecycle);
  if (p.holdProxy) return { postStart: { exec: { command: ['pilot-agent', 'wait'] } } };
  if (p.native) return { preStop: { exec: { command: ['pilot-agent', 'request', `--debug-port=${p.statusPort}`, 'POST', 'drain'] } } };
  return undefined;
}

/** The env every istio-proxy template starts with: CA, pod identity, CPU limit, proxy config, pod ports. */
export function proxyEnvHead(p: TemplateParams): JsonObject[] {
  return [
    valueEnv('PILOT_CERT_PROVIDER', p.values.global.pilotCertProvider),
    valueEnv('CA_ADDR', caAddress(p)),
    ...podIdentityEnv(),
    resourceEnv('ISTIO_CPU_LIMIT', 'limits.cpu'),
    valueEnv('PROXY_CONFIG', `${protoJson(p.proxyConfig)}\n`),
    valueEnv('ISTIO_META_POD_PORTS', podPortsJson(p)),
  ];
}

function sidecarEnv(p: TemplateParams): JsonObject[] {
  return [
    ...proxyEnvHead(p),
    valueEnv('ISTIO_META_APP_CONTAINERS', p.appContainers.join(',')),
    resourceEnv('GOMEMLIMIT', 'limits.memory'),
    resourceEnv('GOMAXPROCS', 'limits.cpu'),
    valueEnv('ISTIO_META_CLUSTER_ID', p.clusterId),
    fieldEnv('ISTIO_META_NODE_NAME', 'spec.nodeName'),
    valueEnv('ISTIO_META_INTERCEPTION_MODE', p.interceptionMode),
    ...workloadEnv(p, { bootstrapOverride: true }),
  ];
}

function sidecarSecurityContext(p: TemplateParams): JsonObject {
  const proxy = p.values.global.proxy;
  const netBind = annotationOr(p, A.capNetBindService, proxy.capNetBindService) === 'true';
  const add = [...(p.tproxy ? ['NET_ADMIN'] : []), ...(netBind ? ['NET_BIND_SERVICE'] : [])];
  const root = p.tproxy || netBind;
  return {
    allowPrivilegeEscalation: proxy.privileged,
    capabilities: { ...(add.length > 0 ? { add } : {}), drop: ['ALL'] },
    privileged: proxy.privileged,
    readOnlyRootFilesystem: true,
    runAsGroup: 1337,
    runAsNonRoot: !root,
    runAsUser: root ? 0 : 1337,
  };
}

function sidecarMounts(p: TemplateParams): JsonObject[] {
  return [
    { name: 'workload-socket', mountPath: '/var/run/secrets/workload-spiffe-uds' },
    { name: 'credential-socket', mountPath: '/var/run/secrets/credential-uds' },
    { name: 'workload-certs', mountPath: '/var/run/secrets/workload-spiffe-credentials' },
    ...(p.values.global.pilotCertProvider === 'istiod' ? [{ mountPath: '/var/run/secrets/istio', name: 'istiod-ca-cert' }] : []),
    { mountPath: '/var/lib/istio/data', name: 'istio-data' },
    ...(p.annotations[A.bootstrapOverride] !== undefined ? [{ mountPath: '/etc/istio/custom-bootstrap', name: 'custom-bootstrap-volume' }] : []),
    { mountPath: '/etc/istio/proxy', name: 'istio-envoy' },
    { mountPath: '/var/run/secrets/tokens', name: 'istio-token' },
    { name: 'istio-podinfo', mountPath: '/etc/istio/pod' },
    ...userEntries(p, A.userVolumeMount),
  ];
}

export function sidecarProxy(p: TemplateParams): Container {
  const proxy = p.values.global.proxy;
  const life = lifecycle(p);
  const resources = proxyResources(p);
  const probes: JsonObject = {};
  if (p.statusPort !== '0') {
    if (proxy.startupProbe.enabled) probes.startupProbe = { httpGet: { path: '/healthz/ready', port: 15021 }, periodSeconds: 1, timeoutSeconds: 3, failureThreshold: proxy.startupProbe.failureThreshold };
    probes.readinessProbe = readinessProbe(15021, annotationOr(p, A.readinessInitialDelay, proxy.readinessInitialDelaySeconds),
      annotationOr(p, A.readinessPeriod, proxy.readinessPeriodSeconds), annotationOr(p, A.readinessFailureThreshold, proxy.readinessFailureThreshold));
  }
  return withPullPolicy(p, {
    name: PROXY_NAME,
    image: proxyImageFor(p),
    ...(p.native ? { restartPolicy: 'Always' } : {}),
    ports: [{ containerPort: 15090, protocol: 'TCP', name: 'http-envoy-prom' }],
    args: sidecarArgs(p, 'sidecar', true),
    ...(life ? { lifecycle: life } : {}),
    env: sidecarEnv(p),
    ...probes,
    securityContext: sidecarSecurityContext(p),
    ...(resources ? { resources } : {}),
    volumeMounts: sidecarMounts(p),
  });
}

function sidecarVolumes(p: TemplateParams): Volume[] {
  const a = p.annotations;
  return [
    { name: 'workload-socket' },
    { name: 'credential-socket' },
    { name: 'workload-certs' },
    ...(a[A.bootstrapOverride] !== undefined ? [{ name: 'custom-bootstrap-volume', configMap: { name: a[A.bootstrapOverride] } }] : []),
    { emptyDir: { medium: 'Memory' }, name: 'istio-envoy' },
    { name: 'istio-data', emptyDir: {} },
    podInfoVolume(),
    tokenVolume(p),
    ...caCertVolume(p),
    ...(userEntries(p, A.userVolume) as Volume[]),
  ];
}

function sidecarAnnotations(p: TemplateParams): Record<string, string> {
  const out: Record<string, string> = { [A.rev]: p.revision || 'default' };
  const first = p.appContainers[0];
  if (first !== undefined) {
    if (p.annotations[A.defaultLogsContainer] === undefined) out[A.defaultLogsContainer] = first;
    if (p.annotations[A.defaultContainer] === undefined) out[A.defaultContainer] = first;
  }
  return p.values.pilot.cni.enabled ? { ...out, ...cniRedirectAnnotations(p) } : out;
}

export function renderSidecar(p: TemplateParams): TemplateOutput {
  const noInit = p.interceptionMode === 'NONE';
  const proxy = sidecarProxy(p);
  const init = noInit ? [] : [istioInit(p)];
  return {
    labels: { 'security.istio.io/tlsMode': p.labels['security.istio.io/tlsMode'] || 'istio', ...canonicalLabels(p, true) },
    annotations: sidecarAnnotations(p),
    initContainers: p.native ? [...init, proxy] : init,
    containers: p.native ? [] : [proxy],
    volumes: sidecarVolumes(p),
    imagePullSecrets: imagePullSecrets(p.values.global.imagePullSecrets),
  };
}
