/**
 * Whether a VirtualService HTTP match applies to the proxy asking, by where the request comes
 * from: `gateways` (mesh proxies only match when it names `mesh`), `sourceLabels` (all must be on
 * the proxy) and `sourceNamespace`. Shared by the sidecar and proxyless route builders.
 */
import type { HTTPMatchRequest } from '../../model/types/virtual-service.js';

export function matchesSource(match: HTTPMatchRequest | undefined, proxyLabels: Readonly<Record<string, string>>, proxyNamespace: string): boolean {
  if (!match) return true;
  if (match.gateways && match.gateways.length > 0) return match.gateways.includes('mesh');
  for (const [k, v] of Object.entries(match.sourceLabels ?? {})) if (proxyLabels[k] !== v) return false;
  return !match.sourceNamespace || match.sourceNamespace === proxyNamespace;
}
