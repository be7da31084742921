/**
 * User regexes are RE2 syntax (Envoy uses RE2). They are only ever parsed by re2js — a linear
 * time engine — never by JavaScript's backtracking RegExp.
 */
import { RE2JS } from 're2js';
import { invalid, type ValidationIssue } from '../../../lib/issue.js';

/** Envoy bounds RE2 program size; Istio approximates that with the pattern length. */
export const MAX_REGEX_LENGTH = 1024;

/**
 * Verdicts by pattern: validation checks every regex on load and translate/ checks them again
 * before they reach Envoy, so the second check is a lookup. A pure function of the pattern;
 * bounded (cleared when full) so hostile config cannot grow it without limit.
 */
const verdicts = new Map<string, string | undefined>();
const MAX_VERDICTS = 20_000;

/** Returns why the pattern is unacceptable, or undefined. */
export function checkRegex(pattern: string): string | undefined {
  if (verdicts.has(pattern)) return verdicts.get(pattern);
  const verdict = compileVerdict(pattern);
  if (verdicts.size >= MAX_VERDICTS) verdicts.clear();
  verdicts.set(pattern, verdict);
  return verdict;
}

function compileVerdict(pattern: string): string | undefined {
  if (pattern.length > MAX_REGEX_LENGTH) return `regex is too large, max length allowed is ${MAX_REGEX_LENGTH}`;
  try {
    RE2JS.compile(pattern);
    return undefined;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return `${message}; Istio uses RE2 style regex-based match (https://github.com/google/re2/wiki/Syntax)`;
  }
}

export function validateRegex(path: string, pattern: string): ValidationIssue[] {
  const why = checkRegex(pattern);
  return why ? [invalid(path, pattern, why)] : [];
}
