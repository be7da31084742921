/**
 * Encodes translate/'s JSON-shaped bodies (proto field names, '@type' on every Any, enums by
 * name, Struct/Value as plain JSON) straight into protobuf bytes, in one pass.
 *
 * protobufjs's fromObject + encode builds a message instance for every nested object first
 * (and encodes every Any's body twice over: once to bytes, once more through the outer
 * instance); on a route configuration with hundreds of routes that was most of the cost of a
 * cold RDS answer. This walks the plain object once, with a per-type field table built from
 * the same reflection, so the wire format is the one protobufjs and Envoy agree on. It is also
 * stricter: an unknown field, an unknown enum name or a value of the wrong kind throws instead
 * of vanishing.
 */
import protobuf from 'protobufjs';
import { ByteSink } from './byte-sink.js';
import { EncodeError, enumWriter, fail, isObject, SCALARS, Wire, withPath, writeList, writeStruct, writeValue, type Plain, type ValueWriter } from './json-values.js';

interface FieldPlan {
  /** Tag of one element (for packed fields: of the whole run). */
  readonly tag: number;
  readonly repeated: boolean;
  readonly packed: boolean;
  readonly write: ValueWriter;
  /** True when `write` emits a message body (the caller opens and closes the length). */
  readonly message: boolean;
  /** For map fields: writes one entry's body. */
  readonly mapEntry?: (w: ByteSink, key: string, value: unknown) => void;
}

interface TypePlan {
  readonly fields: Map<string, FieldPlan>;
  /** Set for the well-known types whose JSON form is not an object of fields. */
  readonly special?: ValueWriter;
}

export interface JsonEncoder {
  /** The message bytes of `body` as `type` (its own '@type' key, if any, is ignored). */
  encode(type: protobuf.Type, body: Plain): Uint8Array;
}

export function createJsonEncoder(root: protobuf.Root): JsonEncoder {
  const plans = new Map<protobuf.Type, TypePlan>();
  const anyTypes = new Map<string, protobuf.Type | null>();
  const sink = new ByteSink();
  /** Encoded bodies of frozen (shared) objects, per field writer (that is, per message type). */
  const sharedBodies = new Map<ValueWriter, WeakMap<object, Uint8Array | 1 | 2>>();

  const anyTarget = (url: string): protobuf.Type | null => {
    let t = anyTypes.get(url);
    if (t === undefined) {
      const found = root.lookup(url.slice(url.lastIndexOf('/') + 1));
      if (anyTypes.size < 10_000) anyTypes.set(url, (t = found instanceof protobuf.Type ? found : null));
      else t = found instanceof protobuf.Type ? found : null;
    }
    return t;
  };

  function planFor(type: protobuf.Type): TypePlan {
    let plan = plans.get(type);
    if (!plan) plans.set(type, (plan = buildPlan(type)));
    return plan;
  }

  function writeMessageBody(w: ByteSink, type: protobuf.Type, value: unknown): void {
    writeWithPlan(w, planFor(type), type, value);
  }

  function writeWithPlan(w: ByteSink, plan: TypePlan, type: protobuf.Type, value: unknown): void {
    if (plan.special) return plan.special(w, value);
    if (!isObject(value)) return fail(`expected an object (${type.name})`);
    for (const key in value) {
      const v = value[key];
      if (v === undefined || v === null) continue;
      const field = plan.fields.get(key);
      if (field) {
        try {
          writeField(w, field, v);
        } catch (err) {
          if (err instanceof EncodeError) err.path.unshift(key);
          throw err;
        }
      } else if (key !== '@type') {
        fail(`unknown field ${key} of ${type.name}`);
      }
    }
  }

  function writeOne(w: ByteSink, field: FieldPlan, v: unknown): void {
    w.uint32(field.tag);
    if (!field.message) return field.write(w, v);
    if (Object.isFrozen(v) && typeof v === 'object' && v !== null) return writeShared(w, field, v);
    w.fork();
    field.write(w, v);
    w.ldelim();
  }

  /**
   * A frozen object is one the translator shares between many places (a VirtualService's
   * provenance on each of its routes, one retry policy on every default route): its body is
   * encoded once per field type and copied after that.
   */
  function writeShared(w: ByteSink, field: FieldPlan, v: object): void {
    let byObject = sharedBodies.get(field.write);
    if (!byObject) sharedBodies.set(field.write, (byObject = new WeakMap()));
    const cached = byObject.get(v);
    if (cached instanceof Uint8Array) {
      w.uint32(cached.length);
      return w.raw(cached);
    }
    w.fork();
    const start = w.position;
    field.write(w, v);
    // Copied out only on the third use: most shared parts appear twice, and copying costs more than encoding.
    byObject.set(v, cached === undefined ? 1 : cached === 1 ? 2 : w.copySince(start));
    w.ldelim();
  }

  function writeField(w: ByteSink, field: FieldPlan, v: unknown): void {
    if (field.mapEntry) {
      if (!isObject(v)) return fail('expected a map');
      for (const k in v) {
        if (v[k] === undefined) continue;
        w.uint32(field.tag);
        w.fork();
        withPath(`[${JSON.stringify(k)}]`, () => field.mapEntry!(w, k, v[k]));
        w.ldelim();
      }
      return;
    }
    if (!field.repeated) return writeOne(w, field, v);
    if (!Array.isArray(v)) return fail('expected a list');
    if (field.packed) {
      if (v.length === 0) return;
      w.uint32(field.tag);
      w.fork();
      for (let i = 0; i < v.length; i++) withPath(`[${i}]`, () => field.write(w, v[i]));
      w.ldelim();
      return;
    }
    for (let i = 0; i < v.length; i++) {
      try {
        writeOne(w, field, v[i]);
      } catch (err) {
        if (err instanceof EncodeError) err.path.unshift(`[${i}]`);
        throw err;
      }
    }
  }

  function valueWriterFor(field: protobuf.FieldBase): { write: ValueWriter; message: boolean; wire: Wire } {
    const resolved = field.resolvedType;
    if (resolved instanceof protobuf.Type) {
      let plan: TypePlan | undefined; // resolved on first use: types refer to each other recursively
      return { write: (w, v) => writeWithPlan(w, (plan ??= planFor(resolved)), resolved, v), message: true, wire: Wire.Bytes };
    }
    if (resolved instanceof protobuf.Enum) return { write: enumWriter(resolved), message: false, wire: Wire.Varint };
    const scalar = SCALARS[field.type];
    if (!scalar) throw new Error(`unsupported field type ${field.type} of ${field.fullName}`);
    return { write: scalar.write, message: false, wire: scalar.wire };
  }

  function mapEntryWriter(field: protobuf.MapField): NonNullable<FieldPlan['mapEntry']> {
    const keyScalar = SCALARS[field.keyType];
    if (!keyScalar) throw new Error(`unsupported map key type ${field.keyType} of ${field.fullName}`);
    const keyTag = (1 << 3) | keyScalar.wire;
    const value = valueWriterFor(field);
    const valueTag = (2 << 3) | value.wire;
    const keyOf = (key: string): unknown => (field.keyType === 'string' ? key : field.keyType === 'bool' ? key === 'true' : Number(key));
    return (w, key, v) => {
      w.uint32(keyTag);
      keyScalar.write(w, keyOf(key));
      w.uint32(valueTag);
      if (!value.message) return value.write(w, v);
      w.fork();
      value.write(w, v);
      w.ldelim();
    };
  }

  function buildPlan(type: protobuf.Type): TypePlan {
    const special = specialWriter(type);
    if (special) return { fields: new Map(), special };
    const fields = new Map<string, FieldPlan>();
    for (const field of type.fieldsArray) {
      field.resolve();
      if (field.map) {
        const mapEntry = mapEntryWriter(field as unknown as protobuf.MapField);
        fields.set(field.name, { tag: (field.id << 3) | Wire.Bytes, repeated: false, packed: false, write: () => undefined, message: false, mapEntry });
        continue;
      }
      const value = valueWriterFor(field);
      const packed = field.repeated && field.packed && !value.message && value.wire !== Wire.Bytes;
      const tag = (field.id << 3) | (packed ? Wire.Bytes : value.wire);
      fields.set(field.name, { tag, repeated: field.repeated, packed, write: value.write, message: value.message });
    }
    return { fields };
  }

  /** Any (by '@type'), and Struct / Value / ListValue in their plain JSON form. */
  function specialWriter(type: protobuf.Type): ValueWriter | undefined {
    switch (type.fullName) {
      case '.google.protobuf.Any': return writeAny;
      case '.google.protobuf.Struct': return writeStruct;
      case '.google.protobuf.Value': return writeValue;
      case '.google.protobuf.ListValue': return writeList;
      default: return undefined;
    }
  }

  function writeAny(w: ByteSink, v: unknown): void {
    if (!isObject(v)) return fail('an Any must be an object');
    const url = v['@type'];
    if (typeof url !== 'string') return fail("an Any needs '@type'");
    const target = anyTarget(url) ?? fail(`unknown type ${url}`);
    w.uint32((1 << 3) | Wire.Bytes);
    w.string(url);
    w.uint32((2 << 3) | Wire.Bytes);
    w.fork();
    writeMessageBody(w, target, v);
    w.ldelim();
  }

  return {
    encode(type, body) {
      sink.reset();
      try {
        writeMessageBody(sink, type, body);
      } catch (err) {
        if (err instanceof EncodeError) throw new Error(`${err.path.join('.').replace(/\.\[/g, '[') || '(root)'}: ${err.reason}`);
        throw err;
      }
      return sink.finish();
    },
  };
}
