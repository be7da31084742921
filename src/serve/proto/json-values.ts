/**
 * The pieces of the JSON → protobuf encoder that do not depend on a message type: scalar writers
 * (with the kind checks fromObject skips), enum names, errors that learn their field path on the
 * way out, and google.protobuf.Struct / Value / ListValue in their plain JSON form.
 */
import type protobuf from 'protobufjs';
import type { ByteSink } from './byte-sink.js';

export type Plain = Record<string, unknown>;

export const enum Wire { Varint = 0, Fixed64 = 1, Bytes = 2, Fixed32 = 5 }

export type ValueWriter = (w: ByteSink, value: unknown) => void;

/** A bad value; `path` is filled in on the way out, so the happy path builds no strings. */
export class EncodeError extends Error {
  readonly path: string[] = [];
  constructor(readonly reason: string) {
    super(reason);
  }
}

export const fail = (reason: string): never => {
  throw new EncodeError(reason);
};

const num = (v: unknown, kind: string): number => (typeof v === 'number' ? v : fail(`expected a number (${kind})`));
const wide = (v: unknown, kind: string): number | string =>
  typeof v === 'number' || (typeof v === 'string' && /^-?\d+$/.test(v)) ? v : fail(`expected an integer (${kind})`);

/** Scalar kinds: how to write one value, and its wire type. */
export const SCALARS: Record<string, { write: ValueWriter; wire: Wire }> = {
  double: { write: (w, v) => w.double(num(v, 'double')), wire: Wire.Fixed64 },
  float: { write: (w, v) => w.float(num(v, 'float')), wire: Wire.Fixed32 },
  int32: { write: (w, v) => w.int32(num(v, 'int32')), wire: Wire.Varint },
  uint32: { write: (w, v) => w.uint32(num(v, 'uint32')), wire: Wire.Varint },
  sint32: { write: (w, v) => w.sint32(num(v, 'sint32')), wire: Wire.Varint },
  fixed32: { write: (w, v) => w.fixed32(num(v, 'fixed32'), false), wire: Wire.Fixed32 },
  sfixed32: { write: (w, v) => w.fixed32(num(v, 'sfixed32'), true), wire: Wire.Fixed32 },
  int64: { write: (w, v) => w.int64(wide(v, 'int64'), true), wire: Wire.Varint },
  uint64: { write: (w, v) => w.int64(wide(v, 'uint64'), false), wire: Wire.Varint },
  sint64: { write: (w, v) => w.sint64(wide(v, 'sint64')), wire: Wire.Varint },
  fixed64: { write: (w, v) => w.fixed64(wide(v, 'fixed64'), false), wire: Wire.Fixed64 },
  sfixed64: { write: (w, v) => w.fixed64(wide(v, 'sfixed64'), true), wire: Wire.Fixed64 },
  bool: { write: (w, v) => (typeof v === 'boolean' ? w.bool(v) : fail('expected a boolean')), wire: Wire.Varint },
  string: { write: (w, v) => (typeof v === 'string' ? w.string(v) : fail('expected a string')), wire: Wire.Bytes },
  bytes: { write: (w, v) => (v instanceof Uint8Array || typeof v === 'string' ? w.bytes(v) : fail('expected bytes')), wire: Wire.Bytes },
};

export function enumWriter(e: protobuf.Enum): ValueWriter {
  return (w, v) => {
    if (typeof v === 'number') return w.int32(v);
    const n = typeof v === 'string' ? e.values[v] : undefined;
    w.int32(n ?? fail(`not a value of enum ${e.name}: ${JSON.stringify(v)}`));
  };
}

export function withPath<T>(segment: string, run: () => T): T {
  try {
    return run();
  } catch (err) {
    if (err instanceof EncodeError) err.path.unshift(segment);
    throw err;
  }
}

export function isObject(v: unknown): v is Plain {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// Struct { map<string, Value> fields = 1 }; Value oneof: null 1, number 2, string 3, bool 4,
// struct 5, list 6; ListValue { repeated Value values = 1 }.
export function writeStruct(w: ByteSink, v: unknown): void {
  if (!isObject(v)) return fail('expected a JSON object (Struct)');
  for (const k in v) {
    if (v[k] === undefined) continue;
    w.uint32((1 << 3) | Wire.Bytes);
    w.fork();
    w.uint32((1 << 3) | Wire.Bytes);
    w.string(k);
    w.uint32((2 << 3) | Wire.Bytes);
    w.fork();
    withPath(k, () => writeValue(w, v[k]));
    w.ldelim();
    w.ldelim();
  }
}

export function writeValue(w: ByteSink, v: unknown): void {
  if (v === null || v === undefined) return (w.uint32((1 << 3) | Wire.Varint), w.uint32(0));
  if (typeof v === 'number') return (w.uint32((2 << 3) | Wire.Fixed64), w.double(v));
  if (typeof v === 'string') return (w.uint32((3 << 3) | Wire.Bytes), w.string(v));
  if (typeof v === 'boolean') return (w.uint32((4 << 3) | Wire.Varint), w.bool(v));
  if (typeof v !== 'object') return fail(`not a JSON value: ${typeof v}`);
  w.uint32(((Array.isArray(v) ? 6 : 5) << 3) | Wire.Bytes);
  w.fork();
  if (Array.isArray(v)) writeList(w, v);
  else writeStruct(w, v);
  w.ldelim();
}

export function writeList(w: ByteSink, v: unknown): void {
  if (!Array.isArray(v)) return fail('expected a JSON list (ListValue)');
  for (let i = 0; i < v.length; i++) {
    w.uint32((1 << 3) | Wire.Bytes);
    w.fork();
    withPath(`[${i}]`, () => writeValue(w, v[i]));
    w.ldelim();
  }
}
