/**
 * Decodes untrusted YAML/JSON data against a FieldSpec table the way protobuf's JSON decoder
 * would (proto names and snake_case accepted, enums by name or number, ints from numeric
 * strings), collecting every problem instead of stopping at the first. Never throws.
 */
import { parseDurationNanos } from '../lib/duration.js';
import type { FieldSpec, MessageSpec } from './mesh-schema.js';
import { invalid, issue, joinPath, type ValidationIssue } from '../lib/issue.js';

/** Open (pass-through) values deeper than this are rejected: no config needs it, cyclic aliases would loop. */
const MAX_OPEN_DEPTH = 32;

type Data = Record<string, unknown>;

export function isPlainObject(v: unknown): v is Data {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Sets an own property even for keys like `__proto__`, which plain assignment would not. */
function setOwn(target: Data, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function snakeToCamel(key: string): string {
  return key.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

/** Returns the decoded value, or undefined when the value is absent (null) or invalid (issue recorded). */
export function decodeValue(value: unknown, spec: FieldSpec, path: string, issues: ValidationIssue[]): unknown {
  if (value === null || value === undefined) return undefined;
  switch (spec.type) {
    case 'string':
      return typeof value === 'string' ? value : reject(issues, path, value, 'must be a string');
    case 'bool':
      return typeof value === 'boolean' ? value : reject(issues, path, value, 'must be a boolean (true or false)');
    case 'double':
      return decodeDouble(value, path, issues);
    case 'int':
      return decodeInt(value, spec.min, spec.max, path, issues);
    case 'duration':
      return decodeDuration(value, path, issues);
    case 'enum':
      return decodeEnum(value, spec.values, path, issues);
    case 'list':
      return decodeList(value, spec.of, path, issues);
    case 'map':
      return decodeMap(value, spec.of, path, issues);
    case 'open':
      return decodeOpen(value, path, issues);
    case 'message':
      return decodeMessage(value, spec, path, issues);
  }
}

function reject(issues: ValidationIssue[], path: string, value: unknown, detail: string): undefined {
  issues.push(invalid(path, value, detail));
  return undefined;
}

function decodeDouble(value: unknown, path: string, issues: ValidationIssue[]): number | undefined {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) ? n : reject(issues, path, value, 'must be a number');
}

function decodeInt(value: unknown, min: number, max: number, path: string, issues: ValidationIssue[]): number | undefined {
  const n = typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n)) return reject(issues, path, value, 'must be an integer');
  if (n < min || n > max) return reject(issues, path, value, `must be between ${min} and ${max}`);
  return n;
}

function decodeDuration(value: unknown, path: string, issues: ValidationIssue[]): string | undefined {
  if (typeof value === 'string' && parseDurationNanos(value) !== undefined) return value;
  return reject(issues, path, value, 'must be a duration such as "10s", "1m30s" or "100ms"');
}

function decodeEnum(value: unknown, values: readonly string[], path: string, issues: ValidationIssue[]): string | undefined {
  if (typeof value === 'string' && values.includes(value)) return value;
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value < values.length) return values[value];
  issues.push(issue(path, 'Unsupported value', `supported values: ${values.map((v) => `"${v}"`).join(', ')}`, value));
  return undefined;
}

function decodeList(value: unknown, of: FieldSpec, path: string, issues: ValidationIssue[]): unknown[] | undefined {
  if (!Array.isArray(value)) return reject(issues, path, value, 'must be a list');
  const out: unknown[] = [];
  value.forEach((item, i) => {
    const decoded = decodeValue(item, of, joinPath(path, i), issues);
    if (decoded !== undefined) out.push(decoded);
  });
  return out;
}

function decodeMap(value: unknown, of: FieldSpec, path: string, issues: ValidationIssue[]): Data | undefined {
  if (!isPlainObject(value)) return reject(issues, path, value, 'must be a mapping');
  const out: Data = {};
  for (const [key, item] of Object.entries(value)) {
    const itemPath = joinPath(path, key);
    if (item === null || item === undefined) {
      issues.push(invalid(itemPath, item, 'a map value may not be null'));
      continue;
    }
    const decoded = decodeValue(item, of, itemPath, issues);
    if (decoded !== undefined) setOwn(out, key, decoded);
  }
  return out;
}

function decodeOpen(value: unknown, path: string, issues: ValidationIssue[]): Data | undefined {
  if (!isPlainObject(value)) return reject(issues, path, value, 'must be a mapping');
  const copied = copyPlain(value, 0);
  return copied === undefined ? reject(issues, path, '', `nested deeper than ${MAX_OPEN_DEPTH} levels`) : (copied as Data);
}

/** A detached copy of plain data (so freezing the result never freezes the caller's input). */
function copyPlain(value: unknown, depth: number): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (depth > MAX_OPEN_DEPTH) return undefined;
  if (Array.isArray(value)) {
    const items = value.map((v) => copyPlain(v, depth + 1));
    return items.includes(undefined) ? undefined : items;
  }
  const out: Data = {};
  for (const [k, v] of Object.entries(value)) {
    const c = copyPlain(v, depth + 1);
    if (c === undefined && v !== undefined) return undefined;
    setOwn(out, k, c);
  }
  return out;
}

function decodeMessage(value: unknown, spec: MessageSpec, path: string, issues: ValidationIssue[]): Data | undefined {
  if (!isPlainObject(value)) return reject(issues, path, value, 'must be a mapping');
  const out: Data = {};
  for (const [rawKey, item] of Object.entries(value)) {
    const key = Object.hasOwn(spec.fields, rawKey) ? rawKey : snakeToCamel(rawKey);
    const fieldSpec = Object.hasOwn(spec.fields, key) ? spec.fields[key] : undefined;
    const fieldPath = joinPath(path, rawKey);
    if (fieldSpec === undefined) {
      if (spec.removed?.includes(key)) issues.push({ severity: 'warning', path: fieldPath, reason: 'Deprecated', detail: 'this field was removed from Istio and is ignored' });
      else issues.push(issue(fieldPath, 'Forbidden', 'unknown field: not part of the Istio MeshConfig API'));
      continue;
    }
    const decoded = decodeValue(item, fieldSpec, joinPath(path, key), issues);
    if (decoded !== undefined) setOwn(out, key, decoded);
  }
  checkOneOfs(out, spec, path, issues);
  return out;
}

function checkOneOfs(out: Data, spec: MessageSpec, path: string, issues: ValidationIssue[]): void {
  for (const group of spec.oneOf ?? []) {
    // In the order written, so the error lands on the field that came second.
    const set = Object.keys(out).filter((f) => group.includes(f));
    if (set.length > 1) {
      issues.push(issue(joinPath(path, set[1] as string), 'Forbidden', `may not be set together with ${set[0]}: only one of ${group.join(', ')} may be set`));
      for (const extra of set.slice(1)) delete out[extra];
    }
  }
}
