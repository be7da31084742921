/** DestinationRule: host, traffic policy, subsets, exportTo and workload selector. */
import type { ConfigObject } from '../../config.js';
import { invalid, issue, required, type ValidationIssue } from '../../../lib/issue.js';
import { arr, isObj, present, str, at, type Obj, checkSubsetName, checkWildcardDomain, validateExportTo, validateLabels, validateSelector } from '../rules/index.js';
import type { SemanticContext } from './index.js';
import { validateTrafficPolicy } from './traffic-policy.js';

function validateSubsets(list: unknown): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  const seen = new Set<string>();
  arr(list).forEach((s, i) => {
    const p = at('spec.subsets', i);
    if (!isObj(s)) return void out.push(required(p, 'subset may not be null'));
    const name = str(s.name);
    if (seen.has(name)) out.push(issue(at(p, 'name'), 'Duplicate value', 'duplicate subset names', name));
    seen.add(name);
    const err = checkSubsetName(name);
    if (err) out.push(name === '' ? required(at(p, 'name'), err) : invalid(at(p, 'name'), name, err));
    out.push(...validateLabels(at(p, 'labels'), s.labels));
    out.push(...validateTrafficPolicy(at(p, 'trafficPolicy'), s.trafficPolicy));
  });
  return out;
}

export function validateDestinationRule(obj: ConfigObject, _ctx: SemanticContext): ValidationIssue[] {
  const spec: Obj = isObj(obj.spec) ? obj.spec : {};
  const out: ValidationIssue[] = [];
  const host = str(spec.host);
  const hostErr = checkWildcardDomain(host);
  if (hostErr) out.push(host === '' ? required('spec.host', hostErr) : invalid('spec.host', host, hostErr));
  out.push(...validateTrafficPolicy('spec.trafficPolicy', spec.trafficPolicy));
  out.push(...validateSubsets(spec.subsets));
  out.push(...validateExportTo('spec.exportTo', spec.exportTo, {
    namespace: obj.metadata?.namespace ?? '',
    isDestinationRuleWithSelector: present(spec.workloadSelector),
  }));
  out.push(...validateSelector('spec.workloadSelector', spec.workloadSelector, 'matchLabels'));
  return out;
}
