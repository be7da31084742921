// Owned by the semantic-validation work. Temporary minimal export so the tree compiles.
import type { ConfigObject } from '../../config.js';
import type { ValidationIssue } from '../issue.js';
export interface SemanticContext {
  readonly domain: string;
}
export function validateSemantics(_obj: ConfigObject, _ctx: SemanticContext): ValidationIssue[] {
  return [];
}
