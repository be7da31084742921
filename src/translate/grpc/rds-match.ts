/**
 * VirtualService HTTPMatchRequest → envoy RouteMatch, as Istio translates it: uri exact / prefix /
 * regex (RE2, as safe_regex) with case_sensitive from ignoreUriCase; headers and withoutHeaders
 * (inverted) as exact/prefix/regex header matches, or present_match for an empty match or the regex "*"; method,
 * authority and scheme as pseudo-header matches. Every route gets a path specifier (prefix "/"
 * when no uri is given): gRPC rejects a route without one.
 */
import { pathSpecifier } from '../common/path-specifier.js';
import type { HTTPMatchRequest } from '../../model/types/virtual-service.js';
import type { StringMatch } from '../../model/types/common.js';

export type Json = Record<string, unknown>;

function isPresentMatch(m: StringMatch | undefined): boolean {
  return m === undefined || Object.keys(m).length === 0 || ('regex' in m && m.regex === '*');
}

/**
 * The header matcher's value as exact_match / prefix_match / safe_regex_match. Envoy deprecated
 * these for string_match, but gRPC only accepts string_match since gRFC A63 (C-core 1.51 NACKs
 * the whole RouteConfiguration), while every gRPC version and Envoy accept the older fields.
 */
function headerValueMatch(m: StringMatch): Json {
  if ('exact' in m) return { exact_match: m.exact };
  if ('prefix' in m) return { prefix_match: m.prefix };
  return { safe_regex_match: { regex: m.regex } };
}

export function headerMatcher(name: string, m: StringMatch | undefined, invert = false): Json {
  const present = isPresentMatch(m);
  const out: Json = { name, ...(present ? { present_match: true } : headerValueMatch(m as StringMatch)) };
  if (invert) {
    out.invert_match = true;
    if (!present) out.treat_missing_header_as_empty = true;
  }
  return out;
}

export function routeMatch(match: HTTPMatchRequest | undefined): Json {
  if (!match) return { prefix: '/' };
  const headers = [
    ...Object.entries(match.headers ?? {}).map(([name, m]) => headerMatcher(name, m)),
    ...Object.entries(match.withoutHeaders ?? {}).map(([name, m]) => headerMatcher(name, m, true)),
  ].sort((a, b) => (String(a.name) < String(b.name) ? -1 : String(a.name) > String(b.name) ? 1 : 0));
  if (match.method) headers.push(headerMatcher(':method', match.method));
  if (match.authority) headers.push(headerMatcher(':authority', match.authority));
  if (match.scheme) headers.push(headerMatcher(':scheme', match.scheme));
  return {
    ...pathSpecifier(match.uri),
    case_sensitive: { value: !match.ignoreUriCase },
    ...(headers.length > 0 ? { headers } : {}),
  };
}

/** A route matching everything (prefix "/" or regex ".*", no header match): nothing after it can match. */
export function isCatchAll(match: Json): boolean {
  const everyPath = match.prefix === '/' || (match.safe_regex as Json | undefined)?.regex === '.*';
  return everyPath && match.headers === undefined;
}
