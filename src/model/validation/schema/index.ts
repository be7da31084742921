// Owned by the schema work (CRDs + ajv + CEL). Temporary minimal export so the tree compiles.
import type { KindInfo } from '../../kinds.js';
import type { ValidationIssue } from '../issue.js';
export interface SchemaValidator {
  validate(info: KindInfo, doc: Record<string, unknown>): ValidationIssue[];
}
export function createSchemaValidator(_opts: { crdDir?: string }): SchemaValidator {
  return { validate: () => [] };
}
