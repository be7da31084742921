/**
 * A test-side model of the API server's check that a CRD's openAPIV3Schema is *structural*
 * (apiextensions.k8s.io/v1 rejects CRDs whose schemas are not), plus the per-node schema
 * validation it runs on every JSONSchemaProps. Written from the Kubernetes rules:
 * - every node specifies a non-empty type (root, object fields, array items, additionalProperties),
 *   except nodes with x-kubernetes-int-or-string or x-kubernetes-preserve-unknown-fields;
 * - inside allOf/anyOf/oneOf/not: no type, additionalProperties, default, title, description,
 *   nullable or x-kubernetes-* extensions (bar the two int-or-string anyOf patterns), no metadata,
 *   and every field or items they mention is also specified outside them;
 * - the root is an object without additionalProperties; metadata there may only restrict
 *   name/generateName; kind/apiVersion are strings;
 * - no $ref/id/$schema/definitions/dependencies/patternProperties/additionalItems, no
 *   `items` array, no uniqueItems: true, no additionalProperties: false, no properties together
 *   with an additionalProperties schema, type never "null".
 * Returns violations as "<field path>: <reason>"; an empty list means the schema is accepted.
 */
type Node = Record<string, unknown>;
type Level = 'root' | 'item' | 'field';

const TYPES = new Set(['array', 'boolean', 'integer', 'number', 'object', 'string']);
const UNSUPPORTED = ['id', '$schema', '$ref', 'definitions', 'dependencies', 'patternProperties', 'additionalItems'];
const KNOWN_KEYS = new Set([
  ...UNSUPPORTED, 'description', 'type', 'format', 'title', 'default', 'maximum', 'exclusiveMaximum', 'minimum',
  'exclusiveMinimum', 'maxLength', 'minLength', 'pattern', 'maxItems', 'minItems', 'uniqueItems', 'multipleOf',
  'enum', 'maxProperties', 'minProperties', 'required', 'items', 'allOf', 'oneOf', 'anyOf', 'not', 'properties',
  'additionalProperties', 'externalDocs', 'example', 'nullable', 'x-kubernetes-preserve-unknown-fields',
  'x-kubernetes-embedded-resource', 'x-kubernetes-int-or-string', 'x-kubernetes-list-map-keys',
  'x-kubernetes-list-type', 'x-kubernetes-map-type', 'x-kubernetes-validations',
]);
const JUNCTORS = ['allOf', 'anyOf', 'oneOf'] as const;
/** What a value validation inside a junctor must leave unset (Kubernetes' "forbidden generics/extensions"). */
const FORBIDDEN_IN_JUNCTOR = [
  'type', 'additionalProperties', 'default', 'title', 'description', 'nullable', 'x-kubernetes-preserve-unknown-fields',
  'x-kubernetes-embedded-resource', 'x-kubernetes-int-or-string', 'x-kubernetes-list-map-keys', 'x-kubernetes-list-type',
  'x-kubernetes-map-type', 'x-kubernetes-validations',
];
const RULE_KEYS = new Set(['rule', 'message', 'messageExpression', 'reason', 'fieldPath', 'optionalOldSelf']);
const RULE_REASONS = new Set(['FieldValueInvalid', 'FieldValueForbidden', 'FieldValueRequired', 'FieldValueDuplicate']);

const isNode = (v: unknown): v is Node => typeof v === 'object' && v !== null && !Array.isArray(v);
const propsOf = (n: Node): Record<string, unknown> => (isNode(n.properties) ? n.properties : {});

export function checkStructuralSchema(schema: unknown, path = 'openAPIV3Schema'): string[] {
  const out: string[] = [];
  checkNode(schema, 'root', path, out);
  return out;
}

function checkNode(node: unknown, level: Level, path: string, out: string[]): void {
  if (!isNode(node)) {
    out.push(`${path}: must be a schema object`);
    return;
  }
  checkKeywords(node, path, out);
  checkType(node, level, path, out);
  checkShape(node, level, path, out);
  checkExtensions(node, path, out);
  if (level === 'root') checkRoot(node, path, out);
  checkJunctors(node, path, out);
  if (isNode(node.items)) checkNode(node.items, 'item', `${path}.items`, out);
  for (const [name, child] of Object.entries(propsOf(node))) checkNode(child, 'field', `${path}.properties[${name}]`, out);
  if (isNode(node.additionalProperties)) checkNode(node.additionalProperties, 'field', `${path}.additionalProperties`, out);
}

function checkKeywords(node: Node, path: string, out: string[]): void {
  for (const key of Object.keys(node)) {
    if (UNSUPPORTED.includes(key)) out.push(`${path}.${key}: not supported in a CustomResourceDefinition schema`);
    else if (!KNOWN_KEYS.has(key)) out.push(`${path}.${key}: unknown field of JSONSchemaProps`);
  }
}

function checkType(node: Node, level: Level, path: string, out: string[]): void {
  const type = node.type;
  if (type === 'null') out.push(`${path}.type: cannot be "null", use nullable`);
  else if (type !== undefined && (typeof type !== 'string' || !TYPES.has(type))) out.push(`${path}.type: unsupported value ${JSON.stringify(type)}`);
  if (node['x-kubernetes-embedded-resource'] === true) {
    if (type !== 'object') out.push(`${path}.type: must be object if x-kubernetes-embedded-resource is true`);
    return;
  }
  const exempt = node['x-kubernetes-int-or-string'] === true || node['x-kubernetes-preserve-unknown-fields'] === true;
  if ((type === undefined || type === '') && !exempt) {
    const where = level === 'root' ? 'at the root' : level === 'item' ? 'for specified array items' : 'for specified object fields';
    out.push(`${path}.type: must not be empty ${where}`);
  }
}

function checkShape(node: Node, level: Level, path: string, out: string[]): void {
  if (node.type === 'array' && node.items === undefined) out.push(`${path}.items: must be specified`);
  if (Array.isArray(node.items)) out.push(`${path}.items: must be a schema object and not an array`);
  if (node.uniqueItems === true) out.push(`${path}.uniqueItems: cannot be set to true`);
  const additional = node.additionalProperties;
  if (additional === false) out.push(`${path}.additionalProperties: cannot be set to false`);
  if (additional !== undefined && level === 'root') out.push(`${path}.additionalProperties: must not be used at the root`);
  if (isNode(additional) && node.properties !== undefined) out.push(`${path}.additionalProperties: additionalProperties and properties are mutually exclusive`);
  if (node.properties !== undefined && !isNode(node.properties)) out.push(`${path}.properties: must be a map of schemas`);
  if (node.required !== undefined) checkRequired(node, path, out);
}

/** Not a Kubernetes rule but always a mistake: `required` naming a field the schema does not specify. */
function checkRequired(node: Node, path: string, out: string[]): void {
  if (!Array.isArray(node.required) || node.required.some((r) => typeof r !== 'string')) {
    out.push(`${path}.required: must be a list of field names`);
    return;
  }
  if (node.properties === undefined) return;
  for (const name of node.required as string[]) if (!(name in propsOf(node))) out.push(`${path}.required: names unspecified field "${name}"`);
}

function checkExtensions(node: Node, path: string, out: string[]): void {
  const preserve = node['x-kubernetes-preserve-unknown-fields'];
  if (preserve !== undefined && preserve !== true) out.push(`${path}.x-kubernetes-preserve-unknown-fields: must be true or undefined`);
  if (node['x-kubernetes-int-or-string'] === true) {
    if (preserve === true) out.push(`${path}.x-kubernetes-preserve-unknown-fields: must be false if x-kubernetes-int-or-string is true`);
    if (node['x-kubernetes-embedded-resource'] === true) out.push(`${path}.x-kubernetes-embedded-resource: must be false if x-kubernetes-int-or-string is true`);
  }
  if (node['x-kubernetes-embedded-resource'] === true && node.additionalProperties !== undefined) {
    out.push(`${path}.additionalProperties: must not be used if x-kubernetes-embedded-resource is set`);
  }
  checkListType(node, path, out);
  const mapType = node['x-kubernetes-map-type'];
  if (mapType !== undefined && (!['granular', 'atomic'].includes(mapType as string) || node.type !== 'object')) {
    out.push(`${path}.x-kubernetes-map-type: must be granular or atomic, on an object`);
  }
  if (node['x-kubernetes-validations'] !== undefined) checkValidationRules(node['x-kubernetes-validations'], `${path}.x-kubernetes-validations`, out);
}

function checkListType(node: Node, path: string, out: string[]): void {
  const listType = node['x-kubernetes-list-type'];
  const keys = node['x-kubernetes-list-map-keys'];
  if (listType !== undefined && (!['atomic', 'set', 'map'].includes(listType as string) || node.type !== 'array')) {
    out.push(`${path}.x-kubernetes-list-type: must be atomic, set or map, on an array`);
  }
  if (listType === 'map') {
    const items = isNode(node.items) ? node.items : {};
    if (!Array.isArray(keys) || keys.length === 0) out.push(`${path}.x-kubernetes-list-map-keys: must not be empty if x-kubernetes-list-type is map`);
    if (items.type !== 'object') out.push(`${path}.items.type: must be object if x-kubernetes-list-type is map`);
    const required = Array.isArray(items.required) ? items.required : [];
    for (const key of Array.isArray(keys) ? keys : []) {
      const field = propsOf(items)[key as string];
      if (!isNode(field)) out.push(`${path}.x-kubernetes-list-map-keys: "${String(key)}" is not a field of the items`);
      else if (!required.includes(key) && field.default === undefined) out.push(`${path}.x-kubernetes-list-map-keys: "${String(key)}" must be required or have a default`);
    }
  } else if (keys !== undefined) out.push(`${path}.x-kubernetes-list-map-keys: only allowed with x-kubernetes-list-type map`);
}

function checkValidationRules(rules: unknown, path: string, out: string[]): void {
  if (!Array.isArray(rules)) {
    out.push(`${path}: must be a list`);
    return;
  }
  rules.forEach((rule, i) => {
    const at = `${path}[${i}]`;
    if (!isNode(rule)) return void out.push(`${at}: must be an object with a rule`);
    if (typeof rule.rule !== 'string' || rule.rule.trim() === '') out.push(`${at}.rule: must be a non-empty string`);
    for (const key of Object.keys(rule)) if (!RULE_KEYS.has(key)) out.push(`${at}.${key}: unknown field of a validation rule`);
    for (const key of ['message', 'messageExpression', 'fieldPath']) if (rule[key] !== undefined && typeof rule[key] !== 'string') out.push(`${at}.${key}: must be a string`);
    if (typeof rule.message === 'string' && /[\r\n]/.test(rule.message)) out.push(`${at}.message: must not contain line breaks`);
    if (rule.reason !== undefined && !RULE_REASONS.has(rule.reason as string)) out.push(`${at}.reason: unsupported value ${JSON.stringify(rule.reason)}`);
  });
}

function checkRoot(node: Node, path: string, out: string[]): void {
  if (node.type !== undefined && node.type !== 'object') out.push(`${path}.type: must be object at the root`);
  const props = propsOf(node);
  for (const key of ['kind', 'apiVersion']) {
    if (isNode(props[key]) && props[key].type !== 'string') out.push(`${path}.properties[${key}].type: must be string`);
  }
  const metadata = props.metadata;
  if (!isNode(metadata)) return;
  if (metadata.type !== 'object') out.push(`${path}.properties[metadata].type: must be object`);
  const names = Object.keys(propsOf(metadata));
  const onlyNames = names.every((n) => n === 'name' || n === 'generateName');
  const rest = Object.keys(metadata).filter((k) => k !== 'type' && k !== 'default' && k !== 'properties');
  if (!onlyNames || rest.length > 0) {
    out.push(`${path}.properties[metadata]: must not specify anything other than name and generateName`);
  }
}

/** Kubernetes lets int-or-string nodes spell their two types as `anyOf: [{type: integer}, {type: string}]`. */
function isIntOrStringAnyOf(list: unknown): boolean {
  return Array.isArray(list) && list.length === 2 && isNode(list[0]) && isNode(list[1])
    && Object.keys(list[0]).join() === 'type' && list[0].type === 'integer'
    && Object.keys(list[1]).join() === 'type' && list[1].type === 'string';
}

function checkJunctors(node: Node, path: string, out: string[], nested = false): void {
  const skipAnyOf = !nested && node['x-kubernetes-int-or-string'] === true && isIntOrStringAnyOf(node.anyOf);
  const allOf = Array.isArray(node.allOf) ? node.allOf : [];
  const skipFirstAllOfAnyOf = !nested && node['x-kubernetes-int-or-string'] === true && isNode(allOf[0]) && isIntOrStringAnyOf(allOf[0].anyOf);
  for (const junctor of JUNCTORS) {
    const branches = node[junctor];
    if (branches === undefined) continue;
    if (!Array.isArray(branches)) {
      out.push(`${path}.${junctor}: must be a list of schemas`);
      continue;
    }
    if (junctor === 'anyOf' && skipAnyOf) continue;
    branches.forEach((b, i) => checkNested(b, node, `${path}.${junctor}[${i}]`, out, junctor === 'allOf' && i === 0 && skipFirstAllOfAnyOf));
  }
  if (node.not !== undefined) checkNested(node.not, node, `${path}.not`, out, false);
}

/** A value validation under a junctor: only value constraints, about fields the core also specifies. */
function checkNested(v: unknown, core: Node | undefined, path: string, out: string[], skipAnyOf: boolean): void {
  if (!isNode(v)) return void out.push(`${path}: must be a schema object`);
  for (const key of FORBIDDEN_IN_JUNCTOR) {
    if (v[key] !== undefined && v[key] !== false && v[key] !== '') out.push(`${path}.${key}: must be empty to be structural`);
  }
  for (const key of Object.keys(v)) if (!KNOWN_KEYS.has(key) || UNSUPPORTED.includes(key)) out.push(`${path}.${key}: not allowed in a value validation`);
  if (core === undefined) out.push(`${path}: specifies a value the structural schema does not (it must also be specified outside the junctor)`);
  const props = propsOf(v);
  if ('metadata' in props) out.push(`${path}.properties[metadata]: must not be specified in a nested context`);
  const coreProps = core ? propsOf(core) : {};
  for (const [name, child] of Object.entries(props)) {
    checkNested(child, isNode(coreProps[name]) ? coreProps[name] : undefined, `${path}.properties[${name}]`, out, false);
  }
  if (v.items !== undefined) checkNested(v.items, core && isNode(core.items) ? core.items : undefined, `${path}.items`, out, false);
  for (const junctor of JUNCTORS) {
    if (junctor === 'anyOf' && skipAnyOf) continue;
    const branches = v[junctor];
    if (Array.isArray(branches)) branches.forEach((b, i) => checkNested(b, core, `${path}.${junctor}[${i}]`, out, false));
  }
  if (v.not !== undefined) checkNested(v.not, core, `${path}.not`, out, false);
}
