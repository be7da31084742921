/** VirtualService TLS and TCP routes. */
import { invalid, required, warning, type ValidationIssue } from '../../../lib/issue.js';
import {
  arr, isObj, num, str, at, type Obj,
  checkGatewayBoundDomain, checkIPOrCIDR, checkPort, checkWildcardDomain, hostSubsetOf, isIPAddress, validateGatewayRefs, validateLabels,
} from '../rules/index.js';
import { validateDestinations } from './vs-destinations.js';

export interface VsContext {
  readonly hosts: readonly string[];
  /** Bound only to gateways (not to `mesh`). */
  readonly appliesToGateway: boolean;
}

function validateL4Match(path: string, m: Obj): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  arr(m.destinationSubnets).forEach((s, i) => {
    const err = checkIPOrCIDR(str(s));
    if (err) out.push(invalid(at(path, 'destinationSubnets', i), s, err));
  });
  const port = num(m.port) ?? 0;
  const portErr = port !== 0 ? checkPort(port) : undefined;
  if (portErr) out.push(invalid(at(path, 'port'), port, portErr));
  out.push(...validateLabels(at(path, 'sourceLabels'), m.sourceLabels));
  out.push(...validateGatewayRefs(at(path, 'gateways'), m.gateways));
  return out;
}

function validateSniHost(path: string, sni: string, vs: VsContext): ValidationIssue[] {
  const err = vs.appliesToGateway ? checkGatewayBoundDomain(sni, true) : checkWildcardDomain(sni);
  if (err) {
    if (isIPAddress(sni)) return [warning(path, 'using an IP address goes against SNI spec and most clients do not support this', sni)];
    return [invalid(path, sni, err)];
  }
  if (vs.hosts.some((h) => hostSubsetOf(sni, h))) return [];
  return [invalid(path, sni, `SNI host is not a compatible subset of any of the virtual service hosts: [${vs.hosts.join(', ')}]`)];
}

function validateTLSMatch(path: string, m: unknown, vs: VsContext): ValidationIssue[] {
  if (!isObj(m)) return [required(path, 'TLS match may not be null')];
  const out: ValidationIssue[] = [];
  const snis = arr(m.sniHosts);
  if (snis.length === 0) out.push(required(at(path, 'sniHosts'), 'TLS match must have at least one SNI host'));
  snis.forEach((s, i) => out.push(...validateSniHost(at(path, 'sniHosts', i), str(s), vs)));
  out.push(...validateL4Match(path, m));
  return out;
}

export function validateTLSRoute(path: string, route: unknown, vs: VsContext): ValidationIssue[] {
  if (!isObj(route)) return [];
  const out: ValidationIssue[] = [];
  const matches = arr(route.match);
  if (matches.length === 0) out.push(required(at(path, 'match'), 'TLS route must have at least one match condition'));
  matches.forEach((m, i) => out.push(...validateTLSMatch(at(path, 'match', i), m, vs)));
  if (arr(route.route).length === 0) out.push(required(at(path, 'route'), 'TLS route is required'));
  out.push(...validateDestinations(at(path, 'route'), route.route, false));
  return out;
}

export function validateTCPRoute(path: string, route: unknown): ValidationIssue[] {
  if (!isObj(route)) return [];
  const out: ValidationIssue[] = [];
  arr(route.match).forEach((m, i) => {
    if (!isObj(m)) out.push(required(at(path, 'match', i), 'tcp match may not be nil'));
    else out.push(...validateL4Match(at(path, 'match', i), m));
  });
  if (arr(route.route).length === 0) out.push(required(at(path, 'route'), 'TCP route is required'));
  out.push(...validateDestinations(at(path, 'route'), route.route, false));
  return out;
}
