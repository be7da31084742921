/**
 * Turns ajv errors into field errors worded like the Kubernetes API server's, e.g.
 *   `spec.concurrency: Invalid value: -1: spec.concurrency in body should be greater than or equal to 0`
 */
import type { ErrorObject } from 'ajv';
import { issue, joinPath, type ValidationIssue } from '../../../lib/issue.js';
import { displayPath, pointerToPath, valueAtPointer } from './paths.js';
import { jsonTypeName } from './types.js';

/** Context for a readable unknown-field message. */
export interface ErrorContext {
  readonly kind: string;
  /** Declared property names of the object at a given ajv schemaPath (for "did you mean"). */
  readonly declaredAt: (schemaPath: string) => readonly string[];
}

/** Errors from inside oneOf/anyOf/not branches only explain why a branch did not match: noise. */
function isBranchNoise(e: ErrorObject): boolean {
  const parent = e.schemaPath.slice(0, e.schemaPath.lastIndexOf('/'));
  return /\/(oneOf|anyOf)\/\d+(\/|$)|\/not(\/|$)/.test(parent);
}

export function translateAjvErrors(errors: readonly ErrorObject[], data: unknown, ctx: ErrorContext): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    if (isBranchNoise(e)) continue;
    const found = translateOne(e, data, ctx);
    const key = `${found.path}|${found.reason}|${found.detail}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(found);
  }
  return out;
}

function quoteList(values: readonly unknown[]): string {
  return values.map((v) => JSON.stringify(v)).join(', ');
}

function translateOne(e: ErrorObject, data: unknown, ctx: ErrorContext): ValidationIssue {
  const path = pointerToPath(e.instancePath, data);
  const shown = displayPath(path);
  const value = valueAtPointer(e.instancePath, data);
  const p = e.params as Record<string, unknown>;
  const body = `${shown} in body`;
  switch (e.keyword) {
    case 'required':
      return issue(joinPath(path, String(p.missingProperty)), 'Required value', '');
    case 'additionalProperties':
      return unknownField(path, String(p.additionalProperty), e.schemaPath, ctx);
    case 'enum':
      return issue(shown, 'Unsupported value', `supported values: ${quoteList((p.allowedValues as unknown[]) ?? [])}`, value);
    case 'type':
      return issue(shown, 'Invalid value', `${body} must be of type ${[p.type].flat().join(',')}: "${jsonTypeName(value)}"`, jsonTypeName(value));
    case 'minimum':
      return issue(shown, 'Invalid value', `${body} should be greater than or equal to ${String(p.limit)}`, value);
    case 'maximum':
      return issue(shown, 'Invalid value', `${body} should be less than or equal to ${String(p.limit)}`, value);
    case 'exclusiveMinimum':
      return issue(shown, 'Invalid value', `${body} should be greater than ${String(p.limit)}`, value);
    case 'exclusiveMaximum':
      return issue(shown, 'Invalid value', `${body} should be less than ${String(p.limit)}`, value);
    case 'multipleOf':
      return issue(shown, 'Invalid value', `${body} should be a multiple of ${String(p.multipleOf)}`, value);
    case 'minLength':
      return issue(shown, 'Invalid value', `${body} should be at least ${String(p.limit)} chars long`, value);
    case 'maxLength':
      return issue(shown, 'Too long', `${body} should be at most ${String(p.limit)} chars long`, value);
    case 'pattern':
      return issue(shown, 'Invalid value', `${body} should match '${String(p.pattern)}'`, value);
    case 'format':
      return issue(shown, 'Invalid value', `${body} must be of type ${String(p.format)}: ${JSON.stringify(value)}`, value);
    case 'maxItems':
      return issue(shown, 'Too many', `must have at most ${String(p.limit)} items`, Array.isArray(value) ? value.length : value);
    case 'minItems':
      return issue(shown, 'Invalid value', `${body} should have at least ${String(p.limit)} items`, Array.isArray(value) ? value.length : value);
    case 'maxProperties':
      return issue(shown, 'Too many', `must have at most ${String(p.limit)} items`, countKeys(value));
    case 'minProperties':
      return issue(shown, 'Invalid value', `${body} should have at least ${String(p.limit)} properties`, countKeys(value));
    case 'oneOf':
      return issue(shown, 'Invalid value', `${body} must validate one and only one schema (oneOf)`, jsonTypeName(value));
    case 'anyOf':
      return issue(shown, 'Invalid value', `${body} must validate at least one schema (anyOf)`, jsonTypeName(value));
    case 'not':
      return issue(shown, 'Invalid value', `${body} must not validate the schema (not)`, jsonTypeName(value));
    default:
      return issue(shown, 'Invalid value', `${body} ${e.message ?? 'is invalid'}`, jsonTypeName(value));
  }
}

function countKeys(v: unknown): unknown {
  return typeof v === 'object' && v !== null ? Object.keys(v).length : v;
}

function unknownField(parent: string, field: string, schemaPath: string, ctx: ErrorContext): ValidationIssue {
  const full = joinPath(parent, field);
  const declared = ctx.declaredAt(schemaPath.slice(0, schemaPath.lastIndexOf('/')));
  const guess = closest(field, declared);
  const hint = guess ? `; did you mean "${guess}"?` : '';
  return issue(full, 'Forbidden', `unknown field "${full}": not declared in the ${ctx.kind} schema${hint}`);
}

/** The declared name nearest to a misspelt one (edit distance ≤ 2, or same letters ignoring case). */
function closest(name: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const c of candidates) {
    const d = c.toLowerCase() === name.toLowerCase() ? 0 : editDistance(name, c, bestDistance);
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string, cap: number): number {
  if (Math.abs(a.length - b.length) >= cap) return cap;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row.push(Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost));
    }
    prev = row;
  }
  return prev[b.length] ?? cap;
}
