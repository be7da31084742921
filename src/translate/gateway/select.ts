/**
 * Which Gateways configure a router proxy, as Istio selects them: a Gateway without a selector
 * applies to every gateway proxy; otherwise all selector labels must be on the proxy. Gateways
 * in any namespace count unless PILOT_SCOPE_GATEWAY_TO_NAMESPACE limits them to the proxy's
 * own; a Gateway converted from the Gateway API only its own namespace's proxies. Oldest first
 * (creation time, then namespace/name), the order Istio merges them in.
 */
import type { ConfigObject } from '../../model/config.js';
import type { Proxy } from '../../model/proxy.js';
import { byAge } from '../../model/registry/build-registry.js';
import type { Snapshot } from '../../model/snapshot.js';
import type { GatewaySpec } from '../../model/types/gateway.js';
import { SEMANTICS_ANNOTATION } from '../../model/gateway-api/gateways.js';

function selects(spec: GatewaySpec | undefined, labels: Readonly<Record<string, string>>): boolean {
  const selector = spec?.selector;
  if (!selector) return true;
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

/** A Gateway converted from the Gateway API configures only proxies in its own namespace, as in Istio. */
function inScope(gw: ConfigObject, proxy: Proxy): boolean {
  return gw.metadata.annotations[SEMANTICS_ANNOTATION] !== 'gateway' || gw.metadata.namespace === proxy.namespace;
}

export function gatewaysForProxy(snapshot: Snapshot, proxy: Proxy, scopeToNamespace: boolean): ConfigObject[] {
  const all = scopeToNamespace ? snapshot.configs.list('Gateway', proxy.namespace) : snapshot.configs.list('Gateway');
  return all.filter((gw) => inScope(gw, proxy) && selects(gw.spec as unknown as GatewaySpec, proxy.metadata.labels)).sort(byAge);
}
