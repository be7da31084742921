/**
 * Converts a Kubernetes structural schema into a draft-07 JSON schema for ajv.
 *
 * Structural nodes (the tree of properties/items/additionalProperties) get
 * `additionalProperties: false` unless they preserve unknown fields: the API server's strict
 * field validation rejects undeclared fields, and that is how typos are caught. Value
 * validations under oneOf/anyOf/allOf/not only constrain, so they are converted as-is.
 * CEL rules and list-type checks are not ajv's job (see walk.ts).
 */
import type { StructuralSchema } from './types.js';

type JsonSchema = Record<string, unknown>;

/** Formats Kubernetes validates and ajv-formats knows; others (int32, double, ...) only document. */
const CHECKED_FORMATS = new Set(['date-time', 'date', 'uri', 'email', 'hostname', 'ipv4', 'ipv6', 'uuid', 'byte']);

const COPIED_KEYWORDS = [
  'pattern', 'minimum', 'maximum', 'multipleOf', 'minLength', 'maxLength', 'minItems',
  'maxItems', 'minProperties', 'maxProperties', 'required',
] as const;

/** The root also carries the envelope fields, which the CRD schema does not declare. */
export function toAjvRootSchema(root: StructuralSchema): JsonSchema {
  const converted = convert(root, true);
  if (isClosedObject(root)) {
    const props = (converted.properties ?? {}) as Record<string, JsonSchema>;
    converted.properties = {
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: { type: 'object' },
      ...props,
    };
  }
  return converted;
}

export function isClosedObject(s: StructuralSchema): boolean {
  return s.type === 'object' && s['x-kubernetes-preserve-unknown-fields'] !== true && s.additionalProperties === undefined;
}

function convert(s: StructuralSchema, structural: boolean): JsonSchema {
  const out: JsonSchema = {};
  addType(s, out);
  if (s.enum) out.enum = s.nullable ? [...s.enum, null] : [...s.enum];
  if (s.format && CHECKED_FORMATS.has(s.format)) out.format = s.format;
  for (const key of COPIED_KEYWORDS) if (s[key] !== undefined) out[key] = s[key];
  addExclusiveBounds(s, out);
  if (s.properties) {
    out.properties = Object.fromEntries(Object.entries(s.properties).map(([k, v]) => [k, convert(v, structural)]));
  }
  if (s.items) out.items = convert(s.items, structural);
  if (typeof s.additionalProperties === 'object') out.additionalProperties = convert(s.additionalProperties, structural);
  else if (typeof s.additionalProperties === 'boolean') out.additionalProperties = s.additionalProperties;
  else if (structural && isClosedObject(s)) out.additionalProperties = false;
  for (const key of ['oneOf', 'anyOf', 'allOf'] as const) {
    const list = s[key];
    if (list) out[key] = list.map((b) => convert(b, false));
  }
  if (s.not) out.not = convert(s.not, false);
  return out;
}

function addType(s: StructuralSchema, out: JsonSchema): void {
  let types: string[] | undefined;
  if (s['x-kubernetes-int-or-string']) types = ['integer', 'string'];
  else if (s.type) types = [s.type];
  if (!types) return;
  if (s.nullable) types.push('null');
  out.type = types.length === 1 ? types[0] : types;
}

/** OpenAPI v3.0 writes exclusive bounds as booleans next to minimum/maximum; draft-07 as numbers. */
function addExclusiveBounds(s: StructuralSchema, out: JsonSchema): void {
  if (s.exclusiveMinimum === true && typeof s.minimum === 'number') {
    out.exclusiveMinimum = s.minimum;
    delete out.minimum;
  } else if (typeof s.exclusiveMinimum === 'number') out.exclusiveMinimum = s.exclusiveMinimum;
  if (s.exclusiveMaximum === true && typeof s.maximum === 'number') {
    out.exclusiveMaximum = s.maximum;
    delete out.maximum;
  } else if (typeof s.exclusiveMaximum === 'number') out.exclusiveMaximum = s.exclusiveMaximum;
}
