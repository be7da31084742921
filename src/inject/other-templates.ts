/** The `gateway`, `grpc-agent` and `grpc-simple` templates. */
import { A, PROXY_NAME } from './annotations.js';
import type { Container, JsonObject, Volume } from './k8s.js';
import { annotationOr, type TemplateParams } from './params.js';
import {
  canonicalLabels, caAddress, caCertVolume, fieldEnv, podIdentityEnv, podInfoVolume, podPortsJson, protoJson, proxyResources,
  readinessProbe, resourceEnv, tokenVolume, userEntries, valueEnv, workloadEnv,
} from './proxy-parts.js';
import { proxyEnvHead, proxyImageFor, sidecarArgs } from './sidecar-template.js';
import { imagePullSecrets, type TemplateOutput } from './template-output.js';

/** gateway and grpc-agent set the default-container annotations only for a single app container. */
function singleContainerAnnotations(p: TemplateParams): Record<string, string> {
  const only = p.appContainers.length === 1 ? p.appContainers[0]! : undefined;
  return only === undefined ? {} : { [A.defaultLogsContainer]: only, [A.defaultContainer]: only };
}

function withPullPolicy(p: TemplateParams, c: Container): Container {
  return p.values.global.imagePullPolicy ? { ...c, imagePullPolicy: p.values.global.imagePullPolicy } : c;
}

function gatewayProxy(p: TemplateParams): Container {
  const proxy = p.values.global.proxy;
  const env: JsonObject[] = [
    ...proxyEnvHead(p),
    resourceEnv('GOMEMLIMIT', 'limits.memory'),
    resourceEnv('GOMAXPROCS', 'limits.cpu'),
    valueEnv('ISTIO_META_APP_CONTAINERS', p.appContainers.join(',')),
    valueEnv('ISTIO_META_CLUSTER_ID', p.clusterId),
    fieldEnv('ISTIO_META_NODE_NAME', 'spec.nodeName'),
    valueEnv('ISTIO_META_INTERCEPTION_MODE', p.proxyConfig.interceptionMode ?? 'REDIRECT'),
    ...workloadEnv(p, { bootstrapOverride: false }),
  ];
  const life = p.values.global.proxy.lifecycle;
  return withPullPolicy(p, {
    name: PROXY_NAME,
    image: proxyImageFor(p),
    ports: [{ containerPort: 15090, protocol: 'TCP', name: 'http-envoy-prom' }],
    args: sidecarArgs(p, 'router', true),
    ...(life ? { lifecycle: structuredClone(life) } : {}),
    securityContext: { runAsUser: 1337, runAsGroup: 1337 },
    env,
    readinessProbe: readinessProbe(15021, String(proxy.readinessInitialDelaySeconds), String(proxy.readinessPeriodSeconds), String(proxy.readinessFailureThreshold)),
    volumeMounts: [
      { name: 'workload-socket', mountPath: '/var/run/secrets/workload-spiffe-uds' },
      { name: 'credential-socket', mountPath: '/var/run/secrets/credential-uds' },
      { name: 'workload-certs', mountPath: '/var/run/secrets/workload-spiffe-credentials' },
      ...(p.values.global.pilotCertProvider === 'istiod' ? [{ mountPath: '/var/run/secrets/istio', name: 'istiod-ca-cert' }] : []),
      { mountPath: '/var/lib/istio/data', name: 'istio-data' },
      { mountPath: '/etc/istio/proxy', name: 'istio-envoy' },
      { mountPath: '/var/run/secrets/tokens', name: 'istio-token' },
      { name: 'istio-podinfo', mountPath: '/etc/istio/pod' },
    ],
  });
}

export function renderGateway(p: TemplateParams): TemplateOutput {
  const volumes: Volume[] = [
    { emptyDir: {}, name: 'workload-socket' },
    { emptyDir: {}, name: 'credential-socket' },
    { emptyDir: {}, name: 'workload-certs' },
    { emptyDir: { medium: 'Memory' }, name: 'istio-envoy' },
    { name: 'istio-data', emptyDir: {} },
    podInfoVolume(),
    tokenVolume(p),
    ...caCertVolume(p),
  ];
  const sc = p.values.gateways.securityContext;
  return {
    labels: canonicalLabels(p, false),
    annotations: { [A.rev]: p.revision || 'default', ...singleContainerAnnotations(p) },
    initContainers: [],
    containers: [gatewayProxy(p)],
    volumes,
    imagePullSecrets: imagePullSecrets(p.values.global.imagePullSecrets),
    podSecurityContext: sc ? structuredClone(sc) : { sysctls: [{ name: 'net.ipv4.ip_unprivileged_port_start', value: '0' }] },
  };
}

function grpcAgentProxy(p: TemplateParams): Container {
  const proxy = p.values.global.proxy;
  const resources = proxyResources(p);
  const env: JsonObject[] = [
    valueEnv('ISTIO_META_GENERATOR', 'grpc'),
    valueEnv('OUTPUT_CERTS', '/var/lib/istio/data'),
    valueEnv('PILOT_CERT_PROVIDER', p.values.global.pilotCertProvider),
    valueEnv('CA_ADDR', caAddress(p)),
    ...podIdentityEnv(),
    valueEnv('PROXY_CONFIG', `${protoJson(p.proxyConfig)}\n`),
    valueEnv('ISTIO_META_POD_PORTS', podPortsJson(p)),
    valueEnv('ISTIO_META_APP_CONTAINERS', p.appContainers.join(',')),
    valueEnv('ISTIO_META_CLUSTER_ID', p.clusterId),
    valueEnv('ISTIO_META_INTERCEPTION_MODE', p.interceptionMode),
    ...workloadEnv(p, { bootstrapOverride: false }),
    // gRPC resolves xds:/// names itself: no DNS capture, and no Envoy at all.
    valueEnv('ISTIO_META_DNS_CAPTURE', 'false'),
    valueEnv('DISABLE_ENVOY', 'true'),
  ];
  return withPullPolicy(p, {
    name: PROXY_NAME,
    image: proxyImageFor(p),
    args: sidecarArgs(p, 'sidecar', false),
    env,
    ...(p.statusPort !== '0' ? {
      readinessProbe: readinessProbe(proxy.statusPort, annotationOr(p, A.readinessInitialDelay, proxy.readinessInitialDelaySeconds),
        annotationOr(p, A.readinessPeriod, proxy.readinessPeriodSeconds), annotationOr(p, A.readinessFailureThreshold, proxy.readinessFailureThreshold)),
    } : {}),
    ...(resources ? { resources } : {}),
    volumeMounts: [
      ...(p.values.global.pilotCertProvider === 'istiod' ? [{ mountPath: '/var/run/secrets/istio', name: 'istiod-ca-cert' }] : []),
      { mountPath: '/var/lib/istio/data', name: 'istio-data' },
      { mountPath: '/etc/istio/proxy', name: 'istio-xds' },
      { mountPath: '/var/run/secrets/tokens', name: 'istio-token' },
      { name: 'istio-podinfo', mountPath: '/etc/istio/pod' },
      ...userEntries(p, A.userVolumeMount),
    ],
  });
}

export function renderGrpcAgent(p: TemplateParams): TemplateOutput {
  const apps: Container[] = p.appContainers.map((name) => ({
    name,
    env: [valueEnv('GRPC_XDS_EXPERIMENTAL_SECURITY_SUPPORT', 'true'), valueEnv('GRPC_XDS_BOOTSTRAP', '/etc/istio/proxy/grpc-bootstrap.json')],
    volumeMounts: [{ mountPath: '/var/lib/istio/data', name: 'istio-data' }, { mountPath: '/etc/istio/proxy', name: 'istio-xds' }],
  }));
  return {
    labels: canonicalLabels(p, false),
    annotations: { ...singleContainerAnnotations(p), [A.rewriteAppHTTPProbers]: 'false' },
    initContainers: [],
    containers: [...apps, grpcAgentProxy(p)],
    volumes: [
      { emptyDir: { medium: 'Memory' }, name: 'istio-xds' },
      { name: 'istio-data', emptyDir: {} },
      podInfoVolume(),
      tokenVolume(p),
      ...caCertVolume(p),
      ...(userEntries(p, A.userVolume) as Volume[]),
    ],
    imagePullSecrets: [],
  };
}

const BOOTSTRAP_DIR = '/var/lib/grpc/data/';

/** Writes a gRPC xDS bootstrap pointing at istiod's plaintext port (no agent, no mTLS). */
function bootstrapScript(domain: string): string {
  return [
    `NODE_ID="sidecar~\${INSTANCE_IP}~\${POD_NAME}.\${POD_NAMESPACE}~${domain}"`,
    'SERVER_URI="dns:///istiod.${ISTIO_NAMESPACE}.svc:15010"',
    'cat > /var/lib/grpc/data/bootstrap.json <<EOF',
    '{"xds_servers": [{"server_uri": "${SERVER_URI}", "channel_creds": [{"type": "insecure"}], "server_features": ["xds_v3"]}],',
    ' "node": {"id": "${NODE_ID}", "metadata": {"GENERATOR": "grpc"}}}',
    'EOF',
  ].join('\n');
}

export function renderGrpcSimple(p: TemplateParams): TemplateOutput {
  const mount = { mountPath: BOOTSTRAP_DIR, name: 'grpc-io-proxyless-bootstrap' };
  const init: Container = {
    name: 'grpc-bootstrap-init',
    image: 'busybox:1.28',
    command: ['sh', '-c', bootstrapScript(p.values.global.proxy.clusterDomain)],
    env: [fieldEnv('INSTANCE_IP', 'status.podIP'), fieldEnv('POD_NAME', 'metadata.name'), fieldEnv('POD_NAMESPACE', 'metadata.namespace'), valueEnv('ISTIO_NAMESPACE', `${p.values.global.istioNamespace}\n`)],
    volumeMounts: [mount],
  };
  const apps: Container[] = p.appContainers.map((name) => ({
    name,
    env: [valueEnv('GRPC_XDS_BOOTSTRAP', `${BOOTSTRAP_DIR}bootstrap.json`), valueEnv('GRPC_GO_LOG_VERBOSITY_LEVEL', '99'), valueEnv('GRPC_GO_LOG_SEVERITY_LEVEL', 'info')],
    volumeMounts: [mount],
  }));
  return { labels: {}, annotations: {}, initContainers: [init], containers: apps, volumes: [{ name: 'grpc-io-proxyless-bootstrap', emptyDir: {} }], imagePullSecrets: [] };
}
