/**
 * The Kubernetes Gateway API → Istio's own model, as Istio's gateway controller does it before
 * a push: synthetic Gateways (one per listener), VirtualServices (per listener and host, per
 * TCP listener, per TLS route, and `mesh`-bound ones for GAMMA) and DestinationRules (from
 * BackendTLSPolicy), plus the status every Gateway API object should carry. Pure: the same
 * objects give the same output; the existing generators then serve the synthetic objects.
 * Istio also deploys a gateway proxy per Gateway (automated deployment): not done here, a proxy
 * labelled `gateway.networking.k8s.io/gateway-name: <name>` in the Gateway's namespace serves it.
 */
import type { ConfigObject } from '../config.js';
import type { TCPRoute as VsTcpRoute } from '../types/virtual-service.js';
import { condition, resolvedRefs } from './conditions.js';
import { backendTlsRules, backendTlsStatus, type CaCertificateLookup, type RouteAttachment } from './backend-tls.js';
import { convertGateways, type GatewayInfo } from './gateways.js';
import { convertHttpRules } from './http-rules.js';
import { l4Destinations } from './l4-rules.js';
import { resolveParents, type ParentResult } from './parents.js';
import type { RefProblem } from './references.js';
import { statusOfClasses, statusOfGateway, type ComputedStatus, type RouteParentStatus } from './status.js';
import { ISTIO_CONTROLLER, type Condition } from './types.js';
import { VirtualServiceCollector } from './virtual-services.js';
import { buildWorld, keyOf, type GatewayApiWorld } from './world.js';

export interface GatewayApiConversion {
  /** Synthetic Istio objects (source `gateway-api`). */
  readonly configs: readonly ConfigObject[];
  /** objectKey of each Gateway API object we own → the status it should have (no timestamps). */
  readonly status: ReadonlyMap<string, ComputedStatus>;
}

const HTTP_KINDS = new Set(['HTTPRoute', 'GRPCRoute']);

function refsCondition(route: ConfigObject, problems: readonly RefProblem[]): Condition {
  if (problems.length === 0) return resolvedRefs(route);
  return condition(route, 'ResolvedRefs', false, problems[0]!.reason, [...new Set(problems.map((p) => p.message))].join('; '));
}

function attachRoute(world: GatewayApiWorld, route: ConfigObject, order: number, parents: readonly ParentResult[], vs: VirtualServiceCollector): RefProblem[] {
  const problems: RefProblem[] = [];
  const http = HTTP_KINDS.has(route.kind);
  const gatewayRules = http ? convertHttpRules(world, route, order) : undefined;
  // A filter Istio cannot apply: nothing of the route is served (its status says why).
  if (gatewayRules?.invalid) return [gatewayRules.invalid];
  if (gatewayRules) problems.push(...gatewayRules.problems);
  const l4 = !http ? l4Destinations(world, route, problems) : [];
  for (const parent of parents) {
    for (const { listener, hosts } of parent.attachments) {
      listener.attachedRoutes++;
      if (gatewayRules) for (const host of hosts) vs.addHttp(listener, host, route, gatewayRules.routes);
      else if (l4.length > 0 && route.kind === 'TLSRoute' && listener.listener.tls?.mode === 'Passthrough') {
        vs.addTls(listener, hosts, route, { match: [{ sniHosts: [...hosts], port: listener.port }], route: l4 });
      } else if (l4.length > 0) vs.addTcp(listener, route, { match: [{ port: listener.port }], route: l4 });
    }
    if (parent.mesh) {
      const serviceNs = parent.parentRef.namespace ?? route.metadata.namespace;
      const meshRules = http ? convertHttpRules(world, route, order, parent.mesh.port) : undefined;
      const tcp: VsTcpRoute[] = !http && l4.length > 0 ? [{ ...(parent.mesh.port !== undefined ? { match: [{ port: parent.mesh.port }] } : {}), route: l4 }] : [];
      vs.addMesh(serviceNs, parent.mesh.host, route, meshRules?.routes ?? [], tcp);
    }
  }
  return problems;
}

function routeStatus(route: ConfigObject, parents: readonly ParentResult[], problems: readonly RefProblem[]): ComputedStatus {
  const refs = refsCondition(route, problems);
  const entries: RouteParentStatus[] = parents
    .filter((p) => p.accepted !== undefined)
    .map((p) => ({ parentRef: p.parentRef, controllerName: ISTIO_CONTROLLER, conditions: [p.accepted!, refs] }));
  return { kind: 'route', parents: entries };
}

/** `caCertificates`: the ConfigMap CA lookup, for BackendTLSPolicy status only (the configs never read it). */
export function convertGatewayApi(objects: readonly ConfigObject[], opts: { domain: string; caCertificates?: CaCertificateLookup }): GatewayApiConversion {
  const world = buildWorld(objects, opts.domain);
  const status = new Map<string, ComputedStatus>(statusOfClasses(world));
  if (world.gateways.size === 0 && world.routes.length === 0 && world.backendTLSPolicies.length === 0) return { configs: [], status };
  const { infos, configs } = convertGateways(world);
  const vs = new VirtualServiceCollector();
  const attached: RouteAttachment[] = [];
  world.routes.forEach((route, order) => {
    const parents = resolveParents(world, infos as ReadonlyMap<string, GatewayInfo>, route);
    attached.push({ route, parents });
    const problems = attachRoute(world, route, order, parents, vs);
    const computed = routeStatus(route, parents, problems);
    if (computed.kind === 'route' && computed.parents.length > 0) status.set(keyOf(route), computed);
  });
  for (const info of infos.values()) status.set(keyOf(info.gateway), statusOfGateway(info, world));
  for (const [key, computed] of backendTlsStatus(world, attached, opts.caCertificates)) status.set(key, computed);
  return { configs: [...configs, ...vs.build(), ...backendTlsRules(world)], status };
}
