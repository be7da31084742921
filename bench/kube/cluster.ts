/**
 * A synthetic cluster with realistic object shapes for `npm run bench:kube`: N namespaces;
 * Services with selectors and two ports; Pods owned by ReplicaSets with labels, an app container,
 * the istio-proxy sidecar and an init container, volumes, and a status with podIP, conditions and
 * container statuses; EndpointSlices of a few endpoints each pointing at those Pods (each Pod backs
 * several Services of its namespace, as pods behind more than one Service do). Deterministic: same sizes, same objects.
 */
import type { KubeObject } from '../../test/helpers/fake-kube-api.js';

export interface ClusterSize {
  readonly pods: number;
  readonly services: number;
  readonly slices: number;
  readonly namespaces: number;
  readonly endpointsPerSlice: number;
}

export const DEFAULT_SIZE: ClusterSize = { pods: 10_000, services: 2_000, slices: 10_000, namespaces: 50, endpointsPerSlice: 3 };

const TS = '2024-05-01T10:00:00Z';

export const namespaceName = (i: number) => `team-${i}`;
export const podIp = (p: number) => `10.${100 + ((p >> 16) & 63)}.${(p >> 8) & 255}.${p & 255}`;
export const serviceName = (s: number) => `svc-${s}`;
export const serviceNamespace = (s: number, size: ClusterSize) => namespaceName(s % size.namespaces);

export function podName(p: number): string {
  return `app-${p}-7d9f8c6b5-${(p * 7919).toString(36).padStart(5, 'x').slice(-5)}`;
}

/** Pod p lives in namespace p mod namespaces, next to the Services it backs. */
export function podNamespace(p: number, size: ClusterSize): string {
  return namespaceName(p % size.namespaces);
}

/** The Pod behind endpoint `e` (0-based within its service) of service `s`: same namespace, each Pod behind ~3 services. */
export function endpointPod(s: number, e: number, size: ClusterSize): number {
  const podsPerNamespace = Math.floor(size.pods / size.namespaces);
  const perService = (size.slices / size.services) * size.endpointsPerSlice;
  const local = (Math.floor(s / size.namespaces) * perService + e) % podsPerNamespace;
  return local * size.namespaces + (s % size.namespaces);
}

function containerStatus(name: string, image: string, ready: boolean): Record<string, unknown> {
  return { name, image, imageID: `${image}@sha256:${'ab'.repeat(32)}`, containerID: `containerd://${'cd'.repeat(32)}`, ready, started: ready, restartCount: 0, state: { running: { startedAt: TS } } };
}

export function pod(p: number, size: ClusterSize, generation = 0): KubeObject {
  const app = `app-${p % 500}`;
  const ready = generation % 2 === 0;
  return {
    metadata: {
      name: podName(p),
      namespace: podNamespace(p, size),
      labels: { app, version: 'v1', 'pod-template-hash': '7d9f8c6b5', 'security.istio.io/tlsMode': 'istio', 'service.istio.io/canonical-name': app, 'service.istio.io/canonical-revision': 'v1' },
      annotations: { 'kubectl.kubernetes.io/default-container': 'app', 'prometheus.io/scrape': 'true', 'prometheus.io/port': '15020', 'sidecar.istio.io/status': '{"initContainers":["istio-init"],"containers":["istio-proxy"],"volumes":["istio-envoy","istio-data","istio-podinfo","istio-token","istiod-ca-cert"]}' },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `${app}-7d9f8c6b5`, uid: `00000000-0000-4000-8000-${String(p % 500).padStart(12, '0')}`, controller: true, blockOwnerDeletion: true }],
    },
    spec: {
      serviceAccountName: app,
      nodeName: `node-${p % 100}`,
      initContainers: [{ name: 'istio-init', image: 'docker.io/istio/proxyv2:1.22.0', args: ['istio-iptables', '-p', '15001', '-z', '15006', '-u', '1337'], resources: { requests: { cpu: '10m', memory: '40Mi' } } }],
      containers: [
        { name: 'app', image: `registry.example.com/${app}:1.4.2`, ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }, { name: 'grpc', containerPort: 9090, protocol: 'TCP' }], env: [{ name: 'LOG_LEVEL', value: 'info' }, { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }], resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } }, readinessProbe: { httpGet: { path: '/app-health/app/readyz', port: 15020 }, periodSeconds: 10 } },
        { name: 'istio-proxy', image: 'docker.io/istio/proxyv2:1.22.0', args: ['proxy', 'sidecar', '--domain', '$(POD_NAMESPACE).svc.cluster.local'], ports: [{ name: 'http-envoy-prom', containerPort: 15090, protocol: 'TCP' }], env: [{ name: 'ISTIO_META_CLUSTER_ID', value: 'Kubernetes' }, { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } }], resources: { requests: { cpu: '10m', memory: '40Mi' }, limits: { cpu: '2', memory: '1Gi' } } },
      ],
      volumes: [{ name: 'istio-envoy', emptyDir: { medium: 'Memory' } }, { name: 'istio-token', projected: { sources: [{ serviceAccountToken: { audience: 'istio-ca', expirationSeconds: 43200, path: 'istio-token' } }] } }, { name: 'istiod-ca-cert', configMap: { name: 'istio-ca-root-cert' } }],
    },
    status: {
      phase: 'Running',
      podIP: podIp(p),
      podIPs: [{ ip: podIp(p) }],
      hostIP: `192.168.${Math.floor((p % 100) / 250)}.${(p % 100) + 1}`,
      startTime: TS,
      qosClass: 'Burstable',
      conditions: ['Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map((type) => ({ type, status: type === 'Ready' || type === 'ContainersReady' ? (ready ? 'True' : 'False') : 'True', lastProbeTime: null, lastTransitionTime: TS })),
      containerStatuses: [containerStatus('app', `registry.example.com/${app}:1.4.2`, ready), containerStatus('istio-proxy', 'docker.io/istio/proxyv2:1.22.0', true)],
    },
  };
}

export function service(s: number, size: ClusterSize): KubeObject {
  const app = `app-${s % 500}`;
  return {
    metadata: { name: serviceName(s), namespace: serviceNamespace(s, size), labels: { app, 'app.kubernetes.io/part-of': 'bench' } },
    spec: { selector: { app }, ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }, { name: 'grpc', port: 9090, targetPort: 9090, protocol: 'TCP', appProtocol: 'grpc' }] },
  };
}

/** Slice `j` of service `s`; `generation` flips one endpoint's readiness. */
export function slice(s: number, j: number, size: ClusterSize, generation = 0): KubeObject {
  const endpoints = [];
  for (let k = 0; k < size.endpointsPerSlice; k++) {
    const p = endpointPod(s, j * size.endpointsPerSlice + k, size);
    const ready = !(k === 0 && generation % 2 === 1);
    endpoints.push({ addresses: [podIp(p)], conditions: { ready, serving: ready, terminating: false }, nodeName: `node-${p % 100}`, zone: `zone-${p % 3}`, targetRef: { kind: 'Pod', namespace: podNamespace(p, size), name: podName(p), uid: `pod-uid-${p}` } });
  }
  return {
    metadata: {
      name: `${serviceName(s)}-${j.toString(36)}x${(s * 31 + j).toString(36)}`,
      namespace: serviceNamespace(s, size),
      labels: { 'kubernetes.io/service-name': serviceName(s), 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' },
      ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: serviceName(s), uid: `svc-uid-${s}`, controller: true, blockOwnerDeletion: true }],
    },
    addressType: 'IPv4',
    endpoints,
    ports: [{ name: 'http', port: 8080, protocol: 'TCP' }, { name: 'grpc', port: 9090, protocol: 'TCP', appProtocol: 'grpc' }],
  };
}
