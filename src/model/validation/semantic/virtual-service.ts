/** VirtualService: hosts, gateway bindings, HTTP/TLS/TCP routes, exportTo. */
import type { ConfigObject } from '../../config.js';
import { invalid, issue, required, type ValidationIssue } from '../../../lib/issue.js';
import {
  arr, entries, isObj, nonEmpty, str, at, type Obj,
  checkGatewayBoundDomain, checkWildcardDomain, hostsMatch, isIPAddress, isJwtClaimRoute, validateExportTo, validateGatewayRefs,
} from '../rules/index.js';
import type { SemanticContext } from './index.js';
import { validateHTTPRoute } from './vs-http-route.js';
import { validateTCPRoute, validateTLSRoute, type VsContext } from './vs-l4-routes.js';
import { unreachableRules } from './vs-unreachable.js';

function delegateRules(spec: Obj): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  if (nonEmpty(spec.gateways)) out.push(issue('spec.gateways', 'Forbidden', 'delegate virtual service (no hosts) must have no gateways specified'));
  if (nonEmpty(spec.tls)) out.push(issue('spec.tls', 'Forbidden', 'delegate virtual service (no hosts) must have no tls route specified'));
  if (nonEmpty(spec.tcp)) out.push(issue('spec.tcp', 'Forbidden', 'delegate virtual service (no hosts) must have no tcp route specified'));
  return out;
}

function jwtClaimRoutesOutsideGateways(spec: Obj): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  arr(spec.http).forEach((route, i) => {
    if (!isObj(route)) return;
    arr(route.match).forEach((m, j) => {
      if (!isObj(m)) return;
      for (const field of ['headers', 'withoutHeaders'] as const) {
        for (const [key] of entries(m[field])) {
          if (isJwtClaimRoute(key)) {
            out.push(invalid(at('spec.http', i, 'match', j, field), key, 'JWT claim based routing is only supported for gateways; this virtual service applies to the mesh'));
          }
        }
      }
    });
  });
  return out;
}

function validateHosts(hosts: readonly string[], appliesToGateway: boolean, sni: boolean): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  let allValid = true;
  hosts.forEach((h, i) => {
    const err = appliesToGateway ? checkGatewayBoundDomain(h, sni) : checkWildcardDomain(h);
    if (err && !isIPAddress(h)) {
      out.push(invalid(at('spec.hosts', i), h, err));
      allValid = false;
    } else if (!err && !appliesToGateway && h === '*') {
      out.push(invalid(at('spec.hosts', i), h, 'wildcard host * is not allowed for virtual services bound to the mesh gateway'));
      allValid = false;
    }
  });
  if (!allValid) return out;
  for (let i = 0; i < hosts.length; i++) {
    for (let j = i + 1; j < hosts.length; j++) {
      if (hostsMatch(hosts[i] ?? '', hosts[j] ?? '')) {
        out.push(issue(at('spec.hosts', j), 'Duplicate value', `duplicate hosts in virtual service: ${hosts[i]} & ${hosts[j]}`, hosts[j]));
      }
    }
  }
  return out;
}

function hasSniHosts(spec: Obj): boolean {
  return arr(spec.tls).some((r) => isObj(r) && arr(r.match).some((m) => isObj(m) && nonEmpty(m.sniHosts)));
}

export function validateVirtualService(obj: ConfigObject, _ctx: SemanticContext): ValidationIssue[] {
  const spec: Obj = isObj(obj.spec) ? obj.spec : {};
  const hosts = arr(spec.hosts).map(str);
  const gateways = arr(spec.gateways).map(str);
  const appliesToGateway = gateways.length > 0 && !gateways.includes('mesh');
  const out: ValidationIssue[] = [];
  if (hosts.length === 0) out.push(...delegateRules(spec));
  out.push(...validateGatewayRefs('spec.gateways', spec.gateways));
  if (!appliesToGateway) out.push(...jwtClaimRoutesOutsideGateways(spec));
  out.push(...validateHosts(hosts, appliesToGateway, hasSniHosts(spec)));
  if (!nonEmpty(spec.http) && !nonEmpty(spec.tcp) && !nonEmpty(spec.tls)) {
    out.push(required('spec', 'http, tcp or tls must be provided in virtual service'));
  }
  const vs: VsContext = { hosts, appliesToGateway };
  arr(spec.http).forEach((r, i) => out.push(...validateHTTPRoute(at('spec.http', i), r, hosts.length === 0)));
  arr(spec.tls).forEach((r, i) => out.push(...validateTLSRoute(at('spec.tls', i), r, vs)));
  arr(spec.tcp).forEach((r, i) => out.push(...validateTCPRoute(at('spec.tcp', i), r)));
  out.push(...validateExportTo('spec.exportTo', spec.exportTo, { namespace: obj.metadata?.namespace ?? '' }));
  out.push(...unreachableRules('spec.http', spec.http), ...unreachableRules('spec.tcp', spec.tcp), ...unreachableRules('spec.tls', spec.tls));
  return out;
}
