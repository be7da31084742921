/**
 * Where a cluster's policy field came from — the DestinationRule (or Sidecar) and the field path
 * inside it, most specific first, as the merge picked it — so diagnostics name the right object.
 */
import type { ConfigObject } from '../../../model/config.js';
import type { DestinationRuleSpec } from '../../../model/types/destination-rule.js';
import type { Source } from '../../common/diagnostics.js';
import type { ClusterPolicy } from '../../common/traffic-policy.js';
import type { RuleForService, SidecarContext } from '../context.js';

export interface FieldOrigin {
  readonly source: Source;
  readonly path: string;
  warn(subfield: string | undefined, message: string): void;
  error(subfield: string | undefined, message: string): void;
}

export type PolicyOrigin = (field: keyof ClusterPolicy) => FieldOrigin;

/** A class, not closures: several are made for every cluster and almost none is ever used. */
class Origin implements FieldOrigin {
  constructor(private readonly ctx: SidecarContext, readonly source: Source, readonly path: string, private readonly resource: string) {}
  private at(sub: string | undefined): string {
    return sub ? `${this.path}.${sub}` : this.path;
  }
  warn(sub: string | undefined, message: string): void {
    this.ctx.diags.warn(this.source, this.at(sub), message, this.resource);
  }
  error(sub: string | undefined, message: string): void {
    this.ctx.diags.error(this.source, this.at(sub), message, this.resource);
  }
}

export function fieldOrigin(ctx: SidecarContext, source: Source, path: string, resource: string): FieldOrigin {
  return new Origin(ctx, source, path, resource);
}

const NO_RULE_PATHS: Readonly<Record<keyof ClusterPolicy, string>> = {
  connectionPool: 'trafficPolicy.connectionPool',
  loadBalancer: 'trafficPolicy.loadBalancer',
  outlierDetection: 'trafficPolicy.outlierDetection',
  tls: 'trafficPolicy.tls',
};

/** The rule among those merged that defines `subset`, and the subset's index in it. */
function subsetHome(ctx: SidecarContext, rule: RuleForService, subset: string): { source: ConfigObject | undefined; index: number } {
  for (const ref of rule.merged.from) {
    const obj = ctx.config('DestinationRule', ref.namespace, ref.name);
    const index = ((obj?.spec as DestinationRuleSpec | undefined)?.subsets ?? []).findIndex((s) => s.name === subset);
    if (obj && index >= 0) return { source: obj, index };
  }
  return { source: rule.source, index: -1 };
}

export function policyOrigin(ctx: SidecarContext, rule: RuleForService | undefined, subset: string, port: number, resource: string): PolicyOrigin {
  if (!rule) return (field) => fieldOrigin(ctx, undefined, NO_RULE_PATHS[field], resource);
  const top = rule.spec.trafficPolicy;
  const topPort = top?.portLevelSettings?.findIndex((p) => p.port?.number === port) ?? -1;
  const home = subset !== '' ? subsetHome(ctx, rule, subset) : undefined;
  const own = subset !== '' ? ctx.subsetOf(rule, subset)?.trafficPolicy : undefined;
  const ownPort = own?.portLevelSettings?.findIndex((p) => p.port?.number === port) ?? -1;
  return (field) => {
    if (home && own && ownPort >= 0) return fieldOrigin(ctx, home.source, `spec.subsets[${home.index}].trafficPolicy.portLevelSettings[${ownPort}].${field}`, resource);
    if (home && own?.[field] !== undefined) return fieldOrigin(ctx, home.source, `spec.subsets[${home.index}].trafficPolicy.${field}`, resource);
    if (topPort >= 0) return fieldOrigin(ctx, rule.source, `spec.trafficPolicy.portLevelSettings[${topPort}].${field}`, resource);
    return fieldOrigin(ctx, rule.source, `spec.trafficPolicy.${field}`, resource);
  };
}
