/**
 * What istiod-ts has to say about each Istio object, as Istio's analysis messages
 * (istio.analysis.v1alpha1.AnalysisMessageBase: type {name, code}, level, documentationUrl),
 * the entries of `status.validationMessages`. Pure.
 *
 * Sources, mapped to Istio's message codes where one fits:
 * - validation errors (the object was rejected)         → IST0106 SchemaValidationError (Error)
 * - validation warnings about deprecated fields          → IST0002 Deprecated (Warning)
 * - other validation warnings                            → IST0133 SchemaWarning (Warning)
 * - snapshot diagnostics naming a missing reference      → IST0101 ReferencedResourceNotFound (Error)
 * - other snapshot diagnostics (part of it was ignored)  → MESH0001 ConfigurationIgnored (Warning),
 *   this project's own code: Istio has no general one and the IST range is Istio's to assign.
 * The message base carries no free text (istioctl analyze and /debug/configz have the details),
 * so identical entries are written once; entries are sorted so the result is stable.
 */

export type AnalysisLevel = 'ERROR' | 'WARNING' | 'INFO';

export interface AnalysisMessage {
  readonly type: { readonly name: string; readonly code: string };
  readonly level: AnalysisLevel;
  readonly documentationUrl?: string;
}

/** The subset of a KubeObjectReport this reads. */
export interface ObjectFindings {
  /** `kind/namespace/name`. */
  readonly object: string;
  readonly errors: readonly string[];
  readonly warnings: readonly string[];
}

/** The subset of a snapshot Diagnostic this reads. */
export interface ObjectDiagnostic {
  readonly ref: { readonly kind: string; readonly namespace: string; readonly name: string; readonly cluster?: string };
  readonly path: string;
  readonly reason: string;
}

const DOCS = 'https://istio.io/latest/docs/reference/config/analysis';

function istioMessage(name: string, code: string, level: AnalysisLevel): AnalysisMessage {
  return { type: { name, code }, level, documentationUrl: `${DOCS}/${code.toLowerCase()}/` };
}

export const MESSAGES = Object.freeze({
  deprecated: istioMessage('Deprecated', 'IST0002', 'WARNING'),
  referencedResourceNotFound: istioMessage('ReferencedResourceNotFound', 'IST0101', 'ERROR'),
  schemaValidationError: istioMessage('SchemaValidationError', 'IST0106', 'ERROR'),
  schemaWarning: istioMessage('SchemaWarning', 'IST0133', 'WARNING'),
  configurationIgnored: { type: { name: 'ConfigurationIgnored', code: 'MESH0001' }, level: 'WARNING' } as AnalysisMessage,
});

/** Rendered issues read `<path>: <reason>[: ...]` (lib/issue.ts); the reason tells deprecations apart. */
function warningMessage(rendered: string): AnalysisMessage {
  return /^[^:]*: Deprecated(?::|$)/.test(rendered) ? MESSAGES.deprecated : MESSAGES.schemaWarning;
}

function diagnosticMessage(reason: string): AnalysisMessage {
  return /\b(does not exist|not found|unknown|no such)\b/i.test(reason) ? MESSAGES.referencedResourceNotFound : MESSAGES.configurationIgnored;
}

const LEVEL_ORDER: Record<AnalysisLevel, number> = { ERROR: 0, WARNING: 1, INFO: 2 };

function sortUnique(messages: readonly AnalysisMessage[]): AnalysisMessage[] {
  const byCode = new Map<string, AnalysisMessage>();
  for (const m of messages) byCode.set(`${m.type.code}|${m.level}`, m);
  return [...byCode.values()].sort((a, b) => LEVEL_ORDER[a.level] - LEVEL_ORDER[b.level] || a.type.code.localeCompare(b.type.code));
}

/**
 * Messages per object (`kind/namespace/name`) for the objects of `istioKinds`. Diagnostics of
 * remote clusters' objects are left out: status is written to the config cluster's objects only.
 */
export function messagesByObject(findings: readonly ObjectFindings[], diagnostics: readonly ObjectDiagnostic[], istioKinds: ReadonlySet<string>): Map<string, AnalysisMessage[]> {
  const collected = new Map<string, AnalysisMessage[]>();
  const add = (key: string, message: AnalysisMessage) => {
    const list = collected.get(key);
    if (list) list.push(message);
    else collected.set(key, [message]);
  };
  for (const f of findings) {
    if (!istioKinds.has(f.object.split('/', 1)[0]!)) continue;
    if (f.errors.length > 0) add(f.object, MESSAGES.schemaValidationError);
    for (const w of f.warnings) add(f.object, warningMessage(w));
  }
  for (const d of diagnostics) {
    if (d.ref.cluster !== undefined || !istioKinds.has(d.ref.kind)) continue;
    add(`${d.ref.kind}/${d.ref.namespace}/${d.ref.name}`, diagnosticMessage(d.reason));
  }
  return new Map([...collected].map(([key, list]) => [key, sortUnique(list)]));
}
