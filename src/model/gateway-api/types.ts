/**
 * The Kubernetes Gateway API fields the conversion reads (gateway.networking.k8s.io v1,
 * v1alpha2 TCPRoute/TLSRoute, BackendTLSPolicy). Everything is optional here: objects come in
 * validated (semantic/gateway-api.ts) but the conversion still reads them defensively.
 */

export const GATEWAY_GROUP = 'gateway.networking.k8s.io';
/** Istio's controller name and its built-in class. */
export const ISTIO_CONTROLLER = 'istio.io/gateway-controller';
export const ISTIO_GATEWAY_CLASS = 'istio';
/** The label that ties a gateway proxy to its Gateway (Istio's auto-deployment sets it). */
export const GATEWAY_NAME_LABEL = 'gateway.networking.k8s.io/gateway-name';

export interface GatewayClassSpec {
  controllerName?: string;
}

export interface SecretObjectReference {
  group?: string;
  kind?: string;
  name?: string;
  namespace?: string;
}

export interface LabelSelectorSpec {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key?: string; operator?: string; values?: string[] }[];
}

export interface RouteGroupKind {
  group?: string;
  kind?: string;
}

export interface Listener {
  name?: string;
  hostname?: string;
  port?: number;
  protocol?: string;
  tls?: { mode?: 'Terminate' | 'Passthrough'; certificateRefs?: SecretObjectReference[]; options?: Record<string, string> };
  allowedRoutes?: {
    namespaces?: { from?: 'All' | 'Same' | 'Selector'; selector?: LabelSelectorSpec };
    kinds?: RouteGroupKind[];
  };
}

export interface GatewaySpec {
  gatewayClassName?: string;
  listeners?: Listener[];
  addresses?: { type?: string; value?: string }[];
}

/** One entry of a Gateway's `status.addresses`. */
export interface GatewayStatusAddress {
  readonly type: 'IPAddress' | 'Hostname';
  readonly value: string;
}

export interface ParentReference {
  group?: string;
  kind?: string;
  namespace?: string;
  name?: string;
  sectionName?: string;
  port?: number;
}

export interface BackendRef {
  group?: string;
  kind?: string;
  name?: string;
  namespace?: string;
  port?: number;
  weight?: number;
  filters?: HTTPRouteFilter[];
}

export interface HTTPHeaderMatch { type?: 'Exact' | 'RegularExpression'; name?: string; value?: string }

export interface HTTPRouteMatch {
  path?: { type?: 'Exact' | 'PathPrefix' | 'RegularExpression'; value?: string };
  headers?: HTTPHeaderMatch[];
  queryParams?: HTTPHeaderMatch[];
  method?: string;
}

export interface HeaderModifier {
  set?: { name?: string; value?: string }[];
  add?: { name?: string; value?: string }[];
  remove?: string[];
}

export interface PathModifier {
  type?: 'ReplaceFullPath' | 'ReplacePrefixMatch';
  replaceFullPath?: string;
  replacePrefixMatch?: string;
}

export interface HTTPRouteFilter {
  type?: string;
  requestHeaderModifier?: HeaderModifier;
  responseHeaderModifier?: HeaderModifier;
  requestRedirect?: { scheme?: string; hostname?: string; path?: PathModifier; port?: number; statusCode?: number };
  urlRewrite?: { hostname?: string; path?: PathModifier };
  requestMirror?: { backendRef?: BackendRef; percent?: number; fraction?: { numerator?: number; denominator?: number } };
  cors?: HTTPCORSFilter;
  extensionRef?: { group?: string; kind?: string; name?: string };
}

export interface HTTPCORSFilter {
  allowOrigins?: string[];
  allowCredentials?: boolean;
  allowMethods?: string[];
  allowHeaders?: string[];
  exposeHeaders?: string[];
  /** Seconds. */
  maxAge?: number;
}

export interface HTTPRouteRetry {
  codes?: number[];
  attempts?: number;
  backoff?: string;
}

export interface HTTPRouteRule {
  name?: string;
  matches?: HTTPRouteMatch[];
  filters?: HTTPRouteFilter[];
  backendRefs?: BackendRef[];
  timeouts?: { request?: string; backendRequest?: string };
  retry?: HTTPRouteRetry;
}

export interface GRPCMethodMatch { type?: 'Exact' | 'RegularExpression'; service?: string; method?: string }

export interface GRPCRouteRule {
  name?: string;
  matches?: { method?: GRPCMethodMatch; headers?: HTTPHeaderMatch[] }[];
  filters?: HTTPRouteFilter[];
  backendRefs?: BackendRef[];
}

export interface RouteSpec<Rule> {
  parentRefs?: ParentReference[];
  hostnames?: string[];
  rules?: Rule[];
}

export interface L4RouteRule {
  name?: string;
  backendRefs?: BackendRef[];
}

export interface ReferenceGrantSpec {
  from?: { group?: string; kind?: string; namespace?: string }[];
  to?: { group?: string; kind?: string; name?: string }[];
}

export interface BackendTLSPolicySpec {
  targetRefs?: { group?: string; kind?: string; name?: string; sectionName?: string }[];
  validation?: {
    hostname?: string;
    caCertificateRefs?: { group?: string; kind?: string; name?: string }[];
    wellKnownCACertificates?: string;
    subjectAltNames?: { type?: string; hostname?: string; uri?: string }[];
  };
}

/** One condition as the Gateway API writes it (lastTransitionTime is added by the status writer). */
export interface Condition {
  readonly type: string;
  readonly status: 'True' | 'False' | 'Unknown';
  readonly reason: string;
  readonly message: string;
  readonly observedGeneration?: number;
}
