/**
 * Compiles `x-kubernetes-validations` rules once and evaluates one against a value.
 * Transition rules (those reading `oldSelf`) need the previous object, which a config
 * validator never has, so they are left out, as the API server does on create.
 */
import type { Environment } from '@marcbachmann/cel-js';
import { issue, joinPath, required, type IssueReason, type ValidationIssue } from '../../../lib/issue.js';
import { useRe2ForMatches } from './cel-env.js';
import type { ValidationRule } from './types.js';

type Program = (ctx: Record<string, unknown>) => unknown;

export interface CompiledRule {
  readonly source: ValidationRule;
  readonly program?: Program;
  readonly messageProgram?: Program;
  /** Set when the rule does not compile: every object then gets an error naming the rule. */
  readonly compileError?: string;
}

export function isTransitionRule(rule: ValidationRule): boolean {
  return /\boldSelf\b/.test(rule.rule);
}

export class RuleCompiler {
  private readonly cache = new Map<string, { program?: Program; error?: string }>();

  constructor(private readonly env: Environment) {}

  compileAll(rules: readonly ValidationRule[] | undefined): CompiledRule[] {
    if (!rules) return [];
    return rules.filter((r) => typeof r?.rule === 'string' && !isTransitionRule(r)).map((r) => this.compileOne(r));
  }

  private compileOne(rule: ValidationRule): CompiledRule {
    const main = this.compileExpression(rule.rule);
    const message = rule.messageExpression ? this.compileExpression(rule.messageExpression) : undefined;
    return {
      source: rule,
      ...(main.program ? { program: main.program } : {}),
      ...(message?.program ? { messageProgram: message.program } : {}),
      ...(main.error ? { compileError: main.error } : {}),
    };
  }

  private compileExpression(expression: string): { program?: Program; error?: string } {
    let found = this.cache.get(expression);
    if (!found) {
      try {
        found = { program: this.env.parse(useRe2ForMatches(expression)) as Program };
      } catch (err) {
        found = { error: firstLine(err) };
      }
      this.cache.set(expression, found);
    }
    return found;
  }
}

function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.split('\n')[0] ?? text;
}

const REASONS: Record<string, IssueReason> = {
  FieldValueInvalid: 'Invalid value',
  FieldValueForbidden: 'Forbidden',
  FieldValueRequired: 'Required value',
  FieldValueDuplicate: 'Duplicate value',
};

/** Applies a rule's optional `fieldPath` (`.a.b`, `['k']`) to the location of the rule. */
function reportPath(path: string, fieldPath: string | undefined): string {
  if (!fieldPath) return path;
  let out = path;
  for (const m of fieldPath.matchAll(/\.([A-Za-z_][A-Za-z0-9_-]*)|\['([^']*)'\]|\[(\d+)\]/g)) {
    out = m[3] !== undefined ? joinPath(out, Number(m[3])) : joinPath(out, (m[1] ?? m[2]) as string);
  }
  return out;
}

function failureMessage(rule: CompiledRule, ctx: Record<string, unknown>): string {
  if (rule.messageProgram) {
    try {
      const text = rule.messageProgram(ctx);
      if (typeof text === 'string' && text.trim() !== '') return text;
    } catch {
      // fall back to the static message, as the API server does
    }
  }
  return rule.source.message ?? `failed rule: ${rule.source.rule}`;
}

/** Runs one rule on `self`; returns the issue it raises, if any. Never throws. */
export function evaluateRule(rule: CompiledRule, self: unknown, typeName: string, path: string): ValidationIssue | undefined {
  const where = path === '' ? '<root>' : path;
  if (rule.compileError || !rule.program) {
    return issue(where, 'Internal error', `validation rule ${JSON.stringify(rule.source.rule)} does not compile: ${rule.compileError}`);
  }
  const ctx = { self };
  let result: unknown;
  try {
    result = rule.program(ctx);
  } catch (err) {
    return issue(where, 'Invalid value', `rule evaluation error: ${rule.source.message ?? rule.source.rule}: ${firstLine(err)}`, typeName);
  }
  if (result === true) return undefined;
  if (result !== false) {
    return issue(where, 'Invalid value', `rule evaluation error: ${JSON.stringify(rule.source.rule)} did not return a bool`, typeName);
  }
  const at = reportPath(path, rule.source.fieldPath) || '<root>';
  const reason = REASONS[rule.source.reason ?? 'FieldValueInvalid'] ?? 'Invalid value';
  const message = failureMessage(rule, ctx);
  if (reason === 'Required value') return required(at, message);
  return reason === 'Forbidden' ? issue(at, reason, message) : issue(at, reason, message, typeName);
}
