/** Pieces every sidecar cluster shares: upstream protocol by port, telemetry metadata, bind addresses. */
import { isIP } from 'node:net';
import type { Proxy } from '../../../model/proxy.js';
import { isAutoDetect, type MeshService, type MeshServicePort } from '../../../model/registry/types.js';
import { isHttp2 } from '../protocol.js';
import { setHttp2, setUseDownstreamProtocol, type ClusterDraft, type Json } from './draft.js';

/** HTTP/2-family ports speak h2 upstream; sniffed ports speak whatever the client spoke. */
export function setUpstreamProtocol(draft: ClusterDraft, port: MeshServicePort): void {
  if (isHttp2(port.protocol)) setHttp2(draft);
  else if (isAutoDetect(port.protocol)) setUseDownstreamProtocol(draft);
}

/** One entry of Istio's `istio.services` cluster metadata (read by telemetry). */
export function serviceMetadata(service: MeshService): Json {
  return { host: service.hostname, name: service.name, namespace: service.namespace };
}

const INBOUND_PASSTHROUGH_V4 = '127.0.0.6';
const INBOUND_PASSTHROUGH_V6 = '::6';

function families(proxy: Proxy): { v4: boolean; v6: boolean } {
  const v4 = proxy.ipAddresses.some((ip) => isIP(ip) === 4);
  const v6 = proxy.ipAddresses.some((ip) => isIP(ip) === 6);
  return { v4: v4 || !v6, v6 };
}

const socketAddress = (address: string) => ({ address, port_value: 0 });

/**
 * The "magic" source address iptables lets through without redirecting back to the sidecar:
 * 127.0.0.6 (::6 for IPv6-only proxies; both for dual-stack, the second as an extra address).
 */
export function passthroughBindConfig(proxy: Proxy, dualStackExtra: boolean): Json {
  const { v4, v6 } = families(proxy);
  return {
    source_address: socketAddress(v4 ? INBOUND_PASSTHROUGH_V4 : INBOUND_PASSTHROUGH_V6),
    ...(dualStackExtra && v4 && v6 ? { extra_source_addresses: [{ address: socketAddress(INBOUND_PASSTHROUGH_V6) }] } : {}),
  };
}

/** The loopback address inbound traffic is delivered to (127.0.0.1, or ::1 for IPv6-only proxies). */
export function localhostFor(proxy: Proxy): string {
  return families(proxy).v4 ? '127.0.0.1' : '::1';
}

export function proxyIpv4(proxy: Proxy): string | undefined {
  return proxy.ipAddresses.find((ip) => isIP(ip) === 4);
}

export function proxyIpv6(proxy: Proxy): string | undefined {
  return proxy.ipAddresses.find((ip) => isIP(ip) === 6);
}
