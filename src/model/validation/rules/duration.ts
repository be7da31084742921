/**
 * Durations as users write them in Istio config: Go duration strings ("10s", "1.5s", "100ms",
 * "1h30m") — a superset of the proto3 JSON form ("1.5s"). Parsed exactly, into nanoseconds.
 */
import { invalid, type ValidationIssue } from '../issue.js';

const UNIT_NS: Readonly<Record<string, bigint>> = {
  ns: 1n, us: 1_000n, 'µs': 1_000n, 'μs': 1_000n, ms: 1_000_000n, s: 1_000_000_000n, m: 60_000_000_000n, h: 3_600_000_000_000n,
};
const PART = /^(\d*)(?:\.(\d*))?(ns|us|µs|μs|ms|s|m|h)/;

/** Nanoseconds, or undefined when the text is not a duration. */
export function parseDuration(text: string): bigint | undefined {
  let rest = text;
  let sign = 1n;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    if (rest.startsWith('-')) sign = -1n;
    rest = rest.slice(1);
  }
  if (rest === '0') return 0n;
  if (rest === '') return undefined;
  let total = 0n;
  while (rest !== '') {
    const m = PART.exec(rest);
    if (!m || ((m[1] ?? '') === '' && (m[2] ?? '') === '')) return undefined;
    const unit = UNIT_NS[m[3] ?? ''] ?? 0n;
    const frac = m[2] ?? '';
    total += BigInt(m[1] || '0') * unit + (frac === '' ? 0n : (BigInt(frac) * unit) / 10n ** BigInt(frac.length));
    rest = rest.slice(m[0].length);
  }
  return sign * total;
}

const MS = 1_000_000n;

/**
 * Istio's rule for most durations (timeouts, intervals, keepalives): at least 1ms and a whole
 * number of milliseconds. Absent values are fine; they are not required.
 */
export function checkDuration(path: string, value: unknown): ValidationIssue[] {
  if (value === undefined || value === null) return [];
  const ns = typeof value === 'string' ? parseDuration(value) : undefined;
  if (ns === undefined) return [invalid(path, value, 'not a duration (use e.g. "5s", "1.5s", "100ms", "1h")')];
  if (ns < MS) return [invalid(path, value, 'duration must be greater than 1ms')];
  if (ns % MS !== 0n) return [invalid(path, value, 'only durations to ms precision are supported')];
  return [];
}

/** Whole seconds only (corsPolicy.maxAge). */
export function hasSubSecondPart(value: string): boolean {
  const ns = parseDuration(value);
  return ns !== undefined && ns % 1_000_000_000n !== 0n;
}
