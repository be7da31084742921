/** The DestinationRule that applies to a service as seen from a client namespace, with its source object. */
import type { ConfigObject } from '../../model/config.js';
import type { MergedDestinationRule } from '../../model/index/destination-rule-index.js';
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
