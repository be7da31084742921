/**
 * HTTPRoute filters → VirtualService HTTPRoute fields: request/response header modifiers →
 * `headers`, RequestRedirect → `redirect`, URLRewrite → `rewrite` (per match: a prefix rewrite
 * must keep the path separator of the prefix it replaces), RequestMirror → `mirrors`, CORS →
 * `corsPolicy`. Any other filter type (ExtensionRef included) makes the route invalid, as in
 * Istio: the spec forbids skipping a filter the implementation cannot apply.
 */
import type { ConfigObject } from '../config.js';
import type { Headers, StringMatch } from '../types/common.js';
import type { CorsPolicy, HTTPRoute as VsHttpRoute } from '../types/virtual-service.js';
import { resolveBackend, type RefProblem } from './references.js';
import type { HeaderModifier, HTTPCORSFilter, HTTPRouteFilter, PathModifier } from './types.js';
import type { GatewayApiWorld } from './world.js';

type HeaderOperations = NonNullable<Headers['request']>;

const SUPPORTED_FILTERS = new Set(['RequestHeaderModifier', 'ResponseHeaderModifier', 'RequestRedirect', 'URLRewrite', 'RequestMirror', 'CORS']);

/** Why a rule's filters cannot be applied (an unsupported type), or undefined. */
export function unsupportedFilter(filters: readonly HTTPRouteFilter[]): string | undefined {
  const bad = filters.find((f) => !SUPPORTED_FILTERS.has(f.type ?? ''));
  return bad ? `unsupported filter type "${bad.type ?? ''}"` : undefined;
}

/** Origins are exact matches (Istio does not translate Gateway API origin wildcards yet). */
function corsPolicy(cors: HTTPCORSFilter): CorsPolicy {
  const origins = (cors.allowOrigins ?? []).filter((o) => o !== '');
  return {
    ...(origins.length > 0 ? { allowOrigins: origins.map((exact) => ({ exact })) } : {}),
    ...(cors.allowCredentials ? { allowCredentials: true } : {}),
    ...(cors.allowMethods?.length ? { allowMethods: [...cors.allowMethods] } : {}),
    ...(cors.allowHeaders?.length ? { allowHeaders: [...cors.allowHeaders] } : {}),
    ...(cors.exposeHeaders?.length ? { exposeHeaders: [...cors.exposeHeaders] } : {}),
    ...(cors.maxAge !== undefined && cors.maxAge > 0 ? { maxAge: `${cors.maxAge}s` } : {}),
  };
}

function headerOps(mod: HeaderModifier | undefined): HeaderOperations | undefined {
  if (!mod) return undefined;
  const pairs = (list: { name?: string; value?: string }[] | undefined) => (list && list.length > 0 ? Object.fromEntries(list.map((h) => [h.name ?? '', h.value ?? ''])) : undefined);
  const set = pairs(mod.set);
  const add = pairs(mod.add);
  const ops: HeaderOperations = { ...(set ? { set } : {}), ...(add ? { add } : {}), ...(mod.remove?.length ? { remove: [...mod.remove] } : {}) };
  return Object.keys(ops).length > 0 ? ops : undefined;
}

export function headersOf(filters: readonly HTTPRouteFilter[]): Headers | undefined {
  const request = headerOps(filters.find((f) => f.type === 'RequestHeaderModifier')?.requestHeaderModifier);
  const response = headerOps(filters.find((f) => f.type === 'ResponseHeaderModifier')?.responseHeaderModifier);
  if (!request && !response) return undefined;
  return { ...(request ? { request } : {}), ...(response ? { response } : {}) };
}

/** The path replacement of a prefix-match rewrite: a prefix `X/` is replaced by `R/`, an exact `X` by `R`. */
function prefixReplacement(replacement: string, uri: StringMatch | undefined): string {
  const isPrefix = uri !== undefined && 'prefix' in uri;
  return isPrefix && !replacement.endsWith('/') ? `${replacement}/` : replacement;
}

function rewritePath(path: PathModifier | undefined, uri: StringMatch | undefined): Partial<NonNullable<VsHttpRoute['rewrite']>> {
  if (!path) return {};
  if (path.type === 'ReplaceFullPath') return { uriRegexRewrite: { match: '/.*', rewrite: path.replaceFullPath ?? '/' } };
  if (path.type === 'ReplacePrefixMatch') return { uri: prefixReplacement(path.replacePrefixMatch ?? '/', uri) };
  return {};
}

/** The filters' effect on one VirtualService route (built for one match, whose `uri` is given). */
export function applyFilters(world: GatewayApiWorld, route: ConfigObject, filters: readonly HTTPRouteFilter[], uri: StringMatch | undefined, problems: RefProblem[]): Partial<VsHttpRoute> {
  const out: Partial<VsHttpRoute> = {};
  const headers = headersOf(filters);
  if (headers) out.headers = headers;
  const redirect = filters.find((f) => f.type === 'RequestRedirect')?.requestRedirect;
  if (redirect) {
    const path = redirect.path;
    const uriTarget = path?.type === 'ReplaceFullPath' ? path.replaceFullPath : path?.type === 'ReplacePrefixMatch' ? path.replacePrefixMatch : undefined;
    out.redirect = {
      ...(uriTarget !== undefined ? { uri: uriTarget } : {}),
      ...(redirect.hostname ? { authority: redirect.hostname } : {}),
      ...(redirect.scheme ? { scheme: redirect.scheme } : {}),
      ...(redirect.port !== undefined ? { port: redirect.port } : redirect.scheme ? { derivePort: 'FROM_PROTOCOL_DEFAULT' as const } : {}),
      redirectCode: redirect.statusCode ?? 302,
    };
  }
  const rewrite = filters.find((f) => f.type === 'URLRewrite')?.urlRewrite;
  if (rewrite) {
    const value = { ...(rewrite.hostname ? { authority: rewrite.hostname } : {}), ...rewritePath(rewrite.path, uri) };
    if (Object.keys(value).length > 0) out.rewrite = value;
  }
  const mirrors = filters.filter((f) => f.type === 'RequestMirror' && f.requestMirror?.backendRef).flatMap((f) => {
    const resolved = resolveBackend(world, route, f.requestMirror!.backendRef!);
    if (!resolved.ok) {
      problems.push(resolved.problem);
      return [];
    }
    const fraction = f.requestMirror!.fraction;
    const percent = f.requestMirror!.percent ?? (fraction?.numerator !== undefined ? (100 * fraction.numerator) / (fraction.denominator || 100) : undefined);
    const destination = { host: resolved.value.host, ...(resolved.value.port !== undefined ? { port: { number: resolved.value.port } } : {}) };
    return [{ destination, ...(percent !== undefined ? { percentage: { value: percent } } : {}) }];
  });
  if (mirrors.length > 0) out.mirrors = mirrors;
  const cors = filters.find((f) => f.type === 'CORS')?.cors;
  if (cors) out.corsPolicy = corsPolicy(cors);
  return out;
}
