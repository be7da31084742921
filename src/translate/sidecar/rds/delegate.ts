/**
 * VirtualService delegation (one level), merged as Istio merges it: each `http[i].delegate`
 * is replaced by the delegate's routes, every delegate match narrowed by the root's matches
 * (a delegate match must fit inside at least one root match — paths, headers, query params,
 * port, sourceNamespace, sourceLabels, and its gateways a subset of the root's — else that
 * delegate route is left out), names joined `root-delegate`, the root's sourceNamespace,
 * sourceLabels, gateways and statPrefix filling in, and root fields (rewrite, timeout, retries,
 * fault, mirror, corsPolicy, headers) filling in what the delegate leaves unset. Gateway names
 * are resolved in their own VirtualService's namespace before merging. The delegate must exist,
 * have no hosts, and be exported to the root's namespace; otherwise the root route is left out.
 */
import type { ConfigObject } from '../../../model/config.js';
import { isVisibleTo } from '../../../model/registry/export-to.js';
import type { StringMatch } from '../../../model/types/common.js';
import type { HTTPMatchRequest, HTTPRoute, VirtualServiceSpec } from '../../../model/types/virtual-service.js';
import { resolveGatewayName } from '../../common/gateway-name.js';
import type { SidecarContext } from '../context.js';
import type { HttpRouteInput } from './types.js';

type Match = HTTPMatchRequest;

/** Is `leaf` not a narrowing of `root`? Regexes never merge; exact must equal; prefix must extend. */
function stringConflict(root: StringMatch | undefined, leaf: StringMatch | undefined): boolean {
  if (!root || !leaf) return false;
  if ('regex' in root || 'regex' in leaf) return true;
  if ('exact' in root) return !('exact' in leaf) || leaf.exact !== root.exact;
  const leafText = 'prefix' in leaf ? leaf.prefix : leaf.exact;
  return !leafText.startsWith(root.prefix);
}

function labelsConflict(root: Match, leaf: Match): boolean {
  for (const [k, v] of Object.entries(leaf.sourceLabels ?? {})) if (root.sourceLabels?.[k] !== undefined && root.sourceLabels[k] !== v) return true;
  return false;
}

/** Both name gateways and the leaf's are not all among the root's (names already resolved). */
function gatewaysConflict(root: Match, leaf: Match): boolean {
  const r = root.gateways ?? [];
  const l = leaf.gateways ?? [];
  return r.length > 0 && l.length > 0 && l.some((g) => !r.includes(g));
}

function hasConflict(root: Match, leaf: Match): boolean {
  for (const f of ['uri', 'scheme', 'method', 'authority'] as const) if (stringConflict(root[f], leaf[f])) return true;
  for (const [k, v] of Object.entries(leaf.headers ?? {})) if (stringConflict(root.headers?.[k], v)) return true;
  for (const [k, v] of Object.entries(leaf.withoutHeaders ?? {})) if (stringConflict(root.withoutHeaders?.[k], v)) return true;
  for (const [k, v] of Object.entries(leaf.queryParams ?? {})) if (stringConflict(root.queryParams?.[k], v)) return true;
  if (Boolean(root.ignoreUriCase) !== Boolean(leaf.ignoreUriCase)) return true;
  if ((root.port ?? 0) > 0 && (leaf.port ?? 0) > 0 && root.port !== leaf.port) return true;
  // Istio: a root sourceNamespace must be repeated by the delegate's match.
  if (root.sourceNamespace && leaf.sourceNamespace !== root.sourceNamespace) return true;
  return labelsConflict(root, leaf) || gatewaysConflict(root, leaf);
}

/** A match with its gateway names resolved in its VirtualService's namespace. */
function withResolvedGateways(m: Match, namespace: string): Match {
  return m.gateways?.length ? { ...m, gateways: m.gateways.map((g) => resolveGatewayName(g, namespace)) } : m;
}

const joinNames = (root: string | undefined, leaf: string | undefined) => (!leaf ? root : root ? `${root}-${leaf}` : leaf);

function mergeMaps(a: Record<string, StringMatch> | undefined, b: Record<string, StringMatch> | undefined): Record<string, StringMatch> | undefined {
  return a || b ? { ...a, ...b } : undefined;
}

/** The delegate match narrowed by the root's. */
function mergeMatch(root: Match, leaf: Match): Match {
  const out: Match = { ...leaf };
  const name = joinNames(root.name, leaf.name);
  if (name) out.name = name;
  for (const f of ['uri', 'scheme', 'method', 'authority'] as const) if (!out[f] && root[f]) out[f] = root[f];
  const headers = mergeMaps(root.headers, leaf.headers);
  const without = mergeMaps(root.withoutHeaders, leaf.withoutHeaders);
  const query = mergeMaps(root.queryParams, leaf.queryParams);
  if (headers) out.headers = headers;
  if (without) out.withoutHeaders = without;
  if (query) out.queryParams = query;
  if (!out.port && root.port) out.port = root.port;
  const labels = root.sourceLabels || leaf.sourceLabels ? { ...root.sourceLabels, ...leaf.sourceLabels } : undefined;
  if (labels) out.sourceLabels = labels;
  if (!out.sourceNamespace && root.sourceNamespace) out.sourceNamespace = root.sourceNamespace;
  if (!out.gateways?.length && root.gateways?.length) out.gateways = root.gateways;
  if (!out.statPrefix && root.statPrefix) out.statPrefix = root.statPrefix;
  return out;
}

function mergeMatches(root: readonly Match[] | undefined, leaf: readonly Match[] | undefined): Match[] | undefined | 'conflict' {
  if (!root || root.length === 0) return leaf ? [...leaf] : undefined;
  if (!leaf || leaf.length === 0) return [...root];
  const out: Match[] = [];
  for (const sub of leaf) {
    const fits = root.filter((r) => !hasConflict(r, sub));
    if (fits.length === 0) return 'conflict';
    out.push(...fits.map((r) => mergeMatch(r, sub)));
  }
  return out;
}

const INHERITED = ['rewrite', 'timeout', 'retries', 'fault', 'mirror', 'mirrorPercent', 'mirrorPercentage', 'mirrors', 'corsPolicy', 'headers'] as const;

/** `rootNs` / `leafNs`: the namespaces the root's and the delegate's gateway names resolve in. */
function mergeRoute(root: HTTPRoute, leaf: HTTPRoute, rootNs: string, leafNs: string): HTTPRoute | undefined {
  const match = mergeMatches(root.match?.map((m) => withResolvedGateways(m, rootNs)), leaf.match?.map((m) => withResolvedGateways(m, leafNs)));
  if (match === 'conflict') return undefined;
  const out: HTTPRoute = { ...leaf };
  if (match) out.match = match;
  else delete out.match;
  const name = joinNames(root.name, leaf.name);
  if (name) out.name = name;
  const target = out as Record<string, unknown>;
  for (const f of INHERITED) if (out[f] === undefined && root[f] !== undefined) target[f] = root[f];
  return out;
}

function findDelegate(ctx: SidecarContext, root: ConfigObject, http: HTTPRoute, path: string): ConfigObject | undefined {
  const ref = http.delegate!;
  const ns = ref.namespace || root.metadata.namespace;
  const found = ref.name ? ctx.config('VirtualService', ns, ref.name) : undefined;
  const spec = found?.spec as VirtualServiceSpec | undefined;
  let why: string | undefined;
  if (!found || !spec) why = `delegate VirtualService ${ns}/${ref.name ?? ''} not found`;
  else if ((spec.hosts ?? []).length > 0) why = `VirtualService ${ns}/${ref.name} has hosts, so it cannot be a delegate`;
  else {
    const exportTo = spec.exportTo?.length ? spec.exportTo : ctx.snapshot.options.defaultVirtualServiceExportTo;
    if (!isVisibleTo(exportTo, ns, root.metadata.namespace)) why = `delegate VirtualService ${ns}/${ref.name} is not exported to namespace ${root.metadata.namespace}`;
  }
  if (!why) return found;
  ctx.diags.warn(root, `${path}.delegate`, `${why}: route left out`);
  return undefined;
}

function delegateRoutes(ctx: SidecarContext, root: ConfigObject, http: HTTPRoute, path: string): HttpRouteInput[] {
  const delegate = findDelegate(ctx, root, http, path);
  if (!delegate) return [];
  const out: HttpRouteInput[] = [];
  for (const [k, leaf] of ((delegate.spec as VirtualServiceSpec).http ?? []).entries()) {
    const leafPath = `spec.http[${k}]`;
    if (leaf.delegate) {
      ctx.diags.warn(delegate, `${leafPath}.delegate`, 'delegation is one level deep: a delegate cannot delegate again; route left out');
      continue;
    }
    const merged = mergeRoute(http, leaf, root.metadata.namespace, delegate.metadata.namespace);
    if (merged) out.push({ http: merged, source: delegate, path: leafPath, namespace: delegate.metadata.namespace });
    else ctx.diags.warn(delegate, `${leafPath}.match`, `does not fit inside the matches of ${root.metadata.namespace}/${root.metadata.name} ${path}: route left out`);
  }
  return out;
}

/** The VirtualService's HTTP routes with delegation resolved, in order. */
export function expandHttpRoutes(ctx: SidecarContext, vs: ConfigObject): HttpRouteInput[] {
  const out: HttpRouteInput[] = [];
  const routes = (vs.spec as VirtualServiceSpec).http ?? [];
  for (let i = 0; i < routes.length; i++) {
    const http = routes[i]!;
    const path = `spec.http[${i}]`;
    if (http.delegate) out.push(...delegateRoutes(ctx, vs, http, path));
    else out.push({ http, source: vs, path, namespace: vs.metadata.namespace });
  }
  return out;
}
