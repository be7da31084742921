/** Shared helpers for the semantic-rule tests: run one kind's rules and assert on the issues. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ConfigObject } from '../../src/model/config.js';
import type { KindName } from '../../src/model/kinds.js';
import { validateSemantics } from '../../src/model/validation/semantic/index.js';
import { renderIssue, type ValidationIssue } from '../../src/lib/issue.js';

export function run(kind: KindName, spec: Record<string, unknown>, meta: Partial<ConfigObject['metadata']> = {}): ValidationIssue[] {
  const metadata = { name: 'x', namespace: 'default', labels: {}, annotations: {}, ...meta };
  return validateSemantics({ kind, apiVersion: 'v1', metadata, spec }, { domain: 'cluster.local' });
}

export const errors = (i: ValidationIssue[]): string[] => i.filter((x) => x.severity === 'error').map(renderIssue);
export const warnings = (i: ValidationIssue[]): string[] => i.filter((x) => x.severity === 'warning').map(renderIssue);

export function expectError(issues: ValidationIssue[], path: string, fragment: string): void {
  const hit = issues.find((i) => i.severity === 'error' && i.path === path && renderIssue(i).includes(fragment));
  assert.ok(hit, `expected error at ${path} containing "${fragment}", got:\n${issues.map(renderIssue).join('\n')}`);
}

/** One test per case: [name, spec, path, message fragment]. */
export function table(kind: KindName, cases: [string, Record<string, unknown>, string, string][]): void {
  for (const [name, spec, path, fragment] of cases) test(`${kind}: ${name}`, () => expectError(run(kind, spec), path, fragment));
}

export const errorIssues = (i: ValidationIssue[]): ValidationIssue[] => i.filter((x) => x.severity === 'error');
export const warningIssues = (i: ValidationIssue[]): ValidationIssue[] => i.filter((x) => x.severity === 'warning');
