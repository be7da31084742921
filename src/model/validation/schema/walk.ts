/**
 * Walks a document alongside its structural schema, doing what ajv cannot:
 *  - evaluates each node's CEL rules with `self` bound to the value there (integers as BigInt
 *    where the schema says integer, as the API server's CEL does);
 *  - checks `x-kubernetes-list-type: set|map` lists for duplicates.
 * Values whose type does not match the schema are not descended into (ajv reports those).
 */
import { issue, joinPath, type ValidationIssue } from '../../../lib/issue.js';
import { evaluateRule, type CompiledRule } from './cel-rules.js';
import { isPlainObject, jsonTypeName, type StructuralSchema } from './types.js';

export type RuleLookup = (node: StructuralSchema) => readonly CompiledRule[];

/** Every schema node reachable from the root through the structural keywords. */
export function forEachSchemaNode(root: StructuralSchema, visit: (node: StructuralSchema) => void): void {
  const stack: StructuralSchema[] = [root];
  const seen = new Set<StructuralSchema>();
  while (stack.length > 0) {
    const node = stack.pop() as StructuralSchema;
    if (!isPlainObject(node) || seen.has(node)) continue;
    seen.add(node);
    visit(node);
    if (node.properties) stack.push(...Object.values(node.properties));
    if (node.items) stack.push(node.items);
    if (isPlainObject(node.additionalProperties)) stack.push(node.additionalProperties as StructuralSchema);
  }
}

function typeMatches(node: StructuralSchema, value: unknown): boolean {
  if (node['x-kubernetes-int-or-string']) return typeof value === 'string' || Number.isInteger(value);
  switch (node.type) {
    case 'object': return isPlainObject(value);
    case 'array': return Array.isArray(value);
    case 'string': return typeof value === 'string';
    case 'integer': return Number.isInteger(value);
    case 'number': return typeof value === 'number';
    case 'boolean': return typeof value === 'boolean';
    default: return true;
  }
}

/** Untyped (preserved) data as CEL sees it: integral numbers are ints. */
function toDyn(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toDyn);
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = Object.create(null);
    for (const [k, v] of Object.entries(value)) out[k] = toDyn(v);
    return out;
  }
  if (typeof value === 'number' && Number.isInteger(value)) return BigInt(value);
  return value ?? null;
}

function childSchema(node: StructuralSchema, key: string): StructuralSchema | undefined {
  const declared = node.properties?.[key];
  if (declared) return declared;
  return isPlainObject(node.additionalProperties) ? (node.additionalProperties as StructuralSchema) : undefined;
}

export class SchemaWalker {
  constructor(private readonly rulesFor: RuleLookup) {}

  /** Returns the issues; `self` for the root is the whole document. */
  run(root: StructuralSchema, doc: unknown): ValidationIssue[] {
    const issues: ValidationIssue[] = [];
    this.visit(root, doc, '', issues);
    return issues;
  }

  private visit(node: StructuralSchema, value: unknown, path: string, issues: ValidationIssue[]): unknown {
    if (value === null || value === undefined) return null;
    if (!typeMatches(node, value)) return toDyn(value);
    const self = this.convert(node, value, path, issues);
    for (const rule of this.rulesFor(node)) {
      const found = evaluateRule(rule, self, jsonTypeName(value), path);
      if (found) issues.push(found);
    }
    return self;
  }

  private convert(node: StructuralSchema, value: unknown, path: string, issues: ValidationIssue[]): unknown {
    if (Array.isArray(value)) {
      checkListType(node, value, path, issues);
      const items = node.items;
      return value.map((v, i) => (items ? this.visit(items, v, joinPath(path, i), issues) : toDyn(v)));
    }
    if (isPlainObject(value)) {
      const out: Record<string, unknown> = Object.create(null);
      for (const [k, v] of Object.entries(value)) {
        const child = childSchema(node, k);
        out[k] = child ? this.visit(child, v, joinPath(path, k), issues) : toDyn(v);
      }
      return out;
    }
    if (typeof value === 'number' && Number.isInteger(value) && (node.type === 'integer' || node['x-kubernetes-int-or-string'])) {
      return BigInt(value);
    }
    return value;
  }
}

/** JSON with sorted keys, so that equal values compare equal. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (isPlainObject(value)) {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function checkListType(node: StructuralSchema, list: readonly unknown[], path: string, issues: ValidationIssue[]): void {
  const listType = node['x-kubernetes-list-type'];
  if (listType !== 'set' && listType !== 'map') return;
  const keys = node['x-kubernetes-list-map-keys'] ?? [];
  const seen = new Set<string>();
  list.forEach((item, i) => {
    let identity: string;
    let shown: unknown = item;
    if (listType === 'map') {
      if (!isPlainObject(item)) return;
      const tuple = keys.map((k) => item[k] ?? null);
      identity = canonical(tuple);
      shown = tuple.length === 1 ? tuple[0] : canonical(Object.fromEntries(keys.map((k, j) => [k, tuple[j]])));
    } else {
      identity = canonical(item);
    }
    if (seen.has(identity)) issues.push(issue(joinPath(path, i), 'Duplicate value', '', shown));
    seen.add(identity);
  });
}
