/**
 * Whether a VirtualService HTTP match applies to the proxy asking, by where the request comes
 * from: `gateways` (mesh proxies only match when it names `mesh`; a gateway's routes when an
 * entry, resolved in the route's VirtualService namespace, names that gateway), `sourceLabels`
 * (all must be on the proxy) and `sourceNamespace`. Shared by the sidecar, gateway and
 * proxyless route builders.
 */
import type { HTTPMatchRequest } from '../../model/types/virtual-service.js';
import { resolveGatewayName } from './gateway-name.js';

/** The gateway whose routes are being built, and the namespace the route's VirtualService is in. */
export interface GatewayRouteScope {
  readonly gatewayName: string;
  readonly vsNamespace: string;
}

export function matchesSource(match: HTTPMatchRequest | undefined, proxyLabels: Readonly<Record<string, string>>, proxyNamespace: string, gateway?: GatewayRouteScope): boolean {
  if (!match) return true;
  if (match.gateways && match.gateways.length > 0) {
    if (!gateway) return match.gateways.includes('mesh');
    return match.gateways.some((g) => resolveGatewayName(g, gateway.vsNamespace) === gateway.gatewayName);
  }
  for (const [k, v] of Object.entries(match.sourceLabels ?? {})) if (proxyLabels[k] !== v) return false;
  return !match.sourceNamespace || match.sourceNamespace === proxyNamespace;
}
