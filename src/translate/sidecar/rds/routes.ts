/**
 * VirtualService HTTP routes → envoy Routes for one listener port, as Istio builds them for
 * sidecars: each http[i] × match[j] in order (first match wins), matches for another port or
 * another source (sourceLabels, sourceNamespace, gateways without `mesh`) left out, nothing
 * after a catch-all. Every route carries the VirtualService's provenance, Istio's name
 * (`<http.name>.<match.name>`) and a tracing decorator.
 */
import type { IndexedVirtualService } from '../../../model/index/virtual-service-index.js';
import type { HTTPMatchRequest } from '../../../model/types/virtual-service.js';
import { configMetadata } from '../../common/provenance.js';
import { matchesSource } from '../../common/source-match.js';
import { shared } from '../../common/shared.js';
import type { SidecarContext } from '../context.js';
import { HttpFilterName } from '../http-filters.js';
import { buildCorsPolicy } from './cors.js';
import { expandHttpRoutes } from './delegate.js';
import { buildFault } from './fault.js';
import { applyHeaderOps, headerOperations } from './headers.js';
import { buildRouteMatch, isCatchAll, unusableMatch } from './match.js';
import { buildDirectResponse, buildRedirect } from './redirect.js';
import { buildRouteAction } from './route-action.js';
import type { HttpRouteInput, Json, RouteScope } from './types.js';

function operationPath(match: Json): string {
  if (typeof match.prefix === 'string') return `${match.prefix}*`;
  if (typeof match.path === 'string') return match.path;
  return ((match.safe_regex as Json | undefined)?.regex as string | undefined) ?? '/*';
}

/**
 * The action part of the route (route / redirect / direct_response); false to drop the route,
 * else true, or the `<host>:<port>` of the one cluster a route action sends to.
 */
function applyAction(scope: RouteScope, input: HttpRouteInput, out: Json, routeAuthority: string): boolean | string {
  const { http, path, source } = input;
  if (http.redirect) {
    const redirect = buildRedirect(http.redirect, scope.listenerPort);
    if (!redirect.ok) scope.ctx.diags.warn(source, `${path}.redirect.redirectCode`, redirect.reason);
    else out.redirect = redirect.value;
    return redirect.ok;
  }
  if (http.directResponse) {
    out.direct_response = buildDirectResponse(http.directResponse);
    return true;
  }
  const result = buildRouteAction(scope, input, routeAuthority);
  if (result.kind === 'dropped') return false;
  if (result.kind === 'unreachable') out.direct_response = { status: 503 };
  else {
    out.route = result.action;
    if (result.destinationHeaders) applyHeaderOps(out, result.destinationHeaders);
    if (result.clusterHostPort) return result.clusterHostPort;
  }
  return true;
}

function perFilterConfig(scope: RouteScope, input: HttpRouteInput): Json | undefined {
  const { http, source, path } = input;
  const fault = buildFault(http.fault, source, `${path}.fault`, scope.ctx.diags);
  const cors = buildCorsPolicy(http.corsPolicy, source, `${path}.corsPolicy`, scope.ctx.diags);
  if (!fault && !cors) return undefined;
  return { ...(fault ? { [HttpFilterName.Fault]: fault } : {}), ...(cors ? { [HttpFilterName.Cors]: cors } : {}) };
}

/**
 * What every match of one HTTP route shares: headers, the action (route / redirect /
 * direct_response) and per-filter config. Built once per route, not once per match; undefined
 * when the action is dropped.
 */
interface RouteBody {
  readonly fields: Json;
  /** The decorator operation without the match's path. */
  readonly operationPrefix: string;
  /** Routes built from it: its action is shared (frozen, so the encoder copies its bytes) only when more than one. */
  uses: number;
}

function routeBody(scope: RouteScope, input: HttpRouteInput): RouteBody | undefined {
  const fields: Json = {};
  const ops = headerOperations(input.http.headers);
  applyHeaderOps(fields, ops);
  const action = applyAction(scope, input, fields, ops.authority);
  if (!action) return undefined;
  const typed = perFilterConfig(scope, input);
  if (typed) fields.typed_per_filter_config = typed;
  const prefix = typeof action === 'string' ? action : `${scope.root.metadata.name}:${scope.listenerPort}`;
  return { fields, operationPrefix: prefix, uses: 0 };
}

/**
 * Parts used by several routes become shared once all routes are built: freezing (and the
 * encoder's per-object bookkeeping) costs more than it saves for a part used once.
 */
function shareRepeatedParts(scope: RouteScope, out: readonly Json[], bodies: readonly RouteBody[]): Json[] {
  if (out.length > 1) shared(scope.metadata);
  for (const body of bodies) if (body.uses > 1 && body.fields.route) shared(body.fields.route as Json);
  return out as Json[];
}

/** Whether this match belongs on this listener and proxy, and can be translated. */
function usableHere(scope: RouteScope, input: HttpRouteInput, match: HTTPMatchRequest | undefined, j: number | undefined): boolean {
  if (match?.port !== undefined && match.port !== 0 && match.port !== scope.listenerPort) return false;
  const gateway = scope.gatewayName ? { gatewayName: scope.gatewayName, vsNamespace: input.namespace } : undefined;
  if (!matchesSource(match, scope.ctx.proxy.metadata.labels, scope.ctx.namespace, gateway)) return false;
  const unusable = unusableMatch(match);
  if (unusable) scope.ctx.diags.warn(input.source, `${input.path}.match[${j ?? 0}].${unusable.field}`, `${unusable.reason}: match left out`);
  return !unusable;
}

function translateRoute(scope: RouteScope, input: HttpRouteInput, body: RouteBody, match: HTTPMatchRequest | undefined): Json {
  const { http } = input;
  const name = match?.name ? `${http.name ?? ''}.${match.name}` : http.name;
  const routeMatch = buildRouteMatch(match);
  const out: Json = {};
  if (name) out.name = name;
  out.match = routeMatch;
  out.metadata = scope.metadata;
  if (match?.statPrefix) out.stat_prefix = match.statPrefix;
  Object.assign(out, body.fields);
  out.decorator = { operation: body.operationPrefix + operationPath(routeMatch) };
  return out;
}

/** The routes a VirtualService gives this listener port; empty when none applies (the default route is used then). */
/** `gatewayName`: building a gateway's routes (match `gateways` name it, not `mesh`). */
export function buildVirtualServiceRoutes(ctx: SidecarContext, vs: IndexedVirtualService, listenerPort: number, gatewayName?: string): Json[] {
  const scope: RouteScope = { ctx, root: vs.config, listenerPort, metadata: configMetadata(vs.config), ...(gatewayName ? { gatewayName } : {}) };
  const out: Json[] = [];
  const bodies: RouteBody[] = [];
  for (const input of expandHttpRoutes(ctx, vs.config)) {
    const matches = input.http.match ?? [];
    let body: RouteBody | undefined | null = null; // null: not built yet
    const bodyOnce = () => {
      if (body === null && (body = routeBody(scope, input))) bodies.push(body);
      if (body) body.uses++;
      return body;
    };
    if (matches.length === 0) {
      const common = usableHere(scope, input, undefined, undefined) ? bodyOnce() : undefined;
      if (common) out.push(translateRoute(scope, input, common, undefined));
      return shareRepeatedParts(scope, out, bodies);
    }
    for (let j = 0; j < matches.length; j++) {
      const match = matches[j]!;
      if (!usableHere(scope, input, match, j)) continue;
      const common = bodyOnce();
      if (!common) break; // the action is dropped for every match of this route
      const route = translateRoute(scope, input, common, match);
      out.push(route);
      if (isCatchAll(route.match as Json)) return shareRepeatedParts(scope, out, bodies);
    }
  }
  return shareRepeatedParts(scope, out, bodies);
}
