/**
 * Every kind the model knows: Istio config kinds (backed by CRDs in crds/) and the
 * Kubernetes core kinds the registry is built from. One table, so that the file source,
 * the validator, the store and (later) the informers agree on names and versions.
 */
export type KindName =
  | 'VirtualService' | 'DestinationRule' | 'Gateway' | 'ServiceEntry' | 'WorkloadEntry'
  | 'WorkloadGroup' | 'Sidecar' | 'EnvoyFilter' | 'ProxyConfig'
  | 'PeerAuthentication' | 'RequestAuthentication' | 'AuthorizationPolicy'
  | 'Telemetry' | 'WasmPlugin'
  | 'Service' | 'EndpointSlice' | 'Pod' | 'Namespace' | 'Node' | 'Secret' | 'ConfigMap' | 'ServiceAccount'
  | GatewayApiKindName;

/** The Kubernetes Gateway API kinds (gateway.networking.k8s.io); its `Gateway` is `KubernetesGateway` here, as in Istio. */
export type GatewayApiKindName =
  | 'GatewayClass' | 'KubernetesGateway' | 'HTTPRoute' | 'GRPCRoute' | 'TCPRoute' | 'TLSRoute'
  | 'ReferenceGrant' | 'BackendTLSPolicy';

export interface KindInfo {
  readonly kind: KindName;
  /** API group; '' for the Kubernetes core group. */
  readonly group: string;
  /** Accepted versions, the storage (preferred) version first. */
  readonly versions: readonly string[];
  readonly plural: string;
  readonly namespaced: boolean;
  /** true for Istio CRD kinds, validated by the CRD schemas and Istio's semantic rules. */
  readonly istio: boolean;
  /** `kind` as written in manifests when it differs from the model's name (KubernetesGateway → Gateway). */
  readonly apiKind?: string;
  /**
   * true for the Gateway API kinds: no CRD schema here (users install them from the Gateway API
   * project), semantic validation only; `spec` is the object's spec, `status` is ours to write.
   */
  readonly gatewayApi?: boolean;
}

const NET = 'networking.istio.io';
const SEC = 'security.istio.io';

function istio(kind: KindName, group: string, versions: string[], plural: string): KindInfo {
  return { kind, group, versions, plural, namespaced: true, istio: true };
}

function core(kind: KindName, group: string, version: string, plural: string, namespaced = true): KindInfo {
  return { kind, group, versions: [version], plural, namespaced, istio: false };
}

const GW = 'gateway.networking.k8s.io';

function gatewayApi(kind: KindName, versions: string[], plural: string, extra: { apiKind?: string; namespaced?: boolean } = {}): KindInfo {
  const info: KindInfo = { kind, group: GW, versions, plural, namespaced: extra.namespaced ?? true, istio: false, gatewayApi: true };
  return extra.apiKind ? { ...info, apiKind: extra.apiKind } : info;
}

/** Versions as Istio serves them: v1 is the storage version where it exists; older ones are aliases. */
export const KINDS: readonly KindInfo[] = Object.freeze([
  istio('VirtualService', NET, ['v1', 'v1beta1', 'v1alpha3'], 'virtualservices'),
  istio('DestinationRule', NET, ['v1', 'v1beta1', 'v1alpha3'], 'destinationrules'),
  istio('Gateway', NET, ['v1', 'v1beta1', 'v1alpha3'], 'gateways'),
  istio('ServiceEntry', NET, ['v1', 'v1beta1', 'v1alpha3'], 'serviceentries'),
  istio('WorkloadEntry', NET, ['v1', 'v1beta1', 'v1alpha3'], 'workloadentries'),
  istio('WorkloadGroup', NET, ['v1', 'v1beta1', 'v1alpha3'], 'workloadgroups'),
  istio('Sidecar', NET, ['v1', 'v1beta1', 'v1alpha3'], 'sidecars'),
  istio('EnvoyFilter', NET, ['v1alpha3'], 'envoyfilters'),
  istio('ProxyConfig', NET, ['v1beta1'], 'proxyconfigs'),
  istio('PeerAuthentication', SEC, ['v1', 'v1beta1'], 'peerauthentications'),
  istio('RequestAuthentication', SEC, ['v1', 'v1beta1'], 'requestauthentications'),
  istio('AuthorizationPolicy', SEC, ['v1', 'v1beta1'], 'authorizationpolicies'),
  istio('Telemetry', 'telemetry.istio.io', ['v1', 'v1alpha1'], 'telemetries'),
  istio('WasmPlugin', 'extensions.istio.io', ['v1alpha1'], 'wasmplugins'),
  core('Service', '', 'v1', 'services'),
  core('EndpointSlice', 'discovery.k8s.io', 'v1', 'endpointslices'),
  core('Pod', '', 'v1', 'pods'),
  core('Namespace', '', 'v1', 'namespaces', false),
  core('Node', '', 'v1', 'nodes', false),
  core('Secret', '', 'v1', 'secrets'),
  core('ConfigMap', '', 'v1', 'configmaps'),
  core('ServiceAccount', '', 'v1', 'serviceaccounts'),
  // The first version is the one watched: the one every Gateway API release still serving the kind serves.
  gatewayApi('GatewayClass', ['v1', 'v1beta1'], 'gatewayclasses', { namespaced: false }),
  gatewayApi('KubernetesGateway', ['v1', 'v1beta1'], 'gateways', { apiKind: 'Gateway' }),
  gatewayApi('HTTPRoute', ['v1', 'v1beta1'], 'httproutes'),
  gatewayApi('GRPCRoute', ['v1', 'v1alpha2'], 'grpcroutes'),
  gatewayApi('TCPRoute', ['v1alpha2'], 'tcproutes'),
  gatewayApi('TLSRoute', ['v1alpha2', 'v1alpha3', 'v1'], 'tlsroutes'),
  gatewayApi('ReferenceGrant', ['v1beta1', 'v1'], 'referencegrants'),
  gatewayApi('BackendTLSPolicy', ['v1alpha3', 'v1'], 'backendtlspolicies'),
]);

/** The Gateway API kinds, for sources and the status writer. */
export const GATEWAY_API_KINDS: readonly KindInfo[] = Object.freeze(KINDS.filter((k) => k.gatewayApi === true));

/** `kind` as written in manifests and API requests. */
export function apiKindOf(info: KindInfo): string {
  return info.apiKind ?? info.kind;
}

const byKind = new Map<string, KindInfo>(KINDS.map((k) => [k.kind, k]));
/** Manifest kind → the kinds of that name (Gateway: Istio's and the Gateway API's, told apart by group). */
const byApiKind = new Map<string, KindInfo[]>();
for (const k of KINDS) byApiKind.set(apiKindOf(k), [...(byApiKind.get(apiKindOf(k)) ?? []), k]);

function candidateFor(kind: string, group: string): KindInfo | undefined {
  const named = [...(byApiKind.get(kind) ?? []), ...(byKind.has(kind) && !byApiKind.has(kind) ? [byKind.get(kind)!] : [])];
  return named.find((k) => k.group === group) ?? named[0];
}

export function kindInfo(kind: KindName): KindInfo {
  const info = byKind.get(kind);
  if (!info) throw new Error(`unknown kind ${kind}`);
  return info;
}

export type ApiVersionLookup =
  | { ok: true; info: KindInfo; version: string }
  | { ok: false; reason: 'unknown-kind' | 'unknown-group' | 'unknown-version'; detail: string };

/** Resolves `apiVersion` + `kind` as written in a manifest. */
export function lookupKind(apiVersion: string, kind: string): ApiVersionLookup {
  const slash = apiVersion.lastIndexOf('/');
  const group = slash < 0 ? '' : apiVersion.slice(0, slash);
  const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
  const info = candidateFor(kind, group);
  if (!info) {
    return { ok: false, reason: 'unknown-kind', detail: `unknown kind "${kind}"; known kinds: ${[...byApiKind.keys()].join(', ')}` };
  }
  if (group !== info.group) {
    const want = info.group === '' ? info.versions[0] : `${info.group}/<version>`;
    return { ok: false, reason: 'unknown-group', detail: `kind ${kind} is served by apiVersion ${want}, not "${apiVersion}"` };
  }
  if (!info.versions.includes(version)) {
    const accepted = info.versions.map((v) => (info.group ? `${info.group}/${v}` : v)).join(', ');
    return { ok: false, reason: 'unknown-version', detail: `apiVersion "${apiVersion}" is not served for ${kind}; accepted: ${accepted}` };
  }
  return { ok: true, info, version };
}
