/**
 * VirtualService HTTP routes → envoy Routes for one service port, as Istio builds them for
 * proxyless gRPC: each http[i] × match[j] in order (first match wins), matches for another port,
 * another source (labels, namespace) or only for gateways left out, nothing emitted after a
 * catch-all. Actions gRPC cannot perform (redirect, direct response, delegation) and matches it
 * never sees (query parameters, JWT claims) are left out with a diagnostic: gRPC would reject
 * the whole route configuration for the former.
 */
import type { ConfigObject } from '../../model/config.js';
import type { IndexedVirtualService } from '../../model/index/virtual-service-index.js';
import { resolveShortName } from '../../model/index/host.js';
import { matchesSource } from '../common/source-match.js';
import type { HTTPMatchRequest, HTTPRoute, HTTPRouteDestination } from '../../model/types/virtual-service.js';
import { buildClusterName } from '../common/cluster-name.js';
import { configMetadata } from '../common/provenance.js';
import { protoDuration, ZERO_DURATION } from '../common/proto-values.js';
import { FilterName } from '../common/any-types.js';
import type { GrpcContext } from './context.js';
import { buildFault } from './rds-fault.js';
import { consistentHashFor, hashPolicyFor } from './rds-hash.js';
import { isCatchAll, routeMatch, type Json } from './rds-match.js';
import { buildRetryPolicy } from './rds-retry.js';

interface RouteInput {
  readonly ctx: GrpcContext;
  readonly vs: ConfigObject;
  readonly http: HTTPRoute;
  readonly path: string;
  readonly listenPort: number;
}

/** Why gRPC cannot use this route, or undefined when it can. */
function unsupported(http: HTTPRoute, match: HTTPMatchRequest | undefined): string | undefined {
  if (http.redirect) return 'redirect is not supported by gRPC clients: route left out';
  if (http.directResponse) return 'directResponse is not supported by gRPC clients: route left out';
  if (http.delegate) return 'delegation is not supported for proxyless gRPC: route left out';
  if (!http.route || http.route.length === 0) return 'no destinations: route left out';
  if (match?.queryParams && Object.keys(match.queryParams).length > 0) return 'gRPC requests carry no query parameters: match can never succeed, left out';
  const claims = Object.keys({ ...match?.headers, ...match?.withoutHeaders }).filter((h) => h.startsWith('@request.auth.claims'));
  if (claims.length > 0) return 'JWT claim matches are not supported by gRPC clients: match left out';
  return undefined;
}

function reportIgnoredFields(input: RouteInput, match: HTTPMatchRequest | undefined, matchPath: string): void {
  const { ctx, vs, http, path } = input;
  for (const field of ['rewrite', 'headers', 'mirror', 'mirrors', 'corsPolicy'] as const) {
    if (http[field] !== undefined) ctx.diags.warn(vs, `${path}.${field}`, `${field} is not supported by gRPC clients: ignored`);
  }
  for (const field of ['method', 'authority', 'scheme'] as const) {
    if (match?.[field] !== undefined) ctx.diags.warn(vs, `${matchPath}.${field}`, 'gRPC clients do not match pseudo-headers: this match never succeeds');
  }
}

function destinationCluster(input: RouteInput, dst: HTTPRouteDestination, i: number): string {
  const { ctx, vs, listenPort } = input;
  const host = resolveShortName(dst.destination.host, vs.metadata.namespace, ctx.domain);
  const service = ctx.serviceForHost(host);
  const port = dst.destination.port?.number ?? (service?.ports.length === 1 ? service.ports[0]!.port : listenPort);
  const subset = dst.destination.subset ?? '';
  const where = `${input.path}.route[${i}].destination`;
  if (!service) ctx.diags.warn(vs, `${where}.host`, `no service ${host} is visible from namespace ${ctx.namespace}: calls routed here fail`);
  else if (subset !== '' && !ctx.subsetOf(ctx.destinationRuleFor(service), subset)) ctx.diags.warn(vs, `${where}.subset`, `no DestinationRule visible from namespace ${ctx.namespace} defines subset ${subset} of ${host}: calls routed here fail`);
  return buildClusterName(port, subset, host);
}

function hashPolicies(input: RouteInput, destinations: readonly HTTPRouteDestination[]): Json[] {
  const { ctx, vs } = input;
  return destinations.flatMap((dst) => {
    const service = ctx.serviceForHost(resolveShortName(dst.destination.host, vs.metadata.namespace, ctx.domain));
    const rule = service ? ctx.destinationRuleFor(service) : undefined;
    const hash = rule ? consistentHashFor(rule.spec, dst.destination.subset ?? '', dst.destination.port?.number) : undefined;
    const policy = hashPolicyFor(ctx, rule, hash);
    return policy ? [policy] : [];
  });
}

function clusterSpecifier(input: RouteInput, route: readonly HTTPRouteDestination[]): Json | undefined {
  if (route.length === 1) return { cluster: destinationCluster(input, route[0]!, 0) };
  const clusters = route.flatMap((dst, i) => ((dst.weight ?? 0) === 0 ? [] : [{ name: destinationCluster(input, dst, i), weight: { value: dst.weight } }]));
  if (clusters.length === 0) return undefined;
  return { weighted_clusters: { clusters } };
}

function routeAction(input: RouteInput): Json | undefined {
  const { ctx, vs, http, path } = input;
  const destinations = http.route ?? [];
  const specifier = clusterSpecifier(input, destinations);
  if (!specifier) return undefined;
  const timeout = http.timeout !== undefined ? protoDuration(http.timeout) : undefined;
  if (http.timeout !== undefined && !timeout) ctx.diags.warn(vs, `${path}.timeout`, 'not a valid duration: no timeout');
  const limit = timeout ?? ZERO_DURATION;
  const retry = buildRetryPolicy({ retry: http.retries ?? ctx.mesh.defaultHttpRetryPolicy, ...(http.retries ? { vs, path: `${path}.retries` } : {}) }, ctx.diags);
  const hashes = hashPolicies(input, destinations);
  return {
    ...specifier,
    timeout: limit,
    max_stream_duration: { max_stream_duration: limit },
    ...(retry ? { retry_policy: retry } : {}),
    ...(hashes.length > 0 ? { hash_policy: hashes } : {}),
  };
}

function translateRoute(input: RouteInput, match: HTTPMatchRequest | undefined, j: number | undefined): Json | undefined {
  const { ctx, vs, http, path } = input;
  if (match?.port !== undefined && match.port !== input.listenPort) return undefined;
  if (!matchesSource(match, ctx.proxy.metadata.labels, ctx.namespace)) return undefined;
  const matchPath = j === undefined ? path : `${path}.match[${j}]`;
  const why = unsupported(http, match);
  if (why) {
    ctx.diags.warn(vs, matchPath, why);
    return undefined;
  }
  reportIgnoredFields(input, match, matchPath);
  const action = routeAction(input);
  if (!action) {
    ctx.diags.warn(vs, `${path}.route`, 'every destination has weight 0: route left out');
    return undefined;
  }
  const name = match?.name ? `${http.name ?? ''}.${match.name}` : http.name;
  const fault = buildFault(http.fault, vs, `${path}.fault`, ctx.diags);
  return {
    ...(name ? { name } : {}),
    match: routeMatch(match),
    route: action,
    metadata: configMetadata(vs),
    ...(fault ? { typed_per_filter_config: { [FilterName.Fault]: fault } } : {}),
  };
}

/** The routes a VirtualService gives one service port; empty when none applies (then the default route is used). */
export function buildVirtualServiceRoutes(ctx: GrpcContext, indexed: IndexedVirtualService, listenPort: number): Json[] {
  const vs = indexed.config;
  const spec = vs.spec as { http?: HTTPRoute[] };
  const out: Json[] = [];
  for (const [i, http] of (spec.http ?? []).entries()) {
    const input: RouteInput = { ctx, vs, http, path: `spec.http[${i}]`, listenPort };
    const matches: (HTTPMatchRequest | undefined)[] = http.match && http.match.length > 0 ? http.match : [undefined];
    for (const [j, match] of matches.entries()) {
      const route = translateRoute(input, match, http.match && http.match.length > 0 ? j : undefined);
      if (!route) continue;
      out.push(route);
      if (isCatchAll(route.match as Json)) return out;
    }
  }
  return out;
}
