/**
 * A validation finding, shaped like the Kubernetes API server's field errors so that a
 * message reads the same whether kubectl or istiod-ts produced it:
 *   `spec.http[0].route[1].weight: Invalid value: -1: weight must not be negative`
 */
export type IssueReason =
  | 'Invalid value'
  | 'Required value'
  | 'Unsupported value'
  | 'Duplicate value'
  | 'Forbidden'
  | 'Too many'
  | 'Too long'
  | 'Deprecated'
  | 'Internal error';

export interface ValidationIssue {
  readonly severity: 'error' | 'warning';
  /** Field path from the object root, e.g. `spec.http[0].route[1].weight`. */
  readonly path: string;
  readonly reason: IssueReason;
  /** The bad value, when there is one worth showing (rendered like Kubernetes does). */
  readonly value?: unknown;
  /** Why it is wrong. */
  readonly detail: string;
}

export function issue(path: string, reason: IssueReason, detail: string, value?: unknown): ValidationIssue {
  return value === undefined
    ? { severity: 'error', path, reason, detail }
    : { severity: 'error', path, reason, detail, value };
}

export function invalid(path: string, value: unknown, detail: string): ValidationIssue {
  return { severity: 'error', path, reason: 'Invalid value', value, detail };
}

export function required(path: string, detail = ''): ValidationIssue {
  return { severity: 'error', path, reason: 'Required value', detail };
}

export function warning(path: string, detail: string, value?: unknown): ValidationIssue {
  return value === undefined
    ? { severity: 'warning', path, reason: 'Deprecated', detail }
    : { severity: 'warning', path, reason: 'Invalid value', value, detail };
}

const MAX_SHOWN_VALUE = 120;

/** Renders a value the way apimachinery's field.Error does: strings quoted, scalars bare. */
export function formatValue(value: unknown): string {
  let text: string;
  if (typeof value === 'string') text = JSON.stringify(value);
  else if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') text = String(value);
  else if (value === null) text = '"null"';
  else if (Array.isArray(value)) text = '"array"';
  else text = '"object"';
  return text.length > MAX_SHOWN_VALUE ? `${text.slice(0, MAX_SHOWN_VALUE)}...` : text;
}

/** `<path>: <reason>[: <value>][: <detail>]` */
export function renderIssue(i: ValidationIssue): string {
  let out = `${i.path}: ${i.reason}`;
  if (i.value !== undefined) out += `: ${formatValue(i.value)}`;
  if (i.detail) out += `: ${i.detail}`;
  return out;
}

/** Builds child paths: joinPath('spec.http', 0) → `spec.http[0]`, joinPath('spec', 'hosts') → `spec.hosts`; map keys that are not identifiers → `labels[app.kubernetes.io/name]` as apimachinery writes them. */
export function joinPath(base: string, key: string | number): string {
  if (typeof key === 'number') return `${base}[${key}]`;
  if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) return base ? `${base}.${key}` : key;
  return `${base}[${key}]`;
}
