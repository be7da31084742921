/**
 * istiod's built-in mesh defaults (Istio's DefaultMeshConfig / DefaultProxyConfig): what a
 * mesh gets when the `istio` ConfigMap or --meshConfig file says nothing. Fresh objects on
 * every call; parseMeshConfig freezes its result.
 */
import type { MeshConfig, ProxyConfig } from './mesh-types.js';

export function defaultProxyConfig(): ProxyConfig {
  return {
    configPath: './etc/istio/proxy',
    binaryPath: '/usr/local/bin/envoy',
    serviceCluster: 'istio-proxy',
    drainDuration: '45s',
    parentShutdownDuration: '60s',
    terminationDrainDuration: '5s',
    discoveryAddress: 'istiod.istio-system.svc:15012',
    proxyAdminPort: 15000,
    controlPlaneAuthPolicy: 'MUTUAL_TLS',
    statNameLength: 189,
    concurrency: 2,
    tracing: { zipkin: { address: 'zipkin.istio-system:9411' } },
    proxyMetadata: {},
    statusPort: 15020,
  };
}

export function defaultMeshConfig(): MeshConfig {
  return {
    proxyListenPort: 15001,
    connectTimeout: '10s',
    protocolDetectionTimeout: '0s',
    ingressClass: 'istio',
    ingressService: 'istio-ingressgateway',
    ingressControllerMode: 'STRICT',
    enableTracing: true,
    accessLogFile: '',
    accessLogFormat: '',
    accessLogEncoding: 'TEXT',
    enableEnvoyAccessLogService: false,
    defaultConfig: defaultProxyConfig(),
    outboundTrafficPolicy: { mode: 'ALLOW_ANY' },
    enableAutoMtls: true,
    trustDomain: 'cluster.local',
    trustDomainAliases: [],
    defaultServiceExportTo: ['*'],
    defaultVirtualServiceExportTo: ['*'],
    defaultDestinationRuleExportTo: ['*'],
    rootNamespace: 'istio-system',
    localityLbSetting: { enabled: true },
    // Envoy uses the record TTL on success; this only paces retries after DNS failures.
    dnsRefreshRate: '60s',
    certificates: [],
    serviceSettings: [],
    enablePrometheusMerge: true,
    extensionProviders: [
      { name: 'prometheus', prometheus: {} },
      { name: 'stackdriver', stackdriver: {} },
      { name: 'envoy', envoyFileAccessLog: { path: '/dev/stdout' } },
    ],
    defaultProviders: {},
  };
}
