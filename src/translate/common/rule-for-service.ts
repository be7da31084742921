/** The DestinationRule that applies to a service as seen from a client namespace, with its source object. */
import type { ConfigObject } from '../../model/config.js';
import { mergeRules, type MergedDestinationRule } from '../../model/index/destination-rule-index.js';
import { mostSpecificHost, resolveShortName } from '../../model/index/host.js';
import type { MeshService } from '../../model/registry/types.js';
import type { Snapshot } from '../../model/snapshot.js';
import type { DestinationRuleSpec } from '../../model/types/destination-rule.js';

export interface RuleForService {
  readonly spec: DestinationRuleSpec;
  /** The oldest contributing rule: the one named in provenance and diagnostics. */
  readonly source: ConfigObject | undefined;
  readonly merged: MergedDestinationRule;
}

export function ruleForService(snapshot: Snapshot, clientNamespace: string, service: MeshService): RuleForService | undefined {
  const merged = snapshot.destinationRules.destinationRuleFor(clientNamespace, service.hostname, service.namespace);
  if (!merged) return undefined;
  const first = merged.from[0];
  const source = first ? snapshot.configs.get('DestinationRule', first.namespace, first.name) : undefined;
  return { spec: merged.spec as unknown as DestinationRuleSpec, source, merged };
}

/**
 * A DestinationRule with a workloadSelector applies only to the workloads it selects, in its own
 * namespace; for those it takes precedence over host-only rules (as in Istio). The oldest
 * matching rule with the most specific host wins.
 */
export function selectedRuleForService(snapshot: Snapshot, clientNamespace: string, clientLabels: Readonly<Record<string, string>>, service: MeshService): RuleForService | undefined {
  const candidates = snapshot.destinationRules.withWorkloadSelector.filter((rule) =>
    rule.metadata.namespace === clientNamespace && selects(rule, clientLabels));
  const hostOf = (rule: ConfigObject) => resolveShortName(String((rule.spec as { host?: unknown }).host ?? ''), rule.metadata.namespace, snapshot.options.domain);
  const best = mostSpecificHost(service.hostname, candidates.map(hostOf));
  if (best === undefined) return undefined;
  const rule = candidates.find((r) => hostOf(r) === best)!;
  const merged = mergeRules(best, [{ config: rule, host: best, exportTo: ['.'] }]);
  return { spec: merged.spec as unknown as DestinationRuleSpec, source: rule, merged };
}

function selects(rule: ConfigObject, labels: Readonly<Record<string, string>>): boolean {
  const match = (rule.spec as { workloadSelector?: { matchLabels?: Record<string, string> } }).workloadSelector?.matchLabels ?? {};
  return Object.entries(match).every(([k, v]) => labels[k] === v);
}
