/**
 * HTTPRoute and GRPCRoute rules → VirtualService HTTP routes, one per match, each carrying the
 * Gateway API precedence key so routes merged from several objects for one host are ordered as
 * the spec says: exact path, then longest prefix, then regex; then method; then most headers;
 * then most query params; then the oldest route object; then rule and match order.
 * PathPrefix is element-wise (`/foo` matches `/foo` and `/foo/bar`, not `/foobar`): it becomes
 * two matches, exact `/foo` and prefix `/foo/`.
 */
import type { ConfigObject } from '../config.js';
import type { StringMatch } from '../types/common.js';
import type { HTTPMatchRequest, HTTPRoute as VsHttpRoute, HTTPRouteDestination } from '../types/virtual-service.js';
import { applyFilters, headersOf, unsupportedFilter } from './http-filters.js';
import { resilienceOf } from './http-resilience.js';
import { resolveBackend, type RefProblem } from './references.js';
import type { BackendRef, GRPCRouteRule, HTTPHeaderMatch, HTTPRouteFilter, HTTPRouteMatch, HTTPRouteRule } from './types.js';
import type { GatewayApiWorld } from './world.js';

export interface OrderedRoute {
  readonly route: VsHttpRoute;
  /** Sorts ascending: see the file comment. */
  readonly key: readonly number[];
}

export interface ConvertedRules {
  readonly routes: OrderedRoute[];
  readonly problems: RefProblem[];
  /** Set when the route cannot be used at all (Istio then attaches none of it). */
  invalid?: RefProblem;
}

function stringMatch(m: HTTPHeaderMatch): StringMatch {
  return m.type === 'RegularExpression' ? { regex: m.value ?? '' } : { exact: m.value ?? '' };
}

const byName = (list: HTTPHeaderMatch[] | undefined) => (list && list.length > 0 ? Object.fromEntries(list.map((h) => [(h.name ?? '').toLowerCase(), stringMatch(h)])) : undefined);

/** The `uri` matches of one path match (two for an element-wise prefix). */
function uriMatches(path: HTTPRouteMatch['path']): (StringMatch | undefined)[] {
  if (!path) return [{ prefix: '/' }];
  const value = path.value ?? '/';
  if (path.type === 'Exact') return [{ exact: value }];
  if (path.type === 'RegularExpression') return [{ regex: value }];
  const trimmed = value.replace(/\/+$/, '');
  return trimmed === '' ? [{ prefix: '/' }] : [{ exact: trimmed }, { prefix: `${trimmed}/` }];
}

function pathRank(path: HTTPRouteMatch['path']): [number, number] {
  if (!path) return [2, 1];
  if (path.type === 'Exact') return [0, -(path.value ?? '').length];
  if (path.type === 'RegularExpression') return [1, -(path.value ?? '').length];
  return [2, -(path.value ?? '/').replace(/\/+$/, '').length - 1];
}

function precedence(m: HTTPRouteMatch, order: readonly number[]): number[] {
  const [kind, length] = pathRank(m.path);
  return [kind, length, m.method ? 0 : 1, -(m.headers?.length ?? 0), -(m.queryParams?.length ?? 0), ...order];
}

/** GRPCRoute method match → an HTTP path match on `/<service>/<method>`. */
function grpcMatch(m: NonNullable<GRPCRouteRule['matches']>[number]): HTTPRouteMatch {
  const method = m.method;
  const headers = m.headers;
  if (!method || (!method.service && !method.method)) return { ...(headers ? { headers } : {}) };
  const regex = method.type === 'RegularExpression';
  const service = method.service ?? '';
  const name = method.method ?? '';
  let path: HTTPRouteMatch['path'];
  if (regex) path = { type: 'RegularExpression', value: `/${service || '[^/]+'}/${name || '[^/]+'}` };
  else if (service && name) path = { type: 'Exact', value: `/${service}/${name}` };
  else if (service) path = { type: 'PathPrefix', value: `/${service}` };
  else path = { type: 'RegularExpression', value: `/[^/]+/${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}` };
  return { path, ...(headers ? { headers } : {}) };
}

function destinations(world: GatewayApiWorld, route: ConfigObject, refs: readonly BackendRef[], problems: RefProblem[]): { route?: HTTPRouteDestination[]; fail: boolean } {
  if (refs.length === 0) return { fail: true };
  const out: HTTPRouteDestination[] = [];
  for (const ref of refs) {
    const resolved = resolveBackend(world, route, ref);
    if (!resolved.ok) {
      problems.push(resolved.problem);
      continue;
    }
    if (resolved.value.weight <= 0) continue;
    const headers = headersOf(ref.filters ?? []);
    out.push({
      destination: { host: resolved.value.host, ...(resolved.value.port !== undefined ? { port: { number: resolved.value.port } } : {}) },
      weight: resolved.value.weight,
      ...(headers ? { headers } : {}),
    });
  }
  if (out.length === 0) return { fail: true };
  if (out.length === 1) delete out[0]!.weight;
  return { route: out, fail: false };
}

interface RuleInput {
  readonly matches: HTTPRouteMatch[];
  readonly filters: readonly HTTPRouteFilter[];
  readonly backendRefs: readonly BackendRef[];
  readonly resilience?: Pick<VsHttpRoute, 'retries' | 'timeout'>;
}

function matchRequest(m: HTTPRouteMatch, uri: StringMatch | undefined, port: number | undefined): HTTPMatchRequest {
  const headers = byName(m.headers);
  const queryParams = m.queryParams && m.queryParams.length > 0 ? Object.fromEntries(m.queryParams.map((q) => [q.name ?? '', stringMatch(q)])) : undefined;
  return {
    ...(uri ? { uri } : {}),
    ...(headers ? { headers } : {}),
    ...(queryParams ? { queryParams } : {}),
    ...(m.method ? { method: { exact: m.method } } : {}),
    ...(port !== undefined ? { port } : {}),
  };
}

function convertRule(world: GatewayApiWorld, route: ConfigObject, rule: RuleInput, ruleIndex: number, routeOrder: number, port: number | undefined, out: ConvertedRules): void {
  const hasRedirect = rule.filters.some((f) => f.type === 'RequestRedirect');
  const backendProblems: RefProblem[] = [];
  const target = hasRedirect ? { fail: false } : destinations(world, route, rule.backendRefs, backendProblems);
  out.problems.push(...backendProblems);
  const matches = rule.matches.length > 0 ? rule.matches : [{}];
  matches.forEach((m, matchIndex) => {
    for (const uri of uriMatches(m.path)) {
      const filters = applyFilters(world, route, rule.filters, uri, out.problems);
      const vs: VsHttpRoute = {
        name: `${route.metadata.namespace}.${route.metadata.name}.${ruleIndex}.${matchIndex}`,
        match: [matchRequest(m, uri, port)],
        ...filters,
        // Gateway API: a rule with no usable backend answers 500.
        ...(target.fail ? { directResponse: { status: 500 } } : target.route ? { route: target.route } : {}),
        ...(rule.resilience && !hasRedirect && !target.fail ? rule.resilience : {}),
      };
      if (target.fail) delete vs.rewrite;
      out.routes.push({ route: vs, key: precedence(m, [routeOrder, ruleIndex, matchIndex, 'exact' in (uri ?? {}) ? 0 : 1]) });
    }
  });
}

/** Every rule of an HTTPRoute or GRPCRoute; `port` (GAMMA parentRef port) narrows each match. */
export function convertHttpRules(world: GatewayApiWorld, route: ConfigObject, routeOrder: number, port?: number): ConvertedRules {
  const out: ConvertedRules = { routes: [], problems: [] };
  const rules = ((route.spec as { rules?: unknown[] }).rules ?? []) as (HTTPRouteRule & GRPCRouteRule)[];
  rules.forEach((rule, i) => {
    const bad = unsupportedFilter(rule.filters ?? []);
    if (bad) out.invalid ??= { reason: 'InvalidFilter', message: `spec.rules[${i}]: ${bad}` };
    const matches = route.kind === 'GRPCRoute' ? (rule.matches ?? []).map(grpcMatch) : ((rule.matches ?? []) as HTTPRouteMatch[]);
    const resilience = route.kind === 'HTTPRoute' ? resilienceOf(rule as HTTPRouteRule) : undefined;
    convertRule(world, route, { matches, filters: rule.filters ?? [], backendRefs: rule.backendRefs ?? [], ...(resilience ? { resilience } : {}) }, i, routeOrder, port, out);
  });
  if (out.invalid) out.routes.length = 0;
  return out;
}

export function compareKeys(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
