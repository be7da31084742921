/**
 * Validates Istio objects against the CRDs in crds/ the way the Kubernetes API server does:
 * the OpenAPI schema (ajv, with strict unknown-field checks), list-type uniqueness, and the
 * CEL `x-kubernetes-validations` rules. Everything is compiled once, at construction.
 */
import { fileURLToPath } from 'node:url';
import type { KindInfo } from '../../kinds.js';
import { issue, warning, type ValidationIssue } from '../../../lib/issue.js';
import { translateAjvErrors } from './ajv-errors.js';
import { createCelEnvironment } from './cel-env.js';
import { RuleCompiler } from './cel-rules.js';
import { createAjv, declaredPropertiesAt, VersionCompiler, type CompiledVersion } from './compile.js';
import { loadCrdDir } from './load-crds.js';
import { SchemaWalker } from './walk.js';

export interface SchemaValidator {
  validate(info: KindInfo, doc: Record<string, unknown>): ValidationIssue[];
  /** CRD files or documents that could not be used (for the caller to log). */
  readonly problems: readonly string[];
}

/** This module lives in dist/src/model/validation/schema/; the package root holds crds/. */
export function defaultCrdDir(): string {
  return fileURLToPath(new URL('../../../../../crds', import.meta.url));
}

function versionOf(doc: Record<string, unknown>): string {
  const apiVersion = typeof doc.apiVersion === 'string' ? doc.apiVersion : '';
  return apiVersion.slice(apiVersion.lastIndexOf('/') + 1);
}

export function createSchemaValidator(opts: { crdDir?: string } = {}): SchemaValidator {
  const loaded = loadCrdDir(opts.crdDir ?? defaultCrdDir());
  const compiler = new VersionCompiler(createAjv(), new RuleCompiler(createCelEnvironment()));
  const compiled = new Map<string, CompiledVersion>();
  const problems = [...loaded.problems];
  for (const crd of loaded.schemas) {
    const version = compiler.compile(crd);
    if (version.compileError) problems.push(`${crd.file}: ${crd.kind} ${crd.version}: schema does not compile: ${version.compileError}`);
    compiled.set(`${crd.group}/${crd.version}/${crd.kind}`, version);
  }
  return {
    problems,
    validate: (info, doc) => {
      const version = compiled.get(`${info.group}/${versionOf(doc)}/${info.kind}`);
      if (!version) {
        return [warning('apiVersion', `no CRD schema for ${info.kind} ${info.group}/${versionOf(doc)} was loaded; schema validation skipped`, doc.apiVersion)];
      }
      try {
        return validateWith(version, doc);
      } catch (err) {
        return [issue('<document>', 'Internal error', `schema validation failed: ${err instanceof Error ? err.message : String(err)}`)];
      }
    },
  };
}

function validateWith(version: CompiledVersion, doc: Record<string, unknown>): ValidationIssue[] {
  if (!version.validate) {
    return [issue('<document>', 'Internal error', `the ${version.crd.kind} CRD schema does not compile: ${version.compileError}`)];
  }
  const issues: ValidationIssue[] = [];
  if (!version.validate(doc)) {
    const ctx = { kind: version.crd.kind, declaredAt: (p: string) => declaredPropertiesAt(version.ajvSchema, p) };
    issues.push(...translateAjvErrors(version.validate.errors ?? [], doc, ctx));
  }
  const walker = new SchemaWalker((node) => version.rules.get(node) ?? []);
  issues.push(...walker.run(version.crd.schema, doc));
  return issues;
}
