/**
 * VirtualServices bound to a gateway, as Istio resolves `gateways` entries relative to the
 * VirtualService: `mesh` is the sidecars; `ns/name`;
 * a short `name` is in the VirtualService's namespace; the legacy `name.ns.svc.<domain>` form is
 * `ns/name`. Only VirtualServices exported to the proxy's namespace count, oldest first.
 *
 * Match-level `gateways` narrow further: for one gateway, an HTTP match naming other gateways
 * is left out by the shared route builder (common/source-match.ts, given the gateway's name,
 * after delegation merged the root's and the delegate's gateways), and L4 matches are checked
 * here the same way.
 */
import type { IndexedVirtualService } from '../../model/index/virtual-service-index.js';
import type { L4MatchAttributes } from '../../model/types/virtual-service.js';
import { resolveGatewayName } from '../common/gateway-name.js';
import type { SidecarContext } from '../sidecar/context.js';

export { resolveGatewayName };

/** Does a match's `gateways` list (empty: any) include `gatewayName`? */
export function matchesGateway(gateways: readonly string[] | undefined, gatewayName: string, vsNamespace: string): boolean {
  if (!gateways || gateways.length === 0) return true;
  return gateways.some((g) => resolveGatewayName(g, vsNamespace) === gatewayName);
}

/** Istio's l4 match for a gateway server: port (0 = any) and gateways. */
export function l4MatchesServer(match: L4MatchAttributes, serverPort: number, gatewayName: string, vsNamespace: string): boolean {
  return (!match.port || match.port === serverPort) && matchesGateway(match.gateways, gatewayName, vsNamespace);
}

/** Visible VirtualServices by each gateway they bind to, oldest first: built once per generate() call. */
function bindingIndex(ctx: SidecarContext): ReadonlyMap<string, IndexedVirtualService[]> {
  return ctx.memo('gw.vs.index', () => {
    const index = new Map<string, IndexedVirtualService[]>();
    for (const vs of ctx.snapshot.virtualServices.visibleTo(ctx.namespace)) {
      const names = new Set(vs.gateways.map((g) => resolveGatewayName(g, vs.config.metadata.namespace)));
      for (const name of names) {
        const list = index.get(name);
        if (list) list.push(vs);
        else index.set(name, [vs]);
      }
    }
    return index;
  });
}

export function virtualServicesForGateway(ctx: SidecarContext, gatewayName: string): readonly IndexedVirtualService[] {
  return bindingIndex(ctx).get(gatewayName) ?? [];
}

