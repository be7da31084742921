/**
 * Istio StringMatch → envoy.type.matcher.v3.StringMatcher, and the RE2 check every regex from
 * config passes before it reaches Envoy (Envoy NACKs the whole RouteConfiguration for one bad
 * regex, so a bad one is dropped here with a diagnostic instead).
 */
import { checkRegex } from '../../../model/validation/rules/regex.js';
import type { StringMatch } from '../../../model/types/common.js';
import type { Json } from './types.js';

export function stringMatcher(m: StringMatch): Json {
  if ('exact' in m) return { exact: m.exact };
  if ('prefix' in m) return { prefix: m.prefix };
  return { safe_regex: { regex: m.regex } };
}

/** Istio turns an empty match and the regex "*" (not RE2) into present_match. */
export function isPresentMatch(m: StringMatch | undefined): boolean {
  return m === undefined || Object.keys(m).length === 0 || ('regex' in m && m.regex === '*');
}

/** Why the regex in `m` would be rejected, or undefined (also for non-regex matches). */
export function badRegex(m: StringMatch | undefined): string | undefined {
  if (!m || !('regex' in m) || m.regex === '*') return undefined;
  return checkRegex(m.regex);
}
