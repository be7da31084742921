/**
 * VirtualService HTTPMatchRequest → envoy RouteMatch, as Istio translates it for sidecars:
 * uri exact → path, prefix → prefix, regex → safe_regex, case_sensitive from ignoreUriCase;
 * headers and withoutHeaders (invert_match, plus treat_missing_header_as_empty unless it is a
 * presence match) sorted by name, then :method, :authority, :scheme; query parameters. An
 * empty match or the regex "*" is present_match. A regex RE2 rejects drops the match.
 */
import { pathSpecifier } from '../../common/path-specifier.js';
import type { HTTPMatchRequest } from '../../../model/types/virtual-service.js';
import type { StringMatch } from '../../../model/types/common.js';
import { badRegex, isPresentMatch, stringMatcher } from './string-match.js';
import type { Json } from './types.js';

/** Header names Istio turns into JWT-claim metadata matches (needs Istio's authn filter). */
const CLAIM_PREFIX = '@request.auth.claims';

function headerMatcher(name: string, m: StringMatch | undefined, invert = false): Json {
  const present = isPresentMatch(m);
  const out: Json = { name, ...(present ? { present_match: true } : { string_match: stringMatcher(m as StringMatch) }) };
  if (invert) {
    out.invert_match = true;
    if (!present) out.treat_missing_header_as_empty = true;
  }
  return out;
}

function queryMatcher(name: string, m: StringMatch | undefined): Json {
  return isPresentMatch(m) ? { name, present_match: true } : { name, string_match: stringMatcher(m as StringMatch) };
}

const byName = (a: Json, b: Json) => (String(a.name) < String(b.name) ? -1 : String(a.name) > String(b.name) ? 1 : 0);

/** Every StringMatch of a match with its field path (for regex checks). */
function stringMatches(match: HTTPMatchRequest): [string, StringMatch | undefined][] {
  const out: [string, StringMatch | undefined][] = [['uri', match.uri], ['method', match.method], ['authority', match.authority], ['scheme', match.scheme]];
  for (const field of ['headers', 'withoutHeaders', 'queryParams'] as const) {
    for (const [k, v] of Object.entries(match[field] ?? {})) out.push([`${field}.${k}`, v]);
  }
  return out;
}

/** Why this match cannot be translated (field path and reason), or undefined. */
export function unusableMatch(match: HTTPMatchRequest | undefined): { field: string; reason: string } | undefined {
  if (!match) return undefined;
  for (const [field, m] of stringMatches(match)) {
    const why = badRegex(m);
    if (why) return { field, reason: `invalid regex: ${why}` };
  }
  const claims = Object.keys({ ...match.headers, ...match.withoutHeaders }).find((h) => h.startsWith(CLAIM_PREFIX));
  if (claims) return { field: `headers.${claims}`, reason: 'JWT claim matches need Istio\'s authn filter, which this control plane does not configure' };
  return undefined;
}

export function buildRouteMatch(match: HTTPMatchRequest | undefined): Json {
  if (!match) return { prefix: '/' };
  const headers = [
    ...Object.entries(match.headers ?? {}).map(([name, m]) => headerMatcher(name, m)),
    ...Object.entries(match.withoutHeaders ?? {}).map(([name, m]) => headerMatcher(name, m, true)),
  ].sort(byName);
  if (match.method) headers.push(headerMatcher(':method', match.method));
  if (match.authority) headers.push(headerMatcher(':authority', match.authority));
  if (match.scheme) headers.push(headerMatcher(':scheme', match.scheme));
  const query = Object.entries(match.queryParams ?? {}).map(([name, m]) => queryMatcher(name, m)).sort(byName);
  return {
    ...pathSpecifier(match.uri),
    case_sensitive: { value: !match.ignoreUriCase },
    ...(headers.length > 0 ? { headers } : {}),
    ...(query.length > 0 ? { query_parameters: query } : {}),
  };
}

/** Istio's catch-all: prefix "/" or regex ".*" with no header or query match; nothing after it can match. */
export function isCatchAll(match: Json): boolean {
  const everyPath = match.prefix === '/' || (match.safe_regex as Json | undefined)?.regex === '.*';
  return everyPath && match.headers === undefined && match.query_parameters === undefined;
}
