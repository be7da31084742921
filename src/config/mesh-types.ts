/**
 * Istio's MeshConfig (istio.io/api mesh/v1alpha1) in the proto3-JSON shape operators write in
 * the `mesh` key of the `istio` ConfigMap: camelCase names, durations as strings ("10s"),
 * wrapper types (BoolValue, Int32Value) as plain scalars. Only fields with a default are
 * non-optional. Rarely used nested messages are typed loosely (`OpenObject`).
 */

/** A Go/proto duration string as written, e.g. "10s", "1m30s", "100ms". */
export type Duration = string;

/** A nested message this project passes through without interpreting. */
export type OpenObject = Readonly<Record<string, unknown>>;

export type OutboundTrafficPolicyMode = 'REGISTRY_ONLY' | 'ALLOW_ANY';
export type IngressControllerMode = 'UNSPECIFIED' | 'OFF' | 'DEFAULT' | 'STRICT';
export type AccessLogEncoding = 'TEXT' | 'JSON';
export type H2UpgradePolicy = 'DO_NOT_UPGRADE' | 'UPGRADE';
export type AuthenticationPolicy = 'NONE' | 'MUTUAL_TLS' | 'INHERIT';
export type InterceptionMode = 'REDIRECT' | 'TPROXY' | 'NONE';
export type TlsProtocolVersion = 'TLS_AUTO' | 'TLSV1_2' | 'TLSV1_3';
export type PathNormalizationMode = 'DEFAULT' | 'NONE' | 'BASE' | 'MERGE_SLASHES' | 'DECODE_AND_MERGE_SLASHES';
export type TracingServiceName = 'APP_LABEL_AND_NAMESPACE' | 'CANONICAL_NAME_ONLY' | 'CANONICAL_NAME_AND_NAMESPACE';

export interface TcpKeepalive {
  readonly probes?: number;
  readonly time?: Duration;
  readonly interval?: Duration;
}

export interface Tracing {
  readonly zipkin?: { readonly address?: string; readonly enable64bitTraceId?: boolean };
  readonly lightstep?: { readonly address?: string; readonly accessToken?: string };
  readonly datadog?: { readonly address?: string };
  readonly stackdriver?: OpenObject;
  readonly openCensusAgent?: { readonly address?: string; readonly context?: readonly string[] };
  readonly customTags?: Readonly<Record<string, OpenObject>>;
  readonly maxPathTagLength?: number;
  readonly sampling?: number;
  readonly tlsSettings?: OpenObject;
  readonly enableIstioTags?: boolean;
}

export interface RemoteService {
  readonly address?: string;
  readonly tlsSettings?: OpenObject;
  readonly tcpKeepalive?: TcpKeepalive;
}

/** meshconfig.ProxyConfig: the defaults every sidecar and gateway starts from. */
export interface ProxyConfig {
  readonly configPath: string;
  readonly binaryPath: string;
  /** One of serviceCluster / tracingServiceName (a proto oneof). */
  readonly serviceCluster?: string;
  readonly tracingServiceName?: TracingServiceName;
  readonly drainDuration: Duration;
  /** Deprecated in Istio; still accepted. */
  readonly parentShutdownDuration?: Duration;
  readonly terminationDrainDuration: Duration;
  readonly discoveryAddress: string;
  readonly statsdUdpAddress?: string;
  readonly envoyMetricsService?: RemoteService;
  readonly envoyAccessLogService?: RemoteService;
  readonly proxyAdminPort: number;
  readonly controlPlaneAuthPolicy: AuthenticationPolicy;
  readonly customConfigFile?: string;
  readonly statNameLength: number;
  readonly concurrency?: number;
  readonly proxyBootstrapTemplatePath?: string;
  readonly interceptionMode?: InterceptionMode;
  readonly tracing?: Tracing;
  readonly proxyMetadata: Readonly<Record<string, string>>;
  readonly runtimeValues?: Readonly<Record<string, string>>;
  readonly statusPort: number;
  readonly extraStatTags?: readonly string[];
  readonly gatewayTopology?: OpenObject;
  readonly meshId?: string;
  readonly readinessProbe?: OpenObject;
  readonly proxyStatsMatcher?: {
    readonly inclusionPrefixes?: readonly string[];
    readonly inclusionSuffixes?: readonly string[];
    readonly inclusionRegexps?: readonly string[];
  };
  readonly holdApplicationUntilProxyStarts?: boolean;
  readonly caCertificatesPem?: readonly string[];
  readonly image?: { readonly imageType?: string };
  readonly privateKeyProvider?: OpenObject;
  readonly proxyHeaders?: OpenObject;
  readonly fileFlushInterval?: Duration;
  readonly fileFlushMinSizeKb?: number;
}

export interface LocalityLbSetting {
  readonly distribute?: readonly { readonly from?: string; readonly to?: Readonly<Record<string, number>> }[];
  readonly failover?: readonly { readonly from?: string; readonly to?: string }[];
  readonly failoverPriority?: readonly string[];
  readonly enabled?: boolean;
}

export interface LabelSelectorRequirement {
  readonly key: string;
  readonly operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  readonly values?: readonly string[];
}

/** A Kubernetes LabelSelector, as used by discoverySelectors. */
export interface LabelSelector {
  readonly matchLabels?: Readonly<Record<string, string>>;
  readonly matchExpressions?: readonly LabelSelectorRequirement[];
}

/**
 * One extension provider: `name` plus exactly one provider kind (envoyExtAuthzHttp,
 * envoyExtAuthzGrpc, zipkin, lightstep, datadog, stackdriver, opencensus, skywalking,
 * opentelemetry, prometheus, envoyFileAccessLog, envoyHttpAls, envoyTcpAls, envoyOtelAls, sds).
 */
export interface ExtensionProvider {
  readonly name: string;
  readonly [provider: string]: unknown;
}

/** MeshConfig.ExtensionProvider.EnvoyExternalAuthorizationRequestBody. */
export interface EnvoyExtAuthzRequestBody {
  readonly maxRequestBytes?: number;
  readonly allowPartialMessage?: boolean;
  readonly packAsBytes?: boolean;
}

/** Fields both ext_authz provider kinds share. `service` is `[<namespace>/]<hostname>`. */
interface EnvoyExtAuthzCommon {
  readonly service?: string;
  readonly port?: number;
  readonly timeout?: Duration;
  readonly failOpen?: boolean;
  /** An HTTP status code as a decimal string, e.g. "503". */
  readonly statusOnError?: string;
  readonly includeRequestBodyInCheck?: EnvoyExtAuthzRequestBody;
  readonly clearRouteCache?: boolean;
}

/** MeshConfig.ExtensionProvider.EnvoyExternalAuthorizationHttpProvider (`envoyExtAuthzHttp`). */
export interface EnvoyExtAuthzHttpProvider extends EnvoyExtAuthzCommon {
  readonly pathPrefix?: string;
  /** Deprecated in Istio for includeRequestHeadersInCheck; used only when that one is empty. */
  readonly includeHeadersInCheck?: readonly string[];
  readonly includeRequestHeadersInCheck?: readonly string[];
  readonly includeAdditionalHeadersInCheck?: Readonly<Record<string, string>>;
  readonly headersToUpstreamOnAllow?: readonly string[];
  readonly headersToDownstreamOnDeny?: readonly string[];
  readonly headersToDownstreamOnAllow?: readonly string[];
}

/** MeshConfig.ExtensionProvider.EnvoyExternalAuthorizationGrpcProvider (`envoyExtAuthzGrpc`). */
export type EnvoyExtAuthzGrpcProvider = EnvoyExtAuthzCommon;

/**
 * MeshConfig.ExtensionProvider.EnvoyFileAccessLogProvider (`envoyFileAccessLog`): Envoy's file
 * access logger. `path` defaults to /dev/stdout; `logFormat` is a oneof of `text` (Envoy format
 * string) and `labels` (JSON fields, a google.protobuf.Struct); neither means Istio's text format.
 */
export interface EnvoyFileAccessLogProvider {
  readonly path?: string;
  readonly logFormat?: { readonly text?: string; readonly labels?: OpenObject };
  readonly omitEmptyValues?: boolean;
}

export interface DefaultProviders {
  readonly tracing?: readonly string[];
  readonly metrics?: readonly string[];
  readonly accessLogging?: readonly string[];
}

export interface TlsConfig {
  readonly minProtocolVersion?: TlsProtocolVersion;
  readonly ecdhCurves?: readonly string[];
  readonly cipherSuites?: readonly string[];
}

export interface ServiceSettings {
  readonly settings?: { readonly clusterLocal?: boolean };
  readonly hosts?: readonly string[];
}

export interface CertificateData {
  readonly pem?: string;
  readonly spiffeBundleUrl?: string;
  readonly certSigners?: readonly string[];
  readonly trustDomains?: readonly string[];
}

export interface HttpRetry {
  readonly attempts?: number;
  readonly perTryTimeout?: Duration;
  readonly retryOn?: string;
  readonly retryRemoteLocalities?: boolean;
  readonly backoff?: Duration;
}

export interface MeshConfig {
  readonly proxyListenPort: number;
  readonly proxyInboundListenPort?: number;
  readonly proxyHttpPort?: number;
  readonly connectTimeout: Duration;
  readonly protocolDetectionTimeout: Duration;
  readonly tcpKeepalive?: TcpKeepalive;
  readonly ingressClass: string;
  readonly ingressService: string;
  readonly ingressControllerMode: IngressControllerMode;
  readonly ingressSelector?: string;
  readonly enableTracing: boolean;
  readonly accessLogFile: string;
  readonly accessLogFormat: string;
  readonly accessLogEncoding: AccessLogEncoding;
  readonly enableEnvoyAccessLogService: boolean;
  readonly disableEnvoyListenerLog?: boolean;
  readonly defaultConfig: ProxyConfig;
  readonly outboundTrafficPolicy: { readonly mode: OutboundTrafficPolicyMode; readonly egressProxy?: OpenObject };
  readonly inboundTrafficPolicy?: { readonly mode?: 'PASSTHROUGH' | 'LOCALHOST' };
  readonly configSources?: readonly OpenObject[];
  readonly enableAutoMtls: boolean;
  readonly trustDomain: string;
  readonly trustDomainAliases: readonly string[];
  readonly caCertificates?: readonly CertificateData[];
  readonly defaultServiceExportTo: readonly string[];
  readonly defaultVirtualServiceExportTo: readonly string[];
  readonly defaultDestinationRuleExportTo: readonly string[];
  readonly rootNamespace: string;
  readonly localityLbSetting: LocalityLbSetting;
  readonly dnsRefreshRate: Duration;
  readonly h2UpgradePolicy?: H2UpgradePolicy;
  readonly inboundClusterStatName?: string;
  readonly outboundClusterStatName?: string;
  readonly certificates: readonly OpenObject[];
  readonly serviceSettings: readonly ServiceSettings[];
  readonly enablePrometheusMerge: boolean;
  readonly verifyCertificateAtClient?: boolean;
  readonly ca?: OpenObject;
  readonly extensionProviders: readonly ExtensionProvider[];
  readonly defaultProviders: DefaultProviders;
  readonly discoverySelectors?: readonly LabelSelector[];
  readonly pathNormalization?: { readonly normalization?: PathNormalizationMode };
  readonly defaultHttpRetryPolicy?: HttpRetry;
  readonly meshMTLS?: TlsConfig;
  readonly tlsDefaults?: TlsConfig;
  readonly serviceScopeConfigs?: readonly OpenObject[];
  /** Deprecated in Istio (Thrift support); accepted and ignored. */
  readonly thriftConfig?: OpenObject;
}
