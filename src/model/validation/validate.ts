/**
 * Validation of one raw manifest document: the envelope (apiVersion, kind, metadata), then
 * the CRD schema with its CEL rules (schema/), then Istio's semantic rules (semantic/).
 * Never throws: a bug in a rule becomes an 'Internal error' issue on that object.
 */
import type { ConfigObject, ObjectMeta, ObjectRef } from '../config.js';
import { lookupKind, type KindInfo } from '../kinds.js';
import { invalid, issue, required, type ValidationIssue } from '../../lib/issue.js';
import { createSchemaValidator, type SchemaValidator } from './schema/index.js';
import { validateSemantics } from './semantic/index.js';
import { validateMetadata } from './metadata.js';

export interface ValidationOutcome {
  /** Best-effort identity of the document, even when it is invalid (for error messages). */
  readonly ref: ObjectRef;
  /** Present only when there are no errors. */
  readonly object?: ConfigObject;
  readonly errors: readonly ValidationIssue[];
  readonly warnings: readonly ValidationIssue[];
}

export interface ValidateOptions {
  /** Namespace given to namespaced objects that do not name one (kubectl's default). */
  readonly defaultNamespace?: string;
  /** Recorded on the object: `file:<path>#<index>` or `kube:<cluster>`. */
  readonly source?: string;
}

export interface Validator {
  validate(raw: unknown, opts?: ValidateOptions): ValidationOutcome;
  /** CRD files that could not be used (the kinds they define then fail validation loudly). */
  readonly problems: readonly string[];
}

export interface ValidatorOptions {
  /** Directory holding the CRD YAML files; defaults to the package's crds/. */
  readonly crdDir?: string;
  /** DNS domain of the cluster (cluster.local) used by host rules. */
  readonly domain?: string;
}

export function createValidator(opts: ValidatorOptions = {}): Validator {
  const schemas = createSchemaValidator(opts.crdDir === undefined ? {} : { crdDir: opts.crdDir });
  const domain = opts.domain ?? 'cluster.local';
  return { validate: (raw, vopts = {}) => validateDocument(raw, vopts, schemas, domain), problems: schemas.problems };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function guessRef(raw: unknown, namespace: string): ObjectRef {
  const doc = isRecord(raw) ? raw : {};
  const meta = isRecord(doc.metadata) ? doc.metadata : {};
  return {
    kind: typeof doc.kind === 'string' ? doc.kind : '<unknown kind>',
    namespace: typeof meta.namespace === 'string' ? meta.namespace : namespace,
    name: typeof meta.name === 'string' ? meta.name : '<unnamed>',
  };
}

function split(issues: ValidationIssue[]): { errors: ValidationIssue[]; warnings: ValidationIssue[] } {
  return {
    errors: issues.filter((i) => i.severity === 'error'),
    warnings: issues.filter((i) => i.severity === 'warning'),
  };
}

function checkEnvelope(doc: Record<string, unknown>): { info?: KindInfo; issues: ValidationIssue[] } {
  const issues: ValidationIssue[] = [];
  if (typeof doc.apiVersion !== 'string' || doc.apiVersion === '') issues.push(required('apiVersion', 'every object needs apiVersion'));
  if (typeof doc.kind !== 'string' || doc.kind === '') issues.push(required('kind', 'every object needs kind'));
  if (issues.length > 0) return { issues };
  const found = lookupKind(doc.apiVersion as string, doc.kind as string);
  if (!found.ok) {
    const path = found.reason === 'unknown-kind' ? 'kind' : 'apiVersion';
    return { issues: [issue(path, 'Unsupported value', found.detail, doc[path])] };
  }
  return { info: found.info, issues };
}

function buildObject(doc: Record<string, unknown>, info: KindInfo, meta: ObjectMeta, source?: string): ConfigObject {
  const { apiVersion, kind: _kind, metadata: _m, ...rest } = doc;
  const spec = info.istio || info.gatewayApi ? ((doc.spec ?? {}) as Record<string, unknown>) : rest;
  const obj: ConfigObject = { kind: info.kind, apiVersion: apiVersion as string, metadata: meta, spec, ...(source ? { source } : {}) };
  return deepFreeze(structuredClone(obj));
}

function validateDocument(raw: unknown, opts: ValidateOptions, schemas: SchemaValidator, domain: string): ValidationOutcome {
  const defaultNamespace = opts.defaultNamespace ?? 'default';
  const ref = guessRef(raw, defaultNamespace);
  try {
    if (!isRecord(raw)) {
      return { ref, errors: [invalid('<document>', raw, 'a manifest must be a mapping with apiVersion, kind and metadata')], warnings: [] };
    }
    const env = checkEnvelope(raw);
    if (!env.info) return { ref, ...split(env.issues) };
    const metaResult = validateMetadata(raw.metadata, env.info, defaultNamespace);
    const found = [...env.issues, ...metaResult.issues];
    if (env.info.istio) found.push(...schemas.validate(env.info, raw));
    const realRef = metaResult.meta ? { kind: env.info.kind, namespace: metaResult.meta.namespace, name: metaResult.meta.name } : ref;
    if (found.some((i) => i.severity === 'error') || !metaResult.meta) return { ref: realRef, ...split(found) };
    const object = buildObject(raw, env.info, metaResult.meta, opts.source);
    if (env.info.istio || env.info.gatewayApi) found.push(...validateSemantics(object, { domain }));
    const { errors, warnings } = split(found);
    return errors.length > 0 ? { ref: realRef, errors, warnings } : { ref: realRef, object, errors, warnings };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return { ref, errors: [issue('<document>', 'Internal error', `validator failed: ${message}`)], warnings: [] };
  }
}

export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value as Record<string, unknown>)) deepFreeze(child);
  }
  return value;
}
