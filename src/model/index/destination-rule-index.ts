/**
 * DestinationRules by host, with Istio's lookup order: rules in the proxy's namespace first
 * (for a proxy in the root namespace: only its private rules), then rules exported
 * from the service's namespace, then rules exported from the root namespace. Within one step
 * the exact host beats the most specific wildcard. Rules with a workloadSelector are left out
 * of host lookup. Several rules for one host merge: subsets appended (a repeated subset name is
 * ignored), the first trafficPolicy wins; what is ignored is recorded as a diagnostic.
 */
import type { ConfigObject, ObjectRef } from '../config.js';
import { DiagnosticSink } from '../registry/diagnostics.js';
import { isVisibleTo } from '../registry/export-to.js';
import { asArray, asRecord, isRecord } from '../registry/read.js';
import type { Diagnostic } from '../registry/types.js';
import { mostSpecificHost, resolveShortName } from './host.js';

interface IndexedRule {
  readonly config: ConfigObject;
  readonly host: string;
  readonly exportTo: readonly string[];
}

/** The effective rule for one host as seen from one namespace. */
export interface MergedDestinationRule {
  /** Resolved host key the rule was found under (may be a wildcard). */
  readonly host: string;
  /** Merged spec: the first rule's spec with subsets appended and the first trafficPolicy. */
  readonly spec: Readonly<Record<string, unknown>>;
  /** Contributing rules, in merge order. */
  readonly from: readonly ObjectRef[];
}

export interface DestinationRuleIndex {
  /** `serviceNamespace`: where the service lives (the second lookup step); omit if unknown. */
  destinationRuleFor(proxyNamespace: string, host: string, serviceNamespace?: string): MergedDestinationRule | undefined;
  /** Rules with spec.workloadSelector (for per-workload policy), oldest first. */
  readonly withWorkloadSelector: readonly ConfigObject[];
  readonly diagnostics: readonly Diagnostic[];
}

export interface DestinationRuleIndexOptions {
  readonly domain: string;
  readonly rootNamespace: string;
  readonly defaultExportTo: readonly string[];
}

type HostTable = Map<string, IndexedRule[]>;

function add(tables: Map<string, HostTable>, ns: string, rule: IndexedRule): void {
  const table = tables.get(ns) ?? new Map<string, IndexedRule[]>();
  tables.set(ns, table);
  table.set(rule.host, [...(table.get(rule.host) ?? []), rule]);
}

const refOf = (c: ConfigObject): ObjectRef => ({ kind: c.kind, namespace: c.metadata.namespace, name: c.metadata.name });

export function mergeRules(host: string, rules: readonly IndexedRule[], diags?: DiagnosticSink): MergedDestinationRule {
  const first = asRecord(rules[0]?.config.spec);
  const subsets: unknown[] = [];
  const seen = new Set<string>();
  let trafficPolicy: unknown = first.trafficPolicy;
  rules.forEach((rule, r) => {
    const spec = asRecord(rule.config.spec);
    if (r > 0 && spec.trafficPolicy !== undefined) {
      if (trafficPolicy === undefined) trafficPolicy = spec.trafficPolicy;
      else diags?.add(rule.config, 'spec.trafficPolicy', `ignored: ${host} already has a trafficPolicy from an older DestinationRule`);
    }
    asArray(spec.subsets).forEach((s, i) => {
      const name = String(asRecord(s).name);
      if (seen.has(name)) diags?.add(rule.config, `spec.subsets[${i}]`, `ignored: subset "${name}" of ${host} is already defined by an older DestinationRule`);
      else {
        seen.add(name);
        subsets.push(s);
      }
    });
  });
  const spec = { ...first, ...(trafficPolicy !== undefined ? { trafficPolicy } : {}), ...(subsets.length > 0 ? { subsets } : {}) };
  return Object.freeze({ host, spec: Object.freeze(spec), from: Object.freeze(rules.map((r) => refOf(r.config))) });
}

function exportedBeyondOwnNamespace(rule: IndexedRule): boolean {
  return rule.exportTo.some((e) => e !== '.' && e !== '~' && e !== rule.config.metadata.namespace);
}

function lookup(table: HostTable | undefined, host: string, visible: (r: IndexedRule) => boolean): MergedDestinationRule | undefined {
  if (!table) return undefined;
  const candidates = [...table.entries()].filter(([, rules]) => rules.some(visible)).map(([key]) => key);
  const key = mostSpecificHost(host, candidates);
  return key === undefined ? undefined : mergeRules(key, (table.get(key) ?? []).filter(visible));
}

/** `objects` must already be ordered oldest first. */
export function buildDestinationRuleIndex(objects: readonly ConfigObject[], opts: DestinationRuleIndexOptions): DestinationRuleIndex {
  const local = new Map<string, HostTable>();
  const exported = new Map<string, HostTable>();
  const withWorkloadSelector: ConfigObject[] = [];
  for (const config of objects) {
    const spec = asRecord(config.spec);
    if (isRecord(spec.workloadSelector)) {
      withWorkloadSelector.push(config);
      continue;
    }
    if (typeof spec.host !== 'string' || spec.host === '') continue;
    const ns = config.metadata.namespace;
    const given = asArray(spec.exportTo).filter((s): s is string => typeof s === 'string');
    const rule = { config, host: resolveShortName(spec.host, ns, opts.domain), exportTo: given.length > 0 ? given : [...opts.defaultExportTo] };
    if (isVisibleTo(rule.exportTo, ns, ns)) add(local, ns, rule);
    if (exportedBeyondOwnNamespace(rule)) add(exported, ns, rule);
  }
  const diags = new DiagnosticSink();
  for (const table of local.values()) for (const [host, rules] of table) if (rules.length > 1) mergeRules(host, rules, diags);
  const everyone = () => true;
  const privateOnly = (r: IndexedRule) => !exportedBeyondOwnNamespace(r);
  return Object.freeze({
    destinationRuleFor(proxyNs: string, host: string, serviceNs?: string) {
      // A root-namespace proxy takes only the root's private rules here: its exported rules are
      // mesh-wide fallbacks and must not shadow the service namespace's rules (as in Istio).
      const own = lookup(local.get(proxyNs), host, proxyNs === opts.rootNamespace ? privateOnly : everyone);
      if (own) return own;
      const visible = (r: IndexedRule) => isVisibleTo(r.exportTo, r.config.metadata.namespace, proxyNs);
      return (serviceNs !== undefined ? lookup(exported.get(serviceNs), host, visible) : undefined) ?? lookup(exported.get(opts.rootNamespace), host, visible);
    },
    withWorkloadSelector: Object.freeze(withWorkloadSelector),
    diagnostics: Object.freeze(diags.items),
  });
}
