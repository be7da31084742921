/**
 * What the API server checks on an apiextensions.k8s.io/v1 CustomResourceDefinition before
 * `kubectl apply` succeeds (names, scope, versions, subresources, printer columns, conversion),
 * with every version's openAPIV3Schema run through the structural check. Violations come back as
 * "<field path>: <reason>"; an empty list means the object would be accepted.
 */
import { checkStructuralSchema } from './crd-structural.js';

type Node = Record<string, unknown>;
const isNode = (v: unknown): v is Node => typeof v === 'object' && v !== null && !Array.isArray(v);

const DNS_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const VERSION_NAME = /^v[1-9][0-9]*((alpha|beta)[1-9][0-9]*)?$/;
const KIND_NAME = /^[A-Z][A-Za-z0-9]*$/;
const SPEC_KEYS = new Set(['group', 'names', 'scope', 'versions', 'conversion', 'preserveUnknownFields']);
const VERSION_KEYS = new Set(['name', 'served', 'storage', 'deprecated', 'deprecationWarning', 'schema', 'subresources', 'additionalPrinterColumns', 'selectableFields']);
const COLUMN_TYPES = new Set(['integer', 'number', 'string', 'boolean', 'date']);

export function checkCrd(doc: unknown): string[] {
  const out: string[] = [];
  if (!isNode(doc)) return ['document: must be an object'];
  if (doc.apiVersion !== 'apiextensions.k8s.io/v1') out.push(`apiVersion: must be apiextensions.k8s.io/v1, got ${JSON.stringify(doc.apiVersion)}`);
  if (doc.kind !== 'CustomResourceDefinition') out.push(`kind: must be CustomResourceDefinition, got ${JSON.stringify(doc.kind)}`);
  const spec = isNode(doc.spec) ? doc.spec : {};
  for (const key of Object.keys(spec)) if (!SPEC_KEYS.has(key)) out.push(`spec.${key}: unknown field`);
  const group = typeof spec.group === 'string' ? spec.group : '';
  if (!group.includes('.') || !group.split('.').every((l) => DNS_LABEL.test(l))) out.push(`spec.group: must be a DNS subdomain with at least one dot, got ${JSON.stringify(spec.group)}`);
  const names = isNode(spec.names) ? spec.names : {};
  checkNames(names, out);
  const name = isNode(doc.metadata) ? doc.metadata.name : undefined;
  if (name !== `${String(names.plural)}.${group}`) out.push(`metadata.name: must be <spec.names.plural>.<spec.group> (${String(names.plural)}.${group}), got ${JSON.stringify(name)}`);
  if (spec.scope !== 'Namespaced' && spec.scope !== 'Cluster') out.push(`spec.scope: must be Namespaced or Cluster`);
  if (spec.preserveUnknownFields === true) out.push('spec.preserveUnknownFields: must be false in apiextensions.k8s.io/v1');
  if (spec.conversion !== undefined && (!isNode(spec.conversion) || spec.conversion.strategy !== 'None')) out.push('spec.conversion: only strategy None is expected (no conversion webhook exists)');
  checkVersions(spec.versions, out);
  return out;
}

function checkNames(names: Node, out: string[]): void {
  if (typeof names.kind !== 'string' || !KIND_NAME.test(names.kind)) out.push('spec.names.kind: must be a CamelCase kind');
  for (const key of ['plural', 'singular']) {
    if (typeof names[key] !== 'string' || !DNS_LABEL.test(names[key] as string)) out.push(`spec.names.${key}: must be a lowercase DNS label`);
  }
  if (names.listKind !== undefined && names.listKind !== `${String(names.kind)}List`) out.push('spec.names.listKind: should be <kind>List');
  for (const key of ['shortNames', 'categories']) {
    const list = names[key];
    if (list === undefined) continue;
    if (!Array.isArray(list) || list.some((s) => typeof s !== 'string' || !DNS_LABEL.test(s))) out.push(`spec.names.${key}: must be a list of lowercase DNS labels`);
  }
}

function checkVersions(versions: unknown, out: string[]): void {
  if (!Array.isArray(versions) || versions.length === 0) return void out.push('spec.versions: must not be empty');
  const seen = new Set<string>();
  let storage = 0;
  versions.forEach((v, i) => {
    const at = `spec.versions[${i}]`;
    if (!isNode(v)) return void out.push(`${at}: must be an object`);
    for (const key of Object.keys(v)) if (!VERSION_KEYS.has(key)) out.push(`${at}.${key}: unknown field`);
    if (typeof v.name !== 'string' || !VERSION_NAME.test(v.name)) out.push(`${at}.name: must be a Kubernetes version name (v1, v1beta1, v1alpha3)`);
    else if (seen.has(v.name)) out.push(`${at}.name: duplicate version ${v.name}`);
    else seen.add(v.name);
    if (typeof v.served !== 'boolean' || typeof v.storage !== 'boolean') out.push(`${at}: served and storage must be booleans`);
    if (v.storage === true) storage += 1;
    checkSubresources(v, at, out);
    checkPrinterColumns(v.additionalPrinterColumns, `${at}.additionalPrinterColumns`, out);
    const schema = isNode(v.schema) ? v.schema.openAPIV3Schema : undefined;
    if (schema === undefined) out.push(`${at}.schema.openAPIV3Schema: required`);
    else out.push(...checkStructuralSchema(schema, `${at}.schema.openAPIV3Schema`));
  });
  if (storage !== 1) out.push(`spec.versions: exactly one version must be the storage version, found ${storage}`);
}

/** A status subresource needs a status field in the schema, or the API server prunes every status write. */
function checkSubresources(v: Node, at: string, out: string[]): void {
  if (v.subresources === undefined) return;
  if (!isNode(v.subresources)) return void out.push(`${at}.subresources: must be an object`);
  for (const key of Object.keys(v.subresources)) if (key !== 'status' && key !== 'scale') out.push(`${at}.subresources.${key}: unknown subresource`);
  if (v.subresources.status === undefined) return;
  if (!isNode(v.subresources.status) || Object.keys(v.subresources.status).length > 0) out.push(`${at}.subresources.status: must be {}`);
  const schema = isNode(v.schema) && isNode(v.schema.openAPIV3Schema) ? v.schema.openAPIV3Schema : {};
  const status = isNode(schema.properties) ? schema.properties.status : undefined;
  if (!isNode(status) || (status['x-kubernetes-preserve-unknown-fields'] !== true && !isNode(status.properties))) {
    out.push(`${at}.schema.openAPIV3Schema.properties[status]: must be specified (or status writes are pruned)`);
  }
}

function checkPrinterColumns(columns: unknown, at: string, out: string[]): void {
  if (columns === undefined) return;
  if (!Array.isArray(columns)) return void out.push(`${at}: must be a list`);
  columns.forEach((c, i) => {
    if (!isNode(c) || typeof c.name !== 'string' || c.name === '') return void out.push(`${at}[${i}].name: required`);
    if (!COLUMN_TYPES.has(c.type as string)) out.push(`${at}[${i}].type: must be one of ${[...COLUMN_TYPES].join(', ')}`);
    if (typeof c.jsonPath !== 'string' || !c.jsonPath.startsWith('.')) out.push(`${at}[${i}].jsonPath: must be a JSONPath starting with "."`);
  });
}
