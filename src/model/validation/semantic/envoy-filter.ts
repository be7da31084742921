/** EnvoyFilter: patch operation vs value, applyTo vs match kind, filter-name rules. */
import type { ConfigObject } from '../../config.js';
import { invalid, issue, required, warning, type ValidationIssue } from '../../../lib/issue.js';
import { arr, isObj, present, str, at, type Obj, checkRegex, validateSelector } from '../rules/index.js';
import type { SemanticContext } from './index.js';

const LISTENER_CLASS = new Set(['LISTENER', 'FILTER_CHAIN', 'NETWORK_FILTER', 'HTTP_FILTER']);
const ROUTE_CLASS = new Set(['ROUTE_CONFIGURATION', 'VIRTUAL_HOST', 'HTTP_ROUTE']);
const HCM_NAMES = new Set(['envoy.filters.network.http_connection_manager', 'envoy.http_connection_manager']);

function listenerMatch(path: string, applyTo: string, listener: Obj): ValidationIssue[] {
  const chain = isObj(listener.filterChain) ? listener.filterChain : undefined;
  const filter = chain && isObj(chain.filter) ? chain.filter : undefined;
  if (!filter) return [];
  const fp = at(path, 'match', 'listener', 'filterChain', 'filter');
  const out: ValidationIssue[] = [];
  if (applyTo === 'LISTENER' || applyTo === 'FILTER_CHAIN') out.push(warning(fp, `filter match has no effect when used with ${applyTo}`));
  if (str(filter.name) === '') return [...out, required(at(fp, 'name'), 'filter match has no name to match on')];
  if (isObj(filter.subFilter)) {
    if (applyTo !== 'HTTP_FILTER') return [...out, issue(at(fp, 'subFilter'), 'Forbidden', 'subfilter match can be used with applyTo HTTP_FILTER only')];
    if (!HCM_NAMES.has(str(filter.name))) return [...out, invalid(at(fp, 'name'), filter.name, 'subfilter match requires filter match with envoy.filters.network.http_connection_manager')];
    if (str(filter.subFilter.name) === '') return [...out, required(at(fp, 'subFilter', 'name'), 'subfilter match has no name to match on')];
  }
  return out;
}

function matchKind(path: string, applyTo: string, match: Obj): ValidationIssue[] {
  const hasObjectType = present(match.listener) || present(match.routeConfiguration) || present(match.cluster) || present(match.waypoint);
  if (!hasObjectType) return [];
  const mp = at(path, 'match');
  if (LISTENER_CLASS.has(applyTo)) {
    if (!isObj(match.listener)) return [invalid(mp, applyTo, 'applyTo for listener class objects cannot have non listener match')];
    return listenerMatch(path, applyTo, match.listener);
  }
  if (ROUTE_CLASS.has(applyTo) && !present(match.routeConfiguration)) return [invalid(mp, applyTo, 'applyTo for http route class objects cannot have non route configuration match')];
  if (applyTo === 'CLUSTER' && !present(match.cluster) && !present(match.waypoint)) return [invalid(mp, applyTo, 'applyTo for cluster class objects cannot have non cluster match')];
  return [];
}

function validatePatch(path: string, cp: unknown): ValidationIssue[] {
  if (!isObj(cp)) return [required(path, 'null config patch')];
  const applyTo = str(cp.applyTo);
  if (applyTo === '' || applyTo === 'INVALID') return [required(at(path, 'applyTo'), 'missing applyTo')];
  if (!isObj(cp.patch)) return [required(at(path, 'patch'), 'missing patch')];
  const op = str(cp.patch.operation);
  if (op === '' || op === 'INVALID') return [required(at(path, 'patch', 'operation'), 'missing patch operation')];
  if (op !== 'REMOVE' && !present(cp.patch.value)) return [required(at(path, 'patch', 'value'), 'missing patch value for non-remove operation')];
  const match = isObj(cp.match) ? cp.match : {};
  const proxyVersion = isObj(match.proxy) ? str(match.proxy.proxyVersion) : '';
  if (proxyVersion !== '') {
    const err = checkRegex(proxyVersion);
    if (err) return [invalid(at(path, 'match', 'proxy', 'proxyVersion'), proxyVersion, `invalid regex for proxy version: ${err}`)];
  }
  return matchKind(path, applyTo, match);
}

export function validateEnvoyFilter(obj: ConfigObject, _ctx: SemanticContext): ValidationIssue[] {
  const spec: Obj = isObj(obj.spec) ? obj.spec : {};
  const out: ValidationIssue[] = [
    warning('spec', 'EnvoyFilter exposes internal implementation details that may change at any time. Prefer other APIs if possible, and exercise extreme caution, especially around upgrades.'),
  ];
  const selector = validateSelector('spec.workloadSelector', spec.workloadSelector, 'labels', 'Envoy filter');
  if (selector.some((i) => i.severity === 'error')) return selector;
  out.push(...selector);
  arr(spec.configPatches).forEach((cp, i) => out.push(...validatePatch(at('spec.configPatches', i), cp)));
  return out;
}
