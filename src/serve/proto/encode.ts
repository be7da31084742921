/**
 * Encoding translate/'s JSON-shaped resources with Envoy's real message types, and the strict
 * shape check that protobufjs's fromObject does not do (it silently drops unknown fields, so a
 * misspelt field in a translator would vanish instead of failing a test).
 */
import protobuf from 'protobufjs';
import { envoyRoot, typeForUrl } from './envoy-root.js';
import { createJsonEncoder, type JsonEncoder } from './json-encoder.js';

export interface EncodedResource {
  readonly name: string;
  readonly typeUrl: string;
  /** The serialized resource message (the Any's `value`). */
  readonly bytes: Uint8Array;
}

let jsonEncoder: JsonEncoder | undefined;

/**
 * Encodes one resource body (with `'@type'`) into its message bytes. Throws on an unknown type,
 * an unknown field or enum name, or a value of the wrong kind (with the field path).
 */
export function encodeResourceBody(body: Readonly<Record<string, unknown>>): { typeUrl: string; bytes: Uint8Array } {
  const typeUrl = body['@type'];
  if (typeof typeUrl !== 'string') throw new Error('resource body has no @type');
  const type = typeForUrl(typeUrl);
  if (!type) throw new Error(`unknown resource type ${typeUrl}`);
  jsonEncoder ??= createJsonEncoder(envoyRoot());
  return { typeUrl, bytes: jsonEncoder.encode(type, body as Record<string, unknown>) };
}

/** The same bytes through protobufjs's own fromObject + encode (the reference the fast path is tested against). */
export function encodeResourceBodyReference(body: Readonly<Record<string, unknown>>): Uint8Array {
  const type = typeForUrl(String(body['@type']));
  if (!type) throw new Error(`unknown resource type ${String(body['@type'])}`);
  return type.encode(type.fromObject(body)).finish();
}

/** Decodes message bytes back into the JSON shape (for debug views and tests). */
export function decodeResource(typeUrl: string, bytes: Uint8Array): Record<string, unknown> {
  const type = typeForUrl(typeUrl);
  if (!type) throw new Error(`unknown resource type ${typeUrl}`);
  const object = type.toObject(type.decode(bytes), { longs: String, enums: String, json: true, oneofs: false });
  return { '@type': typeUrl, ...object };
}

const INT64_TYPES = new Set(['int64', 'uint64', 'sint64', 'fixed64', 'sfixed64']);
const NUMBER_TYPES = new Set(['double', 'float', 'int32', 'uint32', 'sint32', 'fixed32', 'sfixed32']);
/** Types whose JSON form is not an object of fields. */
const FREE_FORM = new Set(['.google.protobuf.Struct', '.google.protobuf.Value', '.google.protobuf.ListValue']);

function checkScalar(field: protobuf.Field, value: unknown, path: string, problems: string[]): void {
  const t = field.type;
  const resolved = field.resolvedType;
  if (resolved instanceof protobuf.Enum) {
    if (typeof value === 'string' ? !(value in resolved.values) : typeof value !== 'number') problems.push(`${path}: not a value of enum ${resolved.name}: ${JSON.stringify(value)}`);
  } else if (resolved instanceof protobuf.Type) {
    checkMessage(resolved, value, path, problems);
  } else if (t === 'string') {
    if (typeof value !== 'string') problems.push(`${path}: expected a string`);
  } else if (t === 'bool') {
    if (typeof value !== 'boolean') problems.push(`${path}: expected a boolean`);
  } else if (t === 'bytes') {
    if (!(value instanceof Uint8Array) && typeof value !== 'string') problems.push(`${path}: expected bytes`);
  } else if (INT64_TYPES.has(t)) {
    if (typeof value !== 'number' && typeof value !== 'string') problems.push(`${path}: expected an integer`);
  } else if (NUMBER_TYPES.has(t) && typeof value !== 'number') {
    problems.push(`${path}: expected a number`);
  }
}

function checkField(field: protobuf.Field, value: unknown, path: string, problems: string[]): void {
  if (field.map) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return void problems.push(`${path}: expected a map`);
    for (const [k, v] of Object.entries(value)) checkScalar(field, v, `${path}[${JSON.stringify(k)}]`, problems);
  } else if (field.repeated) {
    if (!Array.isArray(value)) return void problems.push(`${path}: expected a list`);
    value.forEach((v, i) => checkScalar(field, v, `${path}[${i}]`, problems));
  } else {
    checkScalar(field, value, path, problems);
  }
}

function checkAny(value: Record<string, unknown>, path: string, problems: string[]): void {
  const typeUrl = value['@type'];
  if (typeof typeUrl !== 'string') return void problems.push(`${path}: an Any needs '@type'`);
  const inner = typeForUrl(typeUrl);
  if (!inner) return void problems.push(`${path}: unknown type ${typeUrl}`);
  const { '@type': _ignored, ...rest } = value;
  checkMessage(inner, rest, path, problems);
}

function checkMessage(type: protobuf.Type, value: unknown, path: string, problems: string[]): void {
  if (FREE_FORM.has(type.fullName)) return;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return void problems.push(`${path}: expected a ${type.name} message`);
  const fields = value as Record<string, unknown>;
  if (type.fullName === '.google.protobuf.Any') return checkAny(fields, path, problems);
  for (const [key, v] of Object.entries(fields)) {
    if (key === '@type' && path === '') continue;
    const field = type.fields[key];
    if (!field) {
      problems.push(`${path ? `${path}.` : ''}${key}: no such field in ${type.fullName.slice(1)}`);
      continue;
    }
    if (v !== undefined && v !== null) checkField(field.resolve(), v, path ? `${path}.${key}` : key, problems);
  }
  for (const oneof of type.oneofsArray) {
    const set = oneof.fieldsArray.filter((f) => fields[f.name] !== undefined && fields[f.name] !== null);
    if (set.length > 1) problems.push(`${path || '(root)'}: more than one of oneof ${oneof.name} is set: ${set.map((f) => f.name).join(', ')}`);
  }
}

/**
 * Every field name, type and oneof of `body` checked against the real message type; returns
 * the problems found, each with a field path. Used by translator tests and debug builds.
 */
export function checkResourceShape(body: Readonly<Record<string, unknown>>): string[] {
  const typeUrl = body['@type'];
  if (typeof typeUrl !== 'string') return ['(root): no @type'];
  const type = typeForUrl(typeUrl);
  if (!type) return [`(root): unknown type ${typeUrl}`];
  const problems: string[] = [];
  checkMessage(type, body, '', problems);
  return problems;
}

