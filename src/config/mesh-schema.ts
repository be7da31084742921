/**
 * The shape of MeshConfig as data: which fields exist and what each holds. The decoder walks
 * this table, so type errors, unknown fields and enum checks are reported the same way for
 * every field without hand-written code per field. Istio's semantic rules live in mesh-rules.ts.
 */

export type FieldSpec =
  | { readonly type: 'string' | 'bool' | 'duration' | 'double' | 'open' }
  | { readonly type: 'int'; readonly min: number; readonly max: number }
  | { readonly type: 'enum'; readonly values: readonly string[] }
  | { readonly type: 'list'; readonly of: FieldSpec }
  | { readonly type: 'map'; readonly of: FieldSpec }
  | MessageSpec;

export interface MessageSpec {
  readonly type: 'message';
  readonly fields: Readonly<Record<string, FieldSpec>>;
  /** Groups of fields that form a proto oneof: at most one of each group may be set. */
  readonly oneOf?: readonly (readonly string[])[];
  /** Fields Istio removed: accepted with a warning so old ConfigMaps keep loading. */
  readonly removed?: readonly string[];
}

const str: FieldSpec = { type: 'string' };
const bool: FieldSpec = { type: 'bool' };
const dur: FieldSpec = { type: 'duration' };
const double: FieldSpec = { type: 'double' };
const open: FieldSpec = { type: 'open' };
const int32: FieldSpec = { type: 'int', min: -2147483648, max: 2147483647 };
const uint32: FieldSpec = { type: 'int', min: 0, max: 4294967295 };
const strings: FieldSpec = { type: 'list', of: str };
const stringMap: FieldSpec = { type: 'map', of: str };
const enumOf = (...values: string[]): FieldSpec => ({ type: 'enum', values });
const list = (of: FieldSpec): FieldSpec => ({ type: 'list', of });
const msg = (fields: Record<string, FieldSpec>, extra: Omit<MessageSpec, 'type' | 'fields'> = {}): MessageSpec => ({
  type: 'message',
  fields,
  ...extra,
});

const tcpKeepalive = msg({ probes: uint32, time: dur, interval: dur });
const remoteService = msg({ address: str, tlsSettings: open, tcpKeepalive });

const tracing = msg(
  {
    zipkin: msg({ address: str, enable64bitTraceId: bool }),
    lightstep: msg({ address: str, accessToken: str }),
    datadog: msg({ address: str }),
    stackdriver: open,
    openCensusAgent: msg({ address: str, context: list(enumOf('UNSPECIFIED', 'W3C_TRACE_CONTEXT', 'GRPC_BIN', 'CLOUD_TRACE_CONTEXT', 'B3')) }),
    customTags: { type: 'map', of: open },
    maxPathTagLength: uint32,
    sampling: double,
    tlsSettings: open,
    enableIstioTags: bool,
  },
  { oneOf: [['zipkin', 'lightstep', 'datadog', 'stackdriver', 'openCensusAgent']] },
);

export const PROXY_CONFIG_SPEC = msg(
  {
    configPath: str,
    binaryPath: str,
    serviceCluster: str,
    tracingServiceName: enumOf('APP_LABEL_AND_NAMESPACE', 'CANONICAL_NAME_ONLY', 'CANONICAL_NAME_AND_NAMESPACE'),
    drainDuration: dur,
    parentShutdownDuration: dur,
    terminationDrainDuration: dur,
    discoveryAddress: str,
    statsdUdpAddress: str,
    envoyMetricsService: remoteService,
    envoyAccessLogService: remoteService,
    proxyAdminPort: int32,
    controlPlaneAuthPolicy: enumOf('NONE', 'MUTUAL_TLS', 'INHERIT'),
    customConfigFile: str,
    statNameLength: int32,
    concurrency: int32,
    proxyBootstrapTemplatePath: str,
    interceptionMode: enumOf('REDIRECT', 'TPROXY', 'NONE'),
    tracing,
    proxyMetadata: stringMap,
    runtimeValues: stringMap,
    statusPort: int32,
    extraStatTags: strings,
    gatewayTopology: open,
    meshId: str,
    readinessProbe: open,
    proxyStatsMatcher: msg({ inclusionPrefixes: strings, inclusionSuffixes: strings, inclusionRegexps: strings }),
    holdApplicationUntilProxyStarts: bool,
    caCertificatesPem: strings,
    image: msg({ imageType: str }),
    privateKeyProvider: open,
    proxyHeaders: open,
    fileFlushInterval: dur,
    fileFlushMinSizeKb: uint32,
  },
  {
    oneOf: [['serviceCluster', 'tracingServiceName']],
    removed: ['zipkinAddress', 'envoyMetricsServiceAddress', 'discoveryRefreshDelay', 'connectTimeout', 'availabilityZone', 'sds', 'envoyAccessLogServiceAddress'],
  },
);

/** Provider kinds of MeshConfig.ExtensionProvider (a proto oneof next to `name`). */
export const EXTENSION_PROVIDER_KINDS = [
  'envoyExtAuthzHttp', 'envoyExtAuthzGrpc', 'zipkin', 'lightstep', 'datadog', 'stackdriver', 'opencensus',
  'skywalking', 'opentelemetry', 'prometheus', 'envoyFileAccessLog', 'envoyHttpAls', 'envoyTcpAls', 'envoyOtelAls', 'sds',
] as const;

/** The ext_authz provider bodies, typed so mistakes surface when the mesh config loads. */
const extAuthzBody = msg({ maxRequestBytes: uint32, allowPartialMessage: bool, packAsBytes: bool });
const extAuthzCommon = { service: str, port: uint32, timeout: dur, failOpen: bool, statusOnError: str, includeRequestBodyInCheck: extAuthzBody, clearRouteCache: bool };
const EXT_AUTHZ_SPECS: Readonly<Record<string, FieldSpec>> = {
  envoyExtAuthzGrpc: msg(extAuthzCommon),
  envoyExtAuthzHttp: msg({
    ...extAuthzCommon,
    pathPrefix: str,
    includeHeadersInCheck: strings,
    includeRequestHeadersInCheck: strings,
    includeAdditionalHeadersInCheck: stringMap,
    headersToUpstreamOnAllow: strings,
    headersToDownstreamOnDeny: strings,
    headersToDownstreamOnAllow: strings,
  }),
};

/** envoyFileAccessLog: a file path and a text format or JSON labels (a Struct, so any mapping). */
const fileAccessLogBody = msg({
  path: str,
  logFormat: msg({ text: str, labels: open }, { oneOf: [['text', 'labels']] }),
  omitEmptyValues: bool,
});

const TYPED_PROVIDER_SPECS: Readonly<Record<string, FieldSpec>> = { ...EXT_AUTHZ_SPECS, envoyFileAccessLog: fileAccessLogBody };

const extensionProvider = msg(
  { name: str, ...Object.fromEntries(EXTENSION_PROVIDER_KINDS.map((k) => [k, TYPED_PROVIDER_SPECS[k] ?? open])) },
  { oneOf: [[...EXTENSION_PROVIDER_KINDS]] },
);

const labelSelector = msg({
  matchLabels: stringMap,
  matchExpressions: list(msg({ key: str, operator: enumOf('In', 'NotIn', 'Exists', 'DoesNotExist'), values: strings })),
});

const tlsConfig = msg({ minProtocolVersion: enumOf('TLS_AUTO', 'TLSV1_2', 'TLSV1_3'), ecdhCurves: strings, cipherSuites: strings });

const localityLbSetting = msg({
  distribute: list(msg({ from: str, to: { type: 'map', of: uint32 } })),
  failover: list(msg({ from: str, to: str })),
  failoverPriority: strings,
  enabled: bool,
});

export const MESH_CONFIG_SPEC = msg(
  {
    proxyListenPort: int32,
    proxyInboundListenPort: int32,
    proxyHttpPort: int32,
    connectTimeout: dur,
    protocolDetectionTimeout: dur,
    tcpKeepalive,
    ingressClass: str,
    ingressService: str,
    ingressControllerMode: enumOf('UNSPECIFIED', 'OFF', 'DEFAULT', 'STRICT'),
    ingressSelector: str,
    enableTracing: bool,
    accessLogFile: str,
    accessLogFormat: str,
    accessLogEncoding: enumOf('TEXT', 'JSON'),
    enableEnvoyAccessLogService: bool,
    disableEnvoyListenerLog: bool,
    defaultConfig: PROXY_CONFIG_SPEC,
    outboundTrafficPolicy: msg({ mode: enumOf('REGISTRY_ONLY', 'ALLOW_ANY'), egressProxy: open }),
    inboundTrafficPolicy: msg({ mode: enumOf('PASSTHROUGH', 'LOCALHOST') }),
    configSources: list(open),
    enableAutoMtls: bool,
    trustDomain: str,
    trustDomainAliases: strings,
    caCertificates: list(msg({ pem: str, spiffeBundleUrl: str, certSigners: strings, trustDomains: strings })),
    defaultServiceExportTo: strings,
    defaultVirtualServiceExportTo: strings,
    defaultDestinationRuleExportTo: strings,
    rootNamespace: str,
    localityLbSetting,
    dnsRefreshRate: dur,
    h2UpgradePolicy: enumOf('DO_NOT_UPGRADE', 'UPGRADE'),
    inboundClusterStatName: str,
    outboundClusterStatName: str,
    certificates: list(open),
    serviceSettings: list(msg({ settings: msg({ clusterLocal: bool }), hosts: strings })),
    enablePrometheusMerge: bool,
    verifyCertificateAtClient: bool,
    ca: open,
    extensionProviders: list(extensionProvider),
    defaultProviders: msg({ tracing: strings, metrics: strings, accessLogging: strings }),
    discoverySelectors: list(labelSelector),
    pathNormalization: msg({
      normalization: enumOf('DEFAULT', 'NONE', 'BASE', 'MERGE_SLASHES', 'DECODE_AND_MERGE_SLASHES'),
    }),
    defaultHttpRetryPolicy: msg({ attempts: int32, perTryTimeout: dur, retryOn: str, retryRemoteLocalities: bool, backoff: dur }),
    meshMTLS: tlsConfig,
    tlsDefaults: tlsConfig,
    serviceScopeConfigs: list(open),
    thriftConfig: open,
  },
  {
    removed: [
      'mixerCheckServer', 'mixerReportServer', 'disablePolicyChecks', 'policyCheckFailOpen', 'sidecarToTelemetrySessionAffinity',
      'authPolicy', 'rdsRefreshDelay', 'mtlsExcludedServices', 'sdsUdsPath', 'sdsRefreshDelay', 'enableSdsTokenMount',
      'sdsUseK8sSaJwt', 'reportBatchMaxEntries', 'reportBatchMaxTime', 'enableClientSidePolicyCheck', 'disableMixerHttpReports',
    ],
  },
);
