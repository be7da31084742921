/**
 * VirtualService HTTP routes → envoy Routes for one listener port, as Istio builds them for
 * sidecars: each http[i] × match[j] in order (first match wins), matches for another port or
 * another source (sourceLabels, sourceNamespace, gateways without `mesh`) left out, nothing
 * after a catch-all. Every route carries the VirtualService's provenance, Istio's name
 * (`<http.name>.<match.name>`) and a tracing decorator.
 */
import type { IndexedVirtualService } from '../../../model/index/virtual-service-index.js';
import type { HTTPMatchRequest } from '../../../model/types/virtual-service.js';
import { parseClusterName } from '../../common/cluster-name.js';
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

/** The `<host>:<port>` part of Istio's trace operation: the one cluster's, else `<vs-name>:<listener port>`. */
function operationPrefix(cluster: string | undefined, vsName: string, port: number): string {
  const parsed = cluster ? parseClusterName(cluster) : undefined;
  return parsed ? `${parsed.host}:${parsed.port}` : `${vsName}:${port}`;
}

function operationPath(match: Json): string {
  if (typeof match.prefix === 'string') return `${match.prefix}*`;
  if (typeof match.path === 'string') return match.path;
  return ((match.safe_regex as Json | undefined)?.regex as string | undefined) ?? '/*';
}

/** The action part of the route (route / redirect / direct_response) or undefined to drop it. */
function applyAction(scope: RouteScope, input: HttpRouteInput, out: Json, routeAuthority: string): boolean {
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
}

function routeBody(scope: RouteScope, input: HttpRouteInput): RouteBody | undefined {
  const fields: Json = {};
  const ops = headerOperations(input.http.headers);
  applyHeaderOps(fields, ops);
  if (!applyAction(scope, input, fields, ops.authority)) return undefined;
  if (fields.route) fields.route = shared(fields.route as Json); // every match of this route carries the same action
  const typed = perFilterConfig(scope, input);
  if (typed) fields.typed_per_filter_config = typed;
  const cluster = (fields.route as Json | undefined)?.cluster as string | undefined;
  return { fields, operationPrefix: operationPrefix(cluster, scope.root.metadata.name, scope.listenerPort) };
}

/** Whether this match belongs on this listener and proxy, and can be translated. */
function usableHere(scope: RouteScope, input: HttpRouteInput, match: HTTPMatchRequest | undefined, j: number | undefined): boolean {
  if (match?.port !== undefined && match.port !== 0 && match.port !== scope.listenerPort) return false;
  if (!matchesSource(match, scope.ctx.proxy.metadata.labels, scope.ctx.namespace)) return false;
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
export function buildVirtualServiceRoutes(ctx: SidecarContext, vs: IndexedVirtualService, listenerPort: number): Json[] {
  const scope: RouteScope = { ctx, root: vs.config, listenerPort, metadata: shared(configMetadata(vs.config)) };
  const out: Json[] = [];
  for (const input of expandHttpRoutes(ctx, vs.config)) {
    const matches = input.http.match ?? [];
    let body: RouteBody | undefined | null = null; // null: not built yet
    const bodyOnce = () => (body === null ? (body = routeBody(scope, input)) : body);
    if (matches.length === 0) {
      const shared = usableHere(scope, input, undefined, undefined) ? bodyOnce() : undefined;
      if (shared) out.push(translateRoute(scope, input, shared, undefined));
      return out;
    }
    for (const [j, match] of matches.entries()) {
      if (!usableHere(scope, input, match, j)) continue;
      const shared = bodyOnce();
      if (!shared) break; // the action is dropped for every match of this route
      const route = translateRoute(scope, input, shared, match);
      out.push(route);
      if (isCatchAll(route.match as Json)) return out;
    }
  }
  return out;
}
