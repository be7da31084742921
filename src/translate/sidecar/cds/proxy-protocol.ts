/**
 * DestinationRule `trafficPolicy.proxyProtocol`: the upstream sends a PROXY protocol header (v1
 * or v2) before anything else, as Istio builds it: the cluster's transport socket is wrapped in
 * `envoy.transport_sockets.upstream_proxy_protocol` (raw_buffer when it had none), and with
 * automatic mTLS each transport_socket_matches entry is wrapped, so plaintext and mTLS endpoints
 * both get the header.
 *
 * Which proxyProtocol applies follows Istio's merge: a portLevelSettings entry for the port
 * replaces the top-level policy (and has no proxyProtocol of its own, so it drops it); a
 * subset's proxyProtocol overrides the rule's unless the subset's own port-level entry applies.
 */
import { AnyType } from '../../common/any-types.js';
import type { Subset, TrafficPolicy } from '../../../model/types/destination-rule.js';
import type { ClusterDraft, Json } from './draft.js';

type ProxyProtocol = NonNullable<TrafficPolicy['proxyProtocol']>;

const SOCKET_NAME = 'envoy.transport_sockets.upstream_proxy_protocol';
const SOCKET_TYPE = 'type.googleapis.com/envoy.extensions.transport_sockets.proxy_protocol.v3.ProxyProtocolUpstreamTransport';
const RAW_BUFFER: Json = Object.freeze({
  name: 'envoy.transport_sockets.raw_buffer',
  typed_config: { '@type': AnyType.RawBuffer },
});

const hasPortLevel = (policy: TrafficPolicy | undefined, port: number) =>
  policy?.portLevelSettings?.some((p) => p.port?.number === port) ?? false;

/** The proxyProtocol setting of the cluster for `port` (and `subset`), merged as Istio merges it. */
export function proxyProtocolFor(rulePolicy: TrafficPolicy | undefined, subset: Subset | undefined, port: number): ProxyProtocol | undefined {
  const base = hasPortLevel(rulePolicy, port) ? undefined : rulePolicy?.proxyProtocol;
  const own = subset?.trafficPolicy;
  const fromSubset = hasPortLevel(own, port) ? undefined : own?.proxyProtocol;
  return fromSubset ?? base;
}

function wrap(inner: Json, pp: ProxyProtocol): Json {
  // Envoy's ProxyProtocolConfig.Version: V1 (the zero value) or V2, as Istio's enum maps onto it.
  return {
    name: SOCKET_NAME,
    typed_config: { '@type': SOCKET_TYPE, config: { version: pp.version === 'V2' ? 'V2' : 'V1' }, transport_socket: inner },
  };
}

/** Wraps the draft's transport socket(s); call after TLS is applied. */
export function applyUpstreamProxyProtocol(draft: ClusterDraft, pp: ProxyProtocol | undefined): void {
  if (!pp) return;
  const c = draft.cluster;
  const matches = c.transport_socket_matches as Json[] | undefined;
  if (matches && matches.length > 0) {
    c.transport_socket_matches = matches.map((m) => ({ ...m, transport_socket: wrap(m.transport_socket as Json, pp) }));
  }
  if (c.transport_socket) c.transport_socket = wrap(c.transport_socket as Json, pp);
  else if (!matches || matches.length === 0) c.transport_socket = wrap(structuredClone(RAW_BUFFER) as Json, pp);
}
