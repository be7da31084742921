/**
 * Go-style durations ("100ms", "1m30s", "1.5h"), as pilot-discovery's env vars, MeshConfig and
 * Istio's config APIs accept them (a superset of proto3 JSON's "1.5s"). Parsed exactly.
 */
const UNIT_NS: Readonly<Record<string, bigint>> = {
  ns: 1n, us: 1_000n, 'µs': 1_000n, 'μs': 1_000n, ms: 1_000_000n, s: 1_000_000_000n, m: 60_000_000_000n, h: 3_600_000_000_000n,
};
const PART = /^(\d*)(?:\.(\d*))?(ns|us|µs|μs|ms|s|m|h)/;

/** Nanoseconds as a bigint, or undefined when the text is not a Go duration. */
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

/** Nanoseconds as a number (exact to ~104 days, plenty for config arithmetic). */
export function parseDurationNanos(text: string | undefined): number | undefined {
  const ns = text === undefined ? undefined : parseDuration(text);
  return ns === undefined ? undefined : Number(ns);
}

/** Milliseconds (fractional below 1ms), or undefined when malformed. */
export function parseDurationMillis(text: string): number | undefined {
  const ns = parseDuration(text);
  return ns === undefined ? undefined : Number(ns) / 1e6;
}
