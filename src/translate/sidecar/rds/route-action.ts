/**
 * The RouteAction of a VirtualService route that forwards: cluster or weighted_clusters,
 * rewrite, host rewrite, timeout (0s = none, and the same as max_grpc_timeout, as Istio sets
 * it for sidecars), retries, mirrors and hash policies. Destinations this proxy has no cluster
 * for are repaired instead of producing a route to a missing cluster (Envoy would answer 503
 * "no cluster"): a weighted entry is dropped, and a route left with none is `unreachable`.
 */
import type { HTTPRouteDestination } from '../../../model/types/virtual-service.js';
import { protoDuration, ZERO_DURATION } from '../../common/proto-values.js';
import { shared } from '../../common/shared.js';
import { resolveDestination, type ResolvedDestination } from '../destinations.js';
import { applyHeaderOps, headerOperations, type HeaderOps } from './headers.js';
import { hashPolicyForDestination } from './hash-policy.js';
import { buildMirrorPolicies } from './mirror.js';
import { buildRetryPolicy } from './retry.js';
import { badRegex } from './string-match.js';
import type { HttpRouteInput, Json, RouteScope } from './types.js';

export type ActionResult =
  | { readonly kind: 'route'; readonly action: Json; readonly destinationHeaders: HeaderOps | undefined; readonly clusterHostPort?: string }
  | { readonly kind: 'unreachable' }
  | { readonly kind: 'dropped' };

/** Which destination field an unresolved destination is wrong in. */
function failedField(reason: string): string {
  if (reason.startsWith('subset')) return 'subset';
  return reason.includes('has no port') ? 'port' : 'host';
}

function resolve(scope: RouteScope, input: HttpRouteInput, dst: HTTPRouteDestination, i: number, what: string): Extract<ResolvedDestination, { ok: true }> | undefined {
  const resolved = resolveDestination(scope.ctx, dst.destination, input.namespace, scope.listenerPort);
  if (resolved.ok) return resolved;
  scope.ctx.diags.warn(input.source, `${input.path}.route[${i}].destination.${failedField(resolved.reason)}`, `${resolved.reason}: ${what}`);
  return undefined;
}

function timeouts(scope: RouteScope, input: HttpRouteInput): Json {
  const { http } = input;
  const timeout = http.timeout !== undefined ? protoDuration(http.timeout) : undefined;
  if (http.timeout !== undefined && !timeout) scope.ctx.diags.warn(input.source, `${input.path}.timeout`, 'not a valid duration: no timeout');
  const limit = timeout ?? ZERO_DURATION;
  return { timeout: limit, max_grpc_timeout: limit };
}

/** prefix_rewrite / regex_rewrite; false when the rewrite regex is invalid (the route is dropped). */
function applyRewrite(scope: RouteScope, input: HttpRouteInput, action: Json): boolean {
  const rewrite = input.http.rewrite;
  if (rewrite?.uriRegexRewrite) {
    const why = badRegex({ regex: rewrite.uriRegexRewrite.match });
    if (why) {
      scope.ctx.diags.warn(input.source, `${input.path}.rewrite.uriRegexRewrite.match`, `invalid regex: ${why}; route left out`);
      return false;
    }
    action.regex_rewrite = { pattern: { regex: rewrite.uriRegexRewrite.match }, substitution: rewrite.uriRegexRewrite.rewrite };
  } else if (rewrite?.uri) {
    action.prefix_rewrite = rewrite.uri;
  }
  return true;
}

interface Destinations {
  readonly specifier: Json;
  /** `<host>:<port>` of the one cluster (Istio's trace operation prefix); undefined for weighted clusters. */
  readonly hostPort?: string;
  readonly hashes: Json[];
  readonly headers: HeaderOps | undefined;
  readonly hashing: boolean;
}

function single(scope: RouteScope, input: HttpRouteInput, dst: HTTPRouteDestination): Destinations | undefined {
  const resolved = resolve(scope, input, dst, 0, 'the route answers 503');
  if (!resolved) return undefined;
  const hash = hashPolicyForDestination(scope.ctx, resolved.service, dst.destination);
  return { specifier: { cluster: resolved.cluster }, hostPort: `${resolved.service.hostname}:${resolved.port.port}`, hashes: hash ? [hash] : [], headers: dst.headers ? headerOperations(dst.headers) : undefined, hashing: hash !== undefined };
}

function weighted(scope: RouteScope, input: HttpRouteInput, route: readonly HTTPRouteDestination[]): Destinations | undefined {
  const clusters: Json[] = [];
  const hashes: Json[] = [];
  for (const [i, dst] of route.entries()) {
    if ((dst.weight ?? 0) === 0) continue;
    const resolved = resolve(scope, input, dst, i, 'left out of the weighted clusters');
    if (!resolved) continue;
    const entry: Json = { name: resolved.cluster, weight: { value: dst.weight } };
    if (dst.headers) {
      const ops = headerOperations(dst.headers);
      applyHeaderOps(entry, ops);
      if (ops.authority) entry.host_rewrite_literal = ops.authority;
    }
    clusters.push(entry);
    const hash = hashPolicyForDestination(scope.ctx, resolved.service, dst.destination);
    if (hash) hashes.push(hash);
  }
  if (clusters.length === 0) return undefined;
  return { specifier: { weighted_clusters: { clusters } }, hashes, headers: undefined, hashing: false };
}

const sharedOrUndefined = (policy: Json | undefined) => (policy ? shared(policy) : undefined);

/** `routeAuthority`: the host rewrite from the route's own header operations ('' for none). */
export function buildRouteAction(scope: RouteScope, input: HttpRouteInput, routeAuthority: string): ActionResult {
  const { ctx } = scope;
  const { http } = input;
  const route = http.route ?? [];
  const action: Json = timeouts(scope, input);
  if (!applyRewrite(scope, input, action)) return { kind: 'dropped' };
  const dests = route.length === 1 ? single(scope, input, route[0]!) : weighted(scope, input, route);
  if (!dests) {
    if (route.length !== 1) ctx.diags.warn(input.source, `${input.path}.route`, 'no destination this proxy can reach is left: the route answers 503');
    return { kind: 'unreachable' };
  }
  Object.assign(action, dests.specifier);
  const authority = http.rewrite?.authority || routeAuthority || dests.headers?.authority || '';
  if (authority) action.host_rewrite_literal = authority;
  const mirrors = buildMirrorPolicies(scope, input);
  if (mirrors.length > 0) action.request_mirror_policies = mirrors;
  const retry = http.retries
    ? buildRetryPolicy(http.retries, dests.hashing, { source: input.source, path: `${input.path}.retries` }, ctx.diags)
    : ctx.memo(dests.hashing ? 'default-retry:true' : 'default-retry:false', () => sharedOrUndefined(buildRetryPolicy(ctx.mesh.defaultHttpRetryPolicy, dests.hashing, { source: undefined, path: 'defaultHttpRetryPolicy' }, ctx.diags)));
  if (retry) action.retry_policy = retry;
  if (dests.hashes.length > 0) action.hash_policy = dests.hashes;
  return { kind: 'route', action, destinationHeaders: dests.headers, clusterHostPort: dests.hostPort };
}
