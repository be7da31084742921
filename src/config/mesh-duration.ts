/**
 * Durations in mesh config. Istio decodes mesh config with the legacy protobuf JSON decoder,
 * which parses google.protobuf.Duration with Go's time.ParseDuration, so operators write
 * "10s", "1m30s", "100ms" or "1.5h". We accept the same syntax and keep the written string.
 */

const UNIT_NANOS: Readonly<Record<string, number>> = {
  ns: 1,
  us: 1e3,
  'µs': 1e3,
  'μs': 1e3,
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

const PART = /^(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)/;

/** Go's time.ParseDuration, in nanoseconds (a JS number: exact to ~104 days at ns precision, plenty for config). */
export function parseDurationNanos(text: string): number | undefined {
  let rest = text;
  let sign = 1;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    if (rest[0] === '-') sign = -1;
    rest = rest.slice(1);
  }
  if (rest === '0') return 0;
  if (rest === '') return undefined;
  let total = 0;
  while (rest.length > 0) {
    const m = PART.exec(rest);
    if (!m) return undefined;
    total += Number(m[1]) * (UNIT_NANOS[m[2] as string] as number);
    rest = rest.slice(m[0].length);
  }
  return Number.isFinite(total) ? Math.round(sign * total) : undefined;
}

/** Milliseconds of a duration string that already passed validation (0 when it does not parse). */
export function durationMillis(text: string): number {
  return (parseDurationNanos(text) ?? 0) / 1e6;
}
