/** ServiceEntry: hosts, addresses, ports, resolution-dependent endpoint rules, exportTo. */
import type { ConfigObject } from '../../config.js';
import { invalid, issue, required, warning, type ValidationIssue } from '../../../lib/issue.js';
import {
  arr, isObj, num, present, str, at, type Obj,
  checkFQDN, checkIPOrCIDR, checkPartialWildcard, checkPort, checkPortName, checkProtocol, checkWildcardDomain,
  isHTTPProtocol, isTCPProtocol, isTLSProtocol, parseProtocol, validateExportTo, validateSelector,
} from '../rules/index.js';
import type { SemanticContext } from './index.js';
import { validateEndpoint } from './workload-entry.js';

function validateHosts(hosts: string[]): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  if (hosts.length === 0) out.push(required('spec.hosts', 'service entry must have at least one host'));
  hosts.forEach((h, i) => {
    const p = at('spec.hosts', i);
    if (h === '*') return void out.push(invalid(p, h, 'hostname cannot be wildcard "*"'));
    const err = checkWildcardDomain(h);
    if (err) out.push(invalid(p, h, err));
    const partial = checkPartialWildcard(h);
    if (partial) out.push(warning(p, partial, h));
  });
  return out;
}

function validatePorts(spec: Obj, resolution: string, autoAllocate: boolean): { issues: ValidationIssue[]; names: Set<string> } {
  const out: ValidationIssue[] = [];
  const names = new Set<string>();
  const numbers = new Set<number>();
  arr(spec.ports).forEach((port, i) => {
    const p = at('spec.ports', i);
    if (!isObj(port)) return void out.push(required(p, 'service entry port may not be null'));
    const name = str(port.name);
    const n = num(port.number) ?? 0;
    if (names.has(name)) out.push(issue(at(p, 'name'), 'Duplicate value', 'service entry port name already defined', name));
    if (numbers.has(n)) out.push(issue(at(p, 'number'), 'Duplicate value', 'service entry port number already defined', n));
    names.add(name);
    numbers.add(n);
    const target = num(port.targetPort) ?? 0;
    if (target !== 0) {
      const err = checkPort(target);
      if (err) out.push(invalid(at(p, 'targetPort'), target, err));
      if (resolution === 'NONE') out.push(warning(at(p, 'targetPort'), 'targetPort has no effect when resolution mode is NONE', target));
    }
    const protocol = str(port.protocol);
    if (arr(spec.addresses).length === 0 && !autoAllocate && (protocol === '' || protocol === 'TCP')) {
      out.push(warning(p, 'addresses are required for ports serving TCP (or unset) protocol when ISTIO_META_DNS_AUTO_ALLOCATE is not set on a proxy', name));
    }
    const nameErr = checkPortName(name);
    if (nameErr) out.push(invalid(at(p, 'name'), name, nameErr));
    const protoErr = checkProtocol(protocol);
    if (protoErr) out.push(invalid(at(p, 'protocol'), protocol, protoErr));
    const numErr = checkPort(n);
    if (numErr) out.push(invalid(at(p, 'number'), n, numErr));
  });
  return { issues: out, names };
}

function resolutionRules(spec: Obj, resolution: string, hosts: string[], portNames: Set<string>): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  const endpoints = arr(spec.endpoints);
  const selector = present(spec.workloadSelector);
  if (resolution === 'NONE') {
    if (endpoints.length > 0) out.push(issue('spec.endpoints', 'Forbidden', 'NONE mode cannot set endpoints: no endpoints should be provided for resolution type NONE'));
    if (selector) out.push(warning('spec.workloadSelector', 'workloadSelector should not be set when resolution mode is NONE'));
    return out;
  }
  if (resolution === 'STATIC') {
    endpoints.forEach((e, i) => {
      if (isObj(e)) out.push(...validateEndpoint(at('spec.endpoints', i), e, { servicePorts: portNames, allowFQDN: false }));
      else out.push(required(at('spec.endpoints', i), 'endpoint cannot be nil'));
    });
    return out;
  }
  if (resolution !== 'DNS' && resolution !== 'DNS_ROUND_ROBIN') {
    return [invalid('spec.resolution', resolution, 'unsupported resolution type')];
  }
  if (endpoints.length === 0) {
    hosts.forEach((h, i) => {
      if (checkFQDN(h)) out.push(invalid(at('spec.hosts', i), h, `hosts must be FQDN if no endpoints are provided for resolution mode ${resolution}`));
    });
  }
  if (resolution === 'DNS_ROUND_ROBIN' && endpoints.length > 1) out.push(invalid('spec.endpoints', endpoints.length, 'there must only be 0 or 1 endpoint for resolution mode DNS_ROUND_ROBIN'));
  endpoints.forEach((e, i) => {
    if (isObj(e)) out.push(...validateEndpoint(at('spec.endpoints', i), e, { servicePorts: portNames, allowFQDN: true }));
    else out.push(required(at('spec.endpoints', i), 'endpoint cannot be nil'));
  });
  if (selector) out.push(warning('spec.workloadSelector', `workloadSelector should not be set when resolution mode is ${resolution}`));
  const tcpPort = arr(spec.ports).some((p) => isObj(p) && isTCPProtocol(parseProtocol(str(p.protocol))));
  if (arr(spec.addresses).length > 0 && hosts.length > 1 && tcpPort) {
    out.push(warning('spec.hosts', 'service entry can not have more than one host specified simultaneously with address and tcp port'));
  }
  return out;
}

export function validateServiceEntry(obj: ConfigObject, _ctx: SemanticContext): ValidationIssue[] {
  const spec: Obj = isObj(obj.spec) ? obj.spec : {};
  const resolution = str(spec.resolution) || 'NONE';
  const hosts = arr(spec.hosts).map(str);
  const out = validateSelector('spec.workloadSelector', spec.workloadSelector, 'labels', 'service entry');
  if (present(spec.workloadSelector) && present(spec.endpoints)) {
    out.push(issue('spec.endpoints', 'Forbidden', 'only one of workloadSelector or endpoints is allowed in Service Entry'));
  }
  out.push(...validateHosts(hosts));
  let cidr = false;
  arr(spec.addresses).forEach((a, i) => {
    const s = str(a);
    cidr ||= s.includes('/');
    const err = checkIPOrCIDR(s);
    if (err) out.push(invalid(at('spec.addresses', i), s, err));
  });
  if (cidr && resolution !== 'NONE' && resolution !== 'STATIC') {
    out.push(invalid('spec.resolution', resolution, 'CIDR addresses are allowed only for NONE/STATIC resolution types'));
  }
  const autoAllocate = obj.metadata?.labels?.['networking.istio.io/enable-autoallocate-ip'] !== 'false';
  const ports = validatePorts(spec, resolution, autoAllocate);
  out.push(...ports.issues, ...resolutionRules(spec, resolution, hosts, ports.names));
  if (resolution !== 'NONE' && hosts.length > 1) {
    const bad = arr(spec.ports).findIndex((p) => isObj(p) && !isHTTPProtocol(parseProtocol(str(p.protocol))) && !isTLSProtocol(parseProtocol(str(p.protocol))));
    if (bad >= 0) out.push(invalid(at('spec.ports', bad, 'protocol'), str((arr(spec.ports)[bad] as Obj).protocol), 'multiple hosts provided with non-HTTP, non-TLS ports'));
  }
  out.push(...validateExportTo('spec.exportTo', spec.exportTo, { namespace: obj.metadata?.namespace ?? '', isServiceEntry: true }));
  return out;
}
