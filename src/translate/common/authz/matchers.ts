/**
 * Envoy matcher shapes (type.matcher.v3 StringMatcher, route HeaderMatcher, CidrRange, metadata
 * matchers) built from AuthorizationPolicy values, with Istio's `*` conventions: `*` alone means
 * "any non-empty value", a leading `*` a suffix match, a trailing `*` a prefix match. Literal
 * parts that end up inside a regex are always escaped (Istio's bulletins: an unescaped `.` in a
 * service account or a suffix principal matched more identities than written).
 */
import { isIP } from 'node:net';

export type Json = Record<string, unknown>;

/** RE2 meta characters escaped, like Go's regexp.QuoteMeta. */
export function quoteMeta(literal: string): string {
  return literal.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&');
}

export const safeRegex = (regex: string): Json => ({ safe_regex: { google_re2: {}, regex } });

/** `.+`: Istio's matcher for the bare wildcard (an empty prefix/suffix is invalid in Envoy). */
export const ANY_VALUE: Json = safeRegex('.+');

/** A StringMatcher for `value`; `prefix` is prepended to the literal part (e.g. `spiffe://`). */
export function stringMatcher(value: string, prefix = '', ignoreCase = false): Json {
  const ic = ignoreCase ? { ignore_case: true } : {};
  if (value === '*') return ANY_VALUE;
  if (value.startsWith('*')) {
    // With a prefix a suffix match would anchor nothing: a regex keeps both ends honest.
    if (prefix !== '') return safeRegex(`${quoteMeta(prefix)}.*${quoteMeta(value.slice(1))}`);
    return { suffix: value.slice(1), ...ic };
  }
  if (value.endsWith('*')) return { prefix: prefix + value.slice(0, -1), ...ic };
  return { exact: prefix + value, ...ic };
}

/** Route HeaderMatcher: `*` is presence, else a StringMatcher on the (comma-joined) value. */
export function headerMatcher(name: string, value: string, ignoreCase = false): Json {
  if (value === '*') return { name, present_match: true };
  return { name, string_match: stringMatcher(value, '', ignoreCase) };
}

/** Whether a `hosts` value names a port (`h:80`, `h:*`, `[::1]:80`); a bare IPv6 literal does not. */
export function hostHasPort(value: string): boolean {
  const end = value.startsWith('[') ? value.indexOf(']') : -1;
  return value.indexOf(':', end + 1) >= 0;
}

/**
 * `:authority` matcher for a `hosts` value, case-insensitive (RFC 4343). A value without a port
 * also matches that host with any numeric port: Envoy keeps the port in `:authority`, so
 * `example.com` alone would let `example.com:80` through a DENY (Istio documents writing both
 * `h` and `h:*`; here the port-less form implies it). Prefix values (`api.*`) already cover
 * ports; values that name a port match exactly as written.
 */
export function hostMatcher(value: string): Json {
  const name = ':authority';
  if (value === '*' || hostHasPort(value) || (value.endsWith('*') && !value.startsWith('*'))) return headerMatcher(name, value, true);
  const host = value.startsWith('*') ? `.*${quoteMeta(value.slice(1))}` : quoteMeta(value);
  return { name, string_match: safeRegex(`(?i)${host}(:[0-9]+)?`) };
}

/** CidrRange from `1.2.3.4` (a /32 or /128) or `10.0.0.0/8`. */
export function cidrRange(value: string): Json | undefined {
  const [address = '', len] = value.split('/');
  const family = isIP(address);
  if (family === 0) return undefined;
  const max = family === 4 ? 32 : 128;
  const prefixLen = len === undefined ? max : /^\d+$/.test(len) ? Number(len) : NaN;
  if (!(prefixLen >= 0 && prefixLen <= max)) return undefined;
  return { address_prefix: address, prefix_len: { value: prefixLen } };
}

/** Metadata matcher on `filter` at `path`, against a string (or a list containing the string). */
export function metadataMatcher(filter: string, path: readonly string[], match: Json, list = false): Json {
  const value = list ? { list_match: { one_of: { string_match: match } } } : { string_match: match };
  return { filter, path: path.map((key) => ({ key })), value };
}

/** Names inside brackets: `[a][b]` → ['a', 'b']; undefined when malformed. */
export function bracketNames(text: string): string[] | undefined {
  const names: string[] = [];
  let rest = text;
  while (rest.length > 0) {
    const m = /^\[([^[\]]+)\]/.exec(rest);
    if (!m) return undefined;
    names.push(m[1]!);
    rest = rest.slice(m[0].length);
  }
  return names.length > 0 ? names : undefined;
}
