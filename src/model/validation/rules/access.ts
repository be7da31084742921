/**
 * Defensive readers for spec values. The schema has already checked types, but semantic rules
 * must never throw, whatever they are fed, so every read goes through these.
 */
export type Obj = Readonly<Record<string, unknown>>;

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function obj(v: unknown): Obj | undefined {
  return isObj(v) ? v : undefined;
}

export function arr(v: unknown): readonly unknown[] {
  return Array.isArray(v) ? v : [];
}

export function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

/** A string, or undefined when absent or not a string. */
export function optStr(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

export function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

export function bool(v: unknown): boolean {
  return v === true;
}

/** Entries of a map-valued field ({} when not a mapping). */
export function entries(v: unknown): [string, unknown][] {
  return isObj(v) ? Object.entries(v) : [];
}

/** True when the field is present (not undefined/null), like a non-nil proto message. */
export function present(v: unknown): boolean {
  return v !== undefined && v !== null;
}

/** A non-empty array or non-empty string counts as set, like proto3's len(x) != 0. */
export function nonEmpty(v: unknown): boolean {
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'string') return v.length > 0;
  if (isObj(v)) return Object.keys(v).length > 0;
  return false;
}

/** Wrapper types (google.protobuf.*Value) may be written as a scalar or as {value: x}. */
export function wrapped(v: unknown): unknown {
  return isObj(v) && 'value' in v ? v.value : v;
}
