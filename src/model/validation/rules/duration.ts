/**
 * Durations as users write them in Istio config: Go duration strings ("10s", "1.5s", "100ms",
 * "1h30m") — a superset of the proto3 JSON form ("1.5s"). Parsed exactly, into nanoseconds.
 */
import { parseDuration } from '../../../lib/duration.js';
import { invalid, type ValidationIssue } from '../../../lib/issue.js';

export { parseDuration };

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
