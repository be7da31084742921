/**
 * The parts of a proxy's ProxyConfig that change the listeners istiod sends it. istio-agent
 * sends its effective ProxyConfig (mesh `defaultConfig`, a ProxyConfig resource and the pod's
 * `proxy.istio.io/config` annotation, merged) as node metadata PROXY_CONFIG; without it the
 * mesh's `defaultConfig` applies, as Istio's ProxyConfigOrDefault does. The metadata is
 * untrusted input: a field of the wrong type is ignored (the default applies), never a failure.
 *
 * - `gatewayTopology` (gateways): numTrustedProxies → xff_num_trusted_hops,
 *   forwardClientCertDetails (default SANITIZE_SET), proxyProtocol → the PROXY protocol listener
 *   filter.
 * - `proxyHeaders` (sidecar inbound and gateway managers; outbound only for the request-id,
 *   attempt-count, debug-header and XFCC parts): the Server header, x-request-id generation,
 *   x-envoy-attempt-count, x-envoy-* debug headers, XFCC handling on sidecars.
 */
import { isPlainObject as isObject } from '../../config/mesh-decode.js';
import type { MeshConfig } from '../../config/mesh-types.js';
import type { Proxy } from '../../model/proxy.js';

type Json = Record<string, unknown>;

const FCC_NAMES = ['UNDEFINED', 'SANITIZE', 'FORWARD_ONLY', 'APPEND_FORWARD', 'SANITIZE_SET', 'ALWAYS_FORWARD_ONLY'] as const;
export type ForwardClientCert = Exclude<(typeof FCC_NAMES)[number], 'UNDEFINED'>;

export interface GatewayTopology {
  readonly numTrustedProxies: number;
  readonly forwardClientCertDetails: ForwardClientCert;
  readonly proxyProtocol: boolean;
}

/** Which managers: Istio names these listener classes. */
export type ListenerClass = 'sidecar-inbound' | 'sidecar-outbound' | 'gateway';

export interface ProxyHeaders {
  /** The Server header value; undefined leaves Envoy's default ("envoy"). */
  readonly serverName?: string;
  /** Server header disabled: pass the upstream's through. */
  readonly serverPassThrough: boolean;
  readonly forwardClientCert: ForwardClientCert;
  readonly includeAttemptCount: boolean;
  /** false when x-request-id generation is disabled; undefined keeps Envoy's default (on). */
  readonly generateRequestId?: false;
  readonly suppressDebugHeaders: boolean;
  /** proxyHeaders.setCurrentClientCertDetails when given (replaces the defaults). */
  readonly setCurrentClientCertDetails?: Readonly<Record<'subject' | 'cert' | 'chain' | 'dns' | 'uri', boolean>>;
}

/** proto3 JSON BoolValue: `true` or `{value: true}`. */
const boolValue = (v: unknown): boolean => v === true || (isObject(v) && v.value === true);
const disabled = (v: unknown): boolean => isObject(v) && boolValue(v.disabled);

function fccOf(v: unknown): ForwardClientCert | undefined {
  const name = typeof v === 'number' ? FCC_NAMES[v] : typeof v === 'string' ? FCC_NAMES.find((n) => n === v) : undefined;
  return name === undefined || name === 'UNDEFINED' ? undefined : name;
}

/** The proxy's effective ProxyConfig as JSON: PROXY_CONFIG when it sent one, else the mesh default. */
export function proxyConfigOf(proxy: Proxy, mesh: MeshConfig): Json {
  const sent = proxy.metadata.raw.PROXY_CONFIG;
  return isObject(sent) ? sent : (mesh.defaultConfig as unknown as Json);
}

export function gatewayTopologyOf(pc: Json): GatewayTopology {
  const t = isObject(pc.gatewayTopology) ? pc.gatewayTopology : {};
  const hops = typeof t.numTrustedProxies === 'string' ? Number(t.numTrustedProxies) : t.numTrustedProxies;
  return {
    numTrustedProxies: typeof hops === 'number' && Number.isInteger(hops) && hops >= 0 && hops <= 0xffffffff ? hops : 0,
    forwardClientCertDetails: fccOf(t.forwardClientCertDetails) ?? 'SANITIZE_SET',
    proxyProtocol: isObject(t.proxyProtocol),
  };
}

function certDetails(v: unknown): ProxyHeaders['setCurrentClientCertDetails'] {
  if (!isObject(v)) return undefined;
  return { subject: boolValue(v.subject), cert: boolValue(v.cert), chain: boolValue(v.chain), dns: boolValue(v.dns), uri: boolValue(v.uri) };
}

/** Istio's GetProxyHeadersFromProxyConfig: defaults per listener class, then proxyHeaders on top. */
export function proxyHeadersOf(pc: Json, cls: ListenerClass): ProxyHeaders {
  const ph = isObject(pc.proxyHeaders) ? pc.proxyHeaders : {};
  const server = isObject(ph.server) ? ph.server : undefined;
  const serverOff = server !== undefined && boolValue(server.disabled);
  const serverValue = server && typeof server.value === 'string' && server.value !== '' ? server.value : undefined;
  // Istio keeps Envoy's "envoy" on sidecar outbound managers and "istio-envoy" elsewhere.
  const baseName = cls === 'sidecar-outbound' ? undefined : 'istio-envoy';
  const details = certDetails(ph.setCurrentClientCertDetails);
  return {
    ...(serverOff ? {} : (serverValue ?? baseName) !== undefined ? { serverName: serverValue ?? baseName } : {}),
    serverPassThrough: serverOff,
    forwardClientCert: fccOf(ph.forwardedClientCert) ?? 'APPEND_FORWARD',
    includeAttemptCount: !disabled(ph.attemptCount),
    ...(disabled(ph.requestId) ? { generateRequestId: false as const } : {}),
    suppressDebugHeaders: disabled(ph.envoyDebugHeaders),
    ...(details ? { setCurrentClientCertDetails: details } : {}),
  };
}

const scopes = new WeakMap<Proxy, string>();

/**
 * What of PROXY_CONFIG listeners and routes depend on, for scope keys ('' when the proxy sent
 * none). Asked on every resolve, so computed once per (immutable) proxy.
 */
export function proxyConfigScope(proxy: Proxy): string {
  let scope = scopes.get(proxy);
  if (scope === undefined) {
    const sent = proxy.metadata.raw.PROXY_CONFIG;
    scope = isObject(sent) ? JSON.stringify([sent.gatewayTopology ?? null, sent.proxyHeaders ?? null]) : '';
    scopes.set(proxy, scope);
  }
  return scope;
}
