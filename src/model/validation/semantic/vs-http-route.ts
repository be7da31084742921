/** One VirtualService HTTP route: conflicts between actions, matches, and each action's own rules. */
import { invalid, issue, required, type ValidationIssue } from '../../../lib/issue.js';
import {
  arr, entries, isObj, nonEmpty, num, present, str, at, type Obj,
  checkDuration, checkMatchHeaderName, checkPort, isDNS1123Label, validateGatewayRefs, validateLabels, validateStringMatch,
  validateDestination,
} from '../rules/index.js';
import { validateAuthorityRewrite, validateHeaderOperations } from './vs-headers.js';
import { validateCors, validateDirectResponse, validateFault, validateMirrors, validateRedirect, validateRetries, validateRewrite } from './vs-http-actions.js';
import { validateHTTPDestinations } from './vs-destinations.js';

type RouteType = 'independent' | 'root' | 'delegate';

function conflicts(path: string, r: Obj, type: RouteType): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  const forbid = (field: string, detail: string): void => void out.push(issue(at(path, field), 'Forbidden', detail));
  if (type === 'root') {
    if (present(r.redirect)) forbid('redirect', 'root HTTP route (with delegate) must not specify redirect');
    if (present(r.route)) forbid('route', 'root HTTP route (with delegate) must not specify route');
    return out;
  }
  if (type === 'delegate' && present(r.delegate)) forbid('delegate', 'delegate HTTP route cannot contain delegate');
  const hasRoute = nonEmpty(r.route);
  if (present(r.redirect)) {
    if (hasRoute) forbid('route', 'HTTP route cannot contain both route and redirect');
    if (present(r.fault)) forbid('fault', 'HTTP route cannot contain both fault and redirect');
    if (present(r.rewrite)) forbid('rewrite', 'HTTP route rule cannot contain both rewrite and redirect');
    if (present(r.directResponse)) forbid('directResponse', 'HTTP route rule cannot contain both directResponse and redirect');
  } else if (present(r.directResponse)) {
    if (hasRoute) forbid('route', 'HTTP route cannot contain both route and directResponse');
    if (present(r.fault)) forbid('fault', 'HTTP route cannot contain both fault and directResponse');
    if (present(r.rewrite)) forbid('rewrite', 'HTTP route rule cannot contain both rewrite and directResponse');
  } else if (!hasRoute) {
    out.push(required(at(path, 'route'), 'HTTP route, redirect or directResponse is required'));
  }
  if (present(r.mirror) && nonEmpty(r.mirrors)) forbid('mirrors', 'HTTP route cannot contain both mirror and mirrors');
  return out;
}

function headerMatches(path: string, map: unknown, without: boolean): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  for (const [name, sm] of entries(map)) {
    const err = checkMatchHeaderName(name);
    if (err) out.push(invalid(path, name, err));
    // In withoutHeaders, regex "*" means "header present"; it is not a regex.
    if (without && isObj(sm) && sm.regex === '*') continue;
    out.push(...validateStringMatch(at(path, name), sm));
  }
  return out;
}

function validateMatch(path: string, m: Obj): ValidationIssue[] {
  const out = [
    ...headerMatches(at(path, 'headers'), m.headers, false),
    ...headerMatches(at(path, 'withoutHeaders'), m.withoutHeaders, true),
    ...validateStringMatch(at(path, 'uri'), m.uri, { allowEmptyPrefix: true }),
    ...validateStringMatch(at(path, 'scheme'), m.scheme),
    ...validateStringMatch(at(path, 'method'), m.method),
    ...validateStringMatch(at(path, 'authority'), m.authority),
    ...entries(m.queryParams).flatMap(([k, sm]) => validateStringMatch(at(path, 'queryParams', k), sm)),
    ...validateLabels(at(path, 'sourceLabels'), m.sourceLabels),
    ...validateGatewayRefs(at(path, 'gateways'), m.gateways),
  ];
  const port = num(m.port) ?? 0;
  if (port !== 0) {
    const err = checkPort(port);
    if (err) out.push(invalid(at(path, 'port'), port, err));
  }
  const ns = str(m.sourceNamespace);
  if (ns !== '' && !isDNS1123Label(ns)) out.push(invalid(at(path, 'sourceNamespace'), ns, 'sourceNamespace match is not a valid namespace name'));
  return out;
}

function validatePercentages(path: string, r: Obj): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  if (present(r.mirrorPercent)) {
    const v = num(isObj(r.mirrorPercent) ? r.mirrorPercent.value : r.mirrorPercent) ?? 0;
    if (v > 100) out.push(invalid(at(path, 'mirrorPercent'), v, 'mirrorPercent must have a max value of 100'));
    out.push({ severity: 'warning', path: at(path, 'mirrorPercent'), reason: 'Deprecated', detail: 'using deprecated setting "mirrorPercent", use "mirrorPercentage" instead' });
  }
  if (isObj(r.mirrorPercentage)) {
    const v = num(r.mirrorPercentage.value) ?? 0;
    if (v > 100) out.push(invalid(at(path, 'mirrorPercentage', 'value'), v, 'mirrorPercentage must have a max value of 100'));
    if (v < 0) out.push(invalid(at(path, 'mirrorPercentage', 'value'), v, 'mirrorPercentage must have a min value of 0'));
  }
  return out;
}

export function validateHTTPRoute(path: string, route: unknown, inDelegate: boolean): ValidationIssue[] {
  if (!isObj(route)) return [required(path, 'http route may not be null')];
  const type: RouteType = inDelegate ? 'delegate' : present(route.delegate) ? 'root' : 'independent';
  return [
    ...conflicts(path, route, type),
    ...arr(route.match).flatMap((m, j) => (isObj(m) ? validateMatch(at(path, 'match', j), m) : [])),
    ...validateHeaderOperations(at(path, 'headers'), route.headers),
    ...validateCors(at(path, 'corsPolicy'), route.corsPolicy),
    ...validateFault(at(path, 'fault'), route.fault),
    ...validatePercentages(path, route),
    ...validateDestination(at(path, 'mirror'), route.mirror),
    ...validateMirrors(at(path, 'mirrors'), route.mirrors),
    ...validateRedirect(at(path, 'redirect'), route.redirect),
    ...validateDirectResponse(at(path, 'directResponse'), route.directResponse),
    ...validateRetries(at(path, 'retries'), route.retries),
    ...validateRewrite(at(path, 'rewrite'), route.rewrite),
    ...validateAuthorityRewrite(path, route),
    ...validateHTTPDestinations(at(path, 'route'), route.route),
    ...checkDuration(at(path, 'timeout'), route.timeout),
  ];
}
