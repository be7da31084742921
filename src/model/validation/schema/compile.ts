/**
 * Compiles one CRD version's schema once: the ajv validator for the OpenAPI part and the
 * CEL programs for every `x-kubernetes-validations` rule.
 */
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { RE2JS } from 're2js';
import type { RegExpEngine } from 'ajv/dist/types/index.js';
import type { CompiledRule, RuleCompiler } from './cel-rules.js';
import { toAjvRootSchema } from './to-ajv.js';
import { forEachSchemaNode } from './walk.js';
import { isPlainObject, type CrdVersionSchema, type StructuralSchema } from './types.js';

export interface CompiledVersion {
  readonly crd: CrdVersionSchema;
  readonly validate?: ValidateFunction;
  /** The converted JSON schema ajv compiled (used to name declared fields in messages). */
  readonly ajvSchema: Record<string, unknown>;
  readonly compileError?: string;
  readonly rules: WeakMap<StructuralSchema, readonly CompiledRule[]>;
}

/** ajv's pattern engine backed by RE2: schema patterns never run on a backtracking engine. */
const re2Engine: RegExpEngine = Object.assign(
  (pattern: string) => {
    const re = RE2JS.compile(pattern);
    // ajv caches compiled patterns under toString(): it must be the pattern itself.
    return { test: (s: string) => re.test(s), toString: () => `/${pattern}/` };
  },
  { code: 're2js' },
);

// ajv-formats is CommonJS; under NodeNext its default export arrives wrapped.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv) => Ajv;

export function createAjv(): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: false, code: { regExp: re2Engine }, validateFormats: true });
  addFormats(ajv);
  return ajv;
}

export class VersionCompiler {
  private readonly byJson = new Map<string, { validate?: ValidateFunction; error?: string }>();

  constructor(private readonly ajv: Ajv, private readonly rules: RuleCompiler) {}

  compile(crd: CrdVersionSchema): CompiledVersion {
    const ajvSchema = toAjvRootSchema(crd.schema);
    const key = JSON.stringify(ajvSchema);
    let entry = this.byJson.get(key);
    if (!entry) {
      try {
        entry = { validate: this.ajv.compile(ajvSchema) };
      } catch (err) {
        entry = { error: err instanceof Error ? err.message : String(err) };
      }
      this.byJson.set(key, entry);
    }
    const rules = new WeakMap<StructuralSchema, readonly CompiledRule[]>();
    forEachSchemaNode(crd.schema, (node) => {
      const compiled = this.rules.compileAll(node['x-kubernetes-validations']);
      if (compiled.length > 0) rules.set(node, compiled);
    });
    return {
      crd,
      ajvSchema,
      rules,
      ...(entry.validate ? { validate: entry.validate } : {}),
      ...(entry.error ? { compileError: entry.error } : {}),
    };
  }
}

/** Declared property names of the node an ajv schemaPath (`#/properties/spec/...`) points at. */
export function declaredPropertiesAt(ajvSchema: Record<string, unknown>, schemaPath: string): string[] {
  let node: unknown = ajvSchema;
  for (const raw of schemaPath.replace(/^#\/?/, '').split('/')) {
    if (raw === '') continue;
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    node = isPlainObject(node) ? node[key] : Array.isArray(node) ? node[Number(key)] : undefined;
  }
  return isPlainObject(node) && isPlainObject(node.properties) ? Object.keys(node.properties) : [];
}
