/**
 * The value-level protoc-gen-validate rule families (numbers, strings, bytes, enums, bools,
 * durations, Any type URLs), each a function from (rules, value) to the violated rules. The
 * walker in validate-rules.ts decides which rules apply where and names the path.
 */
import { isIP } from 'node:net';

export type Rules = Record<string, unknown>;
/** A violated rule: its name inside the family (`min_len`), the rule's value and the value seen. */
export interface Violation { rule: string; want: unknown; got: unknown }

const asList = (x: unknown): unknown[] => (x === undefined ? [] : Array.isArray(x) ? x : [x]);

/** Integers (int64 may be a string or a Long in rules) compare as bigint, floats as numbers. */
export function toBig(x: unknown): bigint {
  if (typeof x === 'bigint') return x;
  if (typeof x === 'number') return BigInt(Math.trunc(x));
  return BigInt(String(x));
}

/** PGV's const / lt / lte / gt / gte / in / not_in, including the exclusive-range form (lt < gt). */
function checkOrdered<T extends number | bigint>(rules: Rules, value: T, conv: (x: unknown) => T): Violation[] {
  const out: Violation[] = [];
  const has = (k: string) => rules[k] !== undefined;
  if (has('const') && value !== conv(rules.const)) out.push({ rule: 'const', want: rules.const, got: value });
  const lower = has('gt') ? { rule: 'gt', b: conv(rules.gt), ok: (v: T, b: T) => v > b } : has('gte') ? { rule: 'gte', b: conv(rules.gte), ok: (v: T, b: T) => v >= b } : undefined;
  const upper = has('lt') ? { rule: 'lt', b: conv(rules.lt), ok: (v: T, b: T) => v < b } : has('lte') ? { rule: 'lte', b: conv(rules.lte), ok: (v: T, b: T) => v <= b } : undefined;
  if (lower && upper && upper.b < lower.b) {
    if (!lower.ok(value, lower.b) && !upper.ok(value, upper.b)) out.push({ rule: `${lower.rule}|${upper.rule}`, want: [lower.b, upper.b], got: value });
  } else {
    if (lower && !lower.ok(value, lower.b)) out.push({ rule: lower.rule, want: rules[lower.rule], got: value });
    if (upper && !upper.ok(value, upper.b)) out.push({ rule: upper.rule, want: rules[upper.rule], got: value });
  }
  const list = (k: string) => asList(rules[k]).map(conv);
  if (has('in') && !list('in').includes(value)) out.push({ rule: 'in', want: rules.in, got: value });
  if (has('not_in') && list('not_in').includes(value)) out.push({ rule: 'not_in', want: rules.not_in, got: value });
  return out;
}

const FLOAT_KINDS = new Set(['double', 'float']);
export const NUMBER_KINDS = new Set(['double', 'float', 'int32', 'int64', 'uint32', 'uint64', 'sint32', 'sint64', 'fixed32', 'fixed64', 'sfixed32', 'sfixed64']);

export function checkNumber(kind: string, rules: Rules, value: unknown): Violation[] {
  if (rules.ignore_empty && (value === 0 || value === '0')) return [];
  if (FLOAT_KINDS.has(kind)) return checkOrdered(rules, Number(value), Number);
  let v: bigint;
  try { v = toBig(value); } catch { return [{ rule: 'integer', want: kind, got: value }]; }
  return checkOrdered(rules, v, toBig).map((x) => ({ ...x, got: value }));
}

/** PGV's well_known_regex: strict RFC 7230 forms, or (strict: false) only NUL, CR and LF banned. */
const HEADER_NAME_STRICT = /^:?[0-9a-zA-Z!#$%&'*+\-.^_|~`]+$/;
const HEADER_VALUE_STRICT = /^[^\u0000-\u0008\u000A-\u001F\u007F]*$/;
const HEADER_LOOSE = /^[^\u0000\u000A\u000D]*$/;

function wellKnownRegex(which: unknown, strict: unknown): RegExp | undefined {
  const isStrict = strict === undefined || strict === true;
  if (which === 'HTTP_HEADER_NAME') return isStrict ? HEADER_NAME_STRICT : HEADER_LOOSE;
  if (which === 'HTTP_HEADER_VALUE') return isStrict ? HEADER_VALUE_STRICT : HEADER_LOOSE;
  return undefined;
}

const HOSTNAME = /^(?=.{1,253}\.?$)([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*\.?$/;
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** The boolean well-known string formats (hostname, ip, ...): those Envoy's protos could use. */
const FORMATS: Record<string, (s: string) => boolean> = {
  hostname: (s) => HOSTNAME.test(s),
  ip: (s) => isIP(s) !== 0,
  ipv4: (s) => isIP(s) === 4,
  ipv6: (s) => isIP(s) === 6,
  address: (s) => isIP(s) !== 0 || HOSTNAME.test(s),
  uuid: (s) => UUID.test(s),
  email: (s) => /^[^@\s]+@[^@\s]+$/.test(s),
  uri: (s) => /^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(s),
  uri_ref: (s) => !/\s/.test(s),
};

/** Envoy's patterns are RE2; the ones it uses are also valid (and equivalent) JS regexes. */
const regexCache = new Map<string, RegExp | null>();
function compiled(pattern: string): RegExp | null {
  if (!regexCache.has(pattern)) {
    try { regexCache.set(pattern, new RegExp(pattern, 'u')); } catch { regexCache.set(pattern, null); }
  }
  return regexCache.get(pattern)!;
}

export function checkString(rules: Rules, s: string): Violation[] {
  if (rules.ignore_empty && s === '') return [];
  const out: Violation[] = [];
  const v = (rule: string, ok: boolean) => { if (!ok) out.push({ rule, want: rules[rule], got: s }); };
  const has = (k: string) => rules[k] !== undefined;
  const runes = [...s].length;
  const bytes = Buffer.byteLength(s, 'utf8');
  if (has('const')) v('const', s === rules.const);
  if (has('len')) v('len', runes === Number(rules.len));
  if (has('min_len')) v('min_len', runes >= Number(rules.min_len));
  if (has('max_len')) v('max_len', runes <= Number(rules.max_len));
  if (has('len_bytes')) v('len_bytes', bytes === Number(rules.len_bytes));
  if (has('min_bytes')) v('min_bytes', bytes >= Number(rules.min_bytes));
  if (has('max_bytes')) v('max_bytes', bytes <= Number(rules.max_bytes));
  if (has('prefix')) v('prefix', s.startsWith(String(rules.prefix)));
  if (has('suffix')) v('suffix', s.endsWith(String(rules.suffix)));
  if (has('contains')) v('contains', s.includes(String(rules.contains)));
  if (has('not_contains')) v('not_contains', !s.includes(String(rules.not_contains)));
  if (has('in')) v('in', asList(rules.in).includes(s));
  if (has('not_in')) v('not_in', !asList(rules.not_in).includes(s));
  if (has('pattern')) {
    const re = compiled(String(rules.pattern));
    if (re === null) out.push({ rule: 'pattern (not a JS regex)', want: rules.pattern, got: s });
    else v('pattern', re.test(s));
  }
  if (has('well_known_regex')) {
    const re = wellKnownRegex(rules.well_known_regex, rules.strict);
    if (re) v('well_known_regex', re.test(s));
  }
  for (const [name, ok] of Object.entries(FORMATS)) if (rules[name] === true) v(name, ok(s));
  return out;
}

/** Bytes arrive as base64 text (JSON form) or as a Uint8Array. */
export function checkBytes(rules: Rules, value: unknown): Violation[] {
  const b = value instanceof Uint8Array ? Buffer.from(value) : Buffer.from(String(value ?? ''), 'base64');
  if (rules.ignore_empty && b.length === 0) return [];
  const out: Violation[] = [];
  const v = (rule: string, ok: boolean) => { if (!ok) out.push({ rule, want: rules[rule], got: b.toString('base64') }); };
  const has = (k: string) => rules[k] !== undefined;
  if (has('len')) v('len', b.length === Number(rules.len));
  if (has('min_len')) v('min_len', b.length >= Number(rules.min_len));
  if (has('max_len')) v('max_len', b.length <= Number(rules.max_len));
  if (rules.ip === true) v('ip', b.length === 4 || b.length === 16);
  if (rules.ipv4 === true) v('ipv4', b.length === 4);
  if (rules.ipv6 === true) v('ipv6', b.length === 16);
  return out;
}

export function checkEnum(rules: Rules, value: number, defined: readonly number[]): Violation[] {
  const out: Violation[] = [];
  if (rules.const !== undefined && value !== Number(rules.const)) out.push({ rule: 'const', want: rules.const, got: value });
  if (rules.defined_only === true && !defined.includes(value)) out.push({ rule: 'defined_only', want: true, got: value });
  if (rules.in !== undefined && !asList(rules.in).map(Number).includes(value)) out.push({ rule: 'in', want: rules.in, got: value });
  if (rules.not_in !== undefined && asList(rules.not_in).map(Number).includes(value)) out.push({ rule: 'not_in', want: rules.not_in, got: value });
  return out;
}

export function checkBool(rules: Rules, value: boolean): Violation[] {
  return rules.const !== undefined && value !== rules.const ? [{ rule: 'const', want: rules.const, got: value }] : [];
}

/** A Duration (or Timestamp) `{seconds, nanos}` as total nanoseconds. */
export function durationNanos(d: unknown): bigint {
  const o = (d ?? {}) as { seconds?: unknown; nanos?: unknown };
  return toBig(o.seconds ?? 0) * 1_000_000_000n + toBig(o.nanos ?? 0);
}

/** Duration/Timestamp bounds; the bounds themselves are Durations in the rules. */
export function checkDuration(rules: Rules, value: unknown): Violation[] {
  const { required: _r, ...bounds } = rules;
  const conv = (x: unknown) => durationNanos(x);
  return checkOrdered(bounds, durationNanos(value), conv).map((v) => ({ ...v, got: value }));
}

/** Envoy (beyond PGV) rejects negative and out-of-range Durations anywhere in a config. */
const MAX_DURATION_SECONDS = 315_576_000_000n;
export function checkEnvoyDuration(value: unknown): Violation[] {
  const o = (value ?? {}) as { seconds?: unknown; nanos?: unknown };
  const seconds = toBig(o.seconds ?? 0);
  const nanos = toBig(o.nanos ?? 0);
  if (seconds < 0n || nanos < 0n) return [{ rule: 'non-negative', want: '>= 0', got: value }];
  if (seconds > MAX_DURATION_SECONDS || nanos > 999_999_999n) return [{ rule: 'in range', want: `<= ${MAX_DURATION_SECONDS}s`, got: value }];
  return [];
}

export function checkAnyType(rules: Rules, typeUrl: string): Violation[] {
  const out: Violation[] = [];
  if (rules.in !== undefined && !asList(rules.in).includes(typeUrl)) out.push({ rule: 'in', want: rules.in, got: typeUrl });
  if (rules.not_in !== undefined && asList(rules.not_in).includes(typeUrl)) out.push({ rule: 'not_in', want: rules.not_in, got: typeUrl });
  return out;
}
