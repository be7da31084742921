/**
 * Label selectors (equality and set-based: `a=b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`)
 * and field selectors (`=`, `==`, `!=` on metadata.name, metadata.namespace and the resource's
 * own selectable fields), parsed as kube-apiserver does; a bad selector is a 400 message.
 */
import type { KubeObject } from './types.js';
import type { ResourceType } from './resource-types.js';

export type Matcher = (o: KubeObject) => boolean;
export type Parsed = { ok: true; matches: Matcher } | { ok: false; error: string };

const always: Parsed = { ok: true, matches: () => true };
const KEY = /^([a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?\/)?[a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?$/;

/** Splits on commas outside parentheses. */
function splitTerms(text: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '(') depth++;
    else if (text[i] === ')') depth--;
    else if (text[i] === ',' && depth === 0) {
      terms.push(text.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(text.slice(start));
  return terms.map((t) => t.trim());
}

function labelTerm(term: string): Matcher | undefined {
  const labels = (o: KubeObject) => o.metadata.labels ?? {};
  let m = /^(!?)\s*([^\s=!(),]+)$/.exec(term);
  if (m && KEY.test(m[2]!)) {
    const [, not, key] = m as unknown as [string, string, string];
    return (o) => (key in labels(o)) !== (not === '!');
  }
  m = /^([^\s=!(),]+)\s*(==|=|!=)\s*([^\s=!(),]*)$/.exec(term);
  if (m && KEY.test(m[1]!)) {
    const [, key, op, value] = m as unknown as [string, string, string, string];
    return op === '!=' ? (o) => labels(o)[key] !== value : (o) => labels(o)[key] === value;
  }
  m = /^([^\s=!(),]+)\s+(in|notin)\s*\(([^()]*)\)$/.exec(term);
  if (m && KEY.test(m[1]!)) {
    const [, key, op, list] = m as unknown as [string, string, string, string];
    const values = new Set(list.split(',').map((v) => v.trim()));
    return op === 'in' ? (o) => values.has(labels(o)[key] as string) : (o) => !values.has(labels(o)[key] as string);
  }
  return undefined;
}

export function parseLabelSelector(text: string | null): Parsed {
  if (!text || !text.trim()) return always;
  const matchers: Matcher[] = [];
  for (const term of splitTerms(text)) {
    const matcher = labelTerm(term);
    if (!matcher) return { ok: false, error: `unable to parse requirement: found '${term}', expected: a valid label selector term` };
    matchers.push(matcher);
  }
  return { ok: true, matches: (o) => matchers.every((m) => m(o)) };
}

function fieldValue(o: KubeObject, path: string): string {
  let v: unknown = o;
  for (const part of path.split('.')) v = typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[part] : undefined;
  if (v === undefined && path === 'spec.unschedulable') return 'false';
  return v === undefined || v === null ? '' : String(v);
}

export function parseFieldSelector(text: string | null, type: ResourceType): Parsed {
  if (!text || !text.trim()) return always;
  const allowed = ['metadata.name', 'metadata.namespace', ...type.fields];
  const terms: Array<[string, string, boolean]> = [];
  for (const term of text.split(',')) {
    const m = /^([a-zA-Z.]+)(==|=|!=)(.*)$/.exec(term.trim());
    if (!m) return { ok: false, error: `invalid selector: '${text}'; can't understand '${term}'` };
    if (!allowed.includes(m[1]!)) return { ok: false, error: `"${m[1]}" is not a known field selector: only "${allowed.join('", "')}"` };
    terms.push([m[1]!, m[3]!, m[2] !== '!=']);
  }
  return { ok: true, matches: (o) => terms.every(([field, value, eq]) => (fieldValue(o, field) === value) === eq) };
}

/** Both selectors of a request; the first parse error wins. */
export function parseSelectors(query: URLSearchParams, type: ResourceType): Parsed {
  const labels = parseLabelSelector(query.get('labelSelector'));
  if (!labels.ok) return labels;
  const fields = parseFieldSelector(query.get('fieldSelector'), type);
  if (!fields.ok) return fields;
  return { ok: true, matches: (o) => labels.matches(o) && fields.matches(o) };
}
