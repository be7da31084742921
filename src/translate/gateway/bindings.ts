/**
 * VirtualServices bound to a gateway, as Istio resolves `gateways` entries relative to the
 * VirtualService: `mesh` is the sidecars; `ns/name`;
 * a short `name` is in the VirtualService's namespace; the legacy `name.ns.svc.<domain>` form is
 * `ns/name`. Only VirtualServices exported to the proxy's namespace count, oldest first.
 *
 * Match-level `gateways` narrow further: for one gateway, an HTTP match naming other gateways
 * is left out (and a route left without matches is left out), and L4 matches are checked the
 * same way. `forGateway` returns a view of the VirtualService with those matches removed, so the
 * sidecar route builder (which drops matches naming gateways) can translate it unchanged.
 */
import type { ConfigObject } from '../../model/config.js';
import type { IndexedVirtualService } from '../../model/index/virtual-service-index.js';
import type { HTTPRoute, L4MatchAttributes, VirtualServiceSpec } from '../../model/types/virtual-service.js';
import type { SidecarContext } from '../sidecar/context.js';

export function resolveGatewayName(name: string, vsNamespace: string): string {
  if (name === 'mesh') return name;
  const slash = name.indexOf('/');
  if (slash >= 0) return name;
  const dot = name.indexOf('.');
  if (dot >= 0) {
    const rest = name.slice(dot + 1);
    const ns = rest.includes('.') ? rest.slice(0, rest.indexOf('.')) : rest;
    return `${ns}/${name.slice(0, dot)}`;
  }
  return `${vsNamespace}/${name}`;
}

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

function httpForGateway(http: readonly HTTPRoute[], gatewayName: string, ns: string): { routes: HTTPRoute[]; changed: boolean } {
  let changed = false;
  const routes: HTTPRoute[] = [];
  for (const route of http) {
    const matches = route.match ?? [];
    if (matches.length === 0 || matches.every((m) => !m.gateways?.length)) { routes.push(route); continue; }
    changed = true;
    const kept = matches.filter((m) => matchesGateway(m.gateways, gatewayName, ns)).map(({ gateways: _drop, ...rest }) => rest);
    // A route whose every match names other gateways does not apply here. Keeping it with an
    // empty match list would turn it into a catch-all, so a placeholder keeps the indexes
    // (diagnostic paths) stable while matching nothing the sidecar builder keeps.
    routes.push(kept.length > 0 ? { ...route, match: kept } : { ...route, match: [{ gateways: ['mesh-only-placeholder'] }] });
  }
  return { routes, changed };
}

function scanMatchesForGateways(vs: ConfigObject): boolean {
  for (const route of (vs.spec as unknown as VirtualServiceSpec).http ?? []) {
    for (const m of route.match ?? []) if ((m.gateways?.length ?? 0) > 0) return true;
  }
  return false;
}

/** Asked for each (gateway server, VirtualService) pair: answered once per (immutable) VirtualService. */
const matchesNameGateways = new WeakMap<ConfigObject, boolean>();

function namesGatewaysInMatches(vs: IndexedVirtualService): boolean {
  let found = matchesNameGateways.get(vs.config);
  if (found === undefined) matchesNameGateways.set(vs.config, (found = scanMatchesForGateways(vs.config)));
  return found;
}

/** `vs` as seen from `gatewayName`: HTTP matches for other gateways removed (the same object when nothing changes). */
export function forGateway(ctx: SidecarContext, vs: IndexedVirtualService, gatewayName: string): IndexedVirtualService {
  if (!namesGatewaysInMatches(vs)) return vs; // the common case: no per-match gateways, nothing to narrow
  return ctx.memo(`gw.vsview:${gatewayName}:${vs.config.metadata.namespace}/${vs.config.metadata.name}`, () => {
    const spec = vs.config.spec as unknown as VirtualServiceSpec;
    const { routes, changed } = httpForGateway(spec.http ?? [], gatewayName, vs.config.metadata.namespace);
    if (!changed) return vs;
    const config: ConfigObject = { ...vs.config, spec: { ...vs.config.spec, http: routes } };
    return { ...vs, config };
  });
}
