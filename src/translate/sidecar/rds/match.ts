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
import { shared } from '../../common/shared.js';
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

const SINGLE_FIELDS = ['uri', 'method', 'authority', 'scheme'] as const;
const MAP_FIELDS = ['headers', 'withoutHeaders', 'queryParams'] as const;

/** The first StringMatch with a regex RE2 rejects: its field path and why. */
function firstBadRegex(match: HTTPMatchRequest): { field: string; why: string } | undefined {
  for (const field of SINGLE_FIELDS) {
    const why = badRegex(match[field]);
    if (why) return { field, why };
  }
  for (const field of MAP_FIELDS) {
    const map = match[field];
    if (!map) continue;
    for (const k in map) {
      const why = badRegex(map[k]);
      if (why) return { field: `${field}.${k}`, why };
    }
  }
  return undefined;
}

function claimHeader(match: HTTPMatchRequest): string | undefined {
  for (const map of [match.headers, match.withoutHeaders]) {
    for (const h in map ?? {}) if (h.startsWith(CLAIM_PREFIX)) return h;
  }
  return undefined;
}

/** Why this match cannot be translated (field path and reason), or undefined. */
export function unusableMatch(match: HTTPMatchRequest | undefined): { field: string; reason: string } | undefined {
  if (!match) return undefined;
  const bad = firstBadRegex(match);
  if (bad) return { field: bad.field, reason: `invalid regex: ${bad.why}` };
  const claims = claimHeader(match);
  if (claims) return { field: `headers.${claims}`, reason: 'JWT claim matches need Istio\'s authn filter, which this control plane does not configure' };
  return undefined;
}

// On (nearly) every route: shared, so the encoder copies their bytes.
const CASE_SENSITIVE = shared({ value: true });
const CASE_INSENSITIVE = shared({ value: false });

export function buildRouteMatch(match: HTTPMatchRequest | undefined): Json {
  if (!match) return { prefix: '/' };
  if (!match.headers && !match.withoutHeaders && !match.method && !match.authority && !match.scheme && !match.queryParams) {
    const out = pathSpecifier(match.uri);
    out.case_sensitive = match.ignoreUriCase ? CASE_INSENSITIVE : CASE_SENSITIVE;
    return out;
  }
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
