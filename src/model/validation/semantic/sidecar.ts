/** Sidecar: ingress listeners, egress listeners (ns/host), outbound traffic policy. */
import type { ConfigObject } from '../../config.js';
import { invalid, issue, required, warning, type ValidationIssue } from '../../../lib/issue.js';
import {
  arr, isObj, num, present, str, at, type Obj,
  checkFQDN, checkIP, checkNamespaceScopedHost, checkPort, checkPortName, checkProtocol, isHTTPProtocol, parseProtocol, validateDestination, validateSelector,
} from '../rules/index.js';
import type { SemanticContext } from './index.js';
import { validateServerTLS } from './server-tls.js';
import { validateConnectionPool } from './traffic-policy.js';
import { checkUnixAddress } from './unix-address.js';

function portBasics(path: string, port: Obj, checkNumber: boolean): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  const name = str(port.name);
  const nameErr = name !== '' ? checkPortName(name) : undefined;
  if (nameErr) out.push(invalid(at(path, 'name'), name, nameErr));
  const protoErr = checkProtocol(str(port.protocol));
  if (protoErr) out.push(invalid(at(path, 'protocol'), port.protocol, protoErr));
  const numErr = checkNumber ? checkPort(port.number ?? 0) : undefined;
  if (numErr) out.push(invalid(at(path, 'number'), port.number ?? 0, numErr));
  if ((num(port.targetPort) ?? 0) > 0) out.push(issue(at(path, 'targetPort'), 'Forbidden', 'targetPort has no impact on Sidecars'));
  return out;
}

function checkDefaultEndpoint(path: string, ep: string): ValidationIssue[] {
  if (ep.startsWith('unix://')) {
    const err = checkUnixAddress(ep.slice('unix://'.length));
    return err ? [invalid(path, ep, err)] : [];
  }
  const m = /^(?:\[([^\]]*)\]|([^:[\]]*)):([^:]*)$/.exec(ep);
  if (!m) return [invalid(path, ep, 'defaultEndpoint must be of form 127.0.0.1:<port>, 0.0.0.0:<port>, [::1]:<port>, [::]:<port> or unix://<path>')];
  const host = m[1] ?? m[2] ?? '';
  const out: ValidationIssue[] = [];
  if (host !== '' && !['127.0.0.1', '0.0.0.0', '::1', '::'].includes(host)) {
    out.push(invalid(path, ep, 'sidecar: defaultEndpoint must be of form 127.0.0.1:<port>,0.0.0.0:<port>,[::1]:port,[::]:port,unix://filepath or unset'));
  }
  const port = /^\d+$/.test(m[3] ?? '') ? Number(m[3]) : NaN;
  const err = Number.isNaN(port) ? `sidecar: defaultEndpoint port (${m[3] ?? ''}) is not a number` : checkPort(port);
  if (err) out.push(invalid(path, ep, err));
  return out;
}

function validateIngress(list: unknown): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  const ports = new Set<number>();
  arr(list).forEach((ing, i) => {
    const p = at('spec.ingress', i);
    if (!isObj(ing)) return void out.push(required(p, 'sidecar: ingress may not be null'));
    if (!isObj(ing.port)) return void out.push(required(at(p, 'port'), 'sidecar: port is required for ingress listeners'));
    out.push(...portBasics(at(p, 'port'), ing.port, true));
    const bind = str(ing.bind);
    const bindErr = bind !== '' ? checkIP(bind) : undefined;
    if (bindErr) out.push(invalid(at(p, 'bind'), bind, bindErr));
    const n = num(ing.port.number) ?? 0;
    if (ports.has(n)) out.push(issue(at(p, 'port', 'number'), 'Duplicate value', 'sidecar: ports on IP bound listeners must be unique', n));
    ports.add(n);
    const ep = str(ing.defaultEndpoint);
    if (ep !== '') out.push(...checkDefaultEndpoint(at(p, 'defaultEndpoint'), ep));
    out.push(...ingressTLS(at(p, 'tls'), ing.tls));
    out.push(...validateConnectionPool(at(p, 'connectionPool'), ing.connectionPool));
    if (isObj(ing.connectionPool) && present(ing.connectionPool.http) && !isHTTPProtocol(parseProtocol(str(ing.port.protocol)))) {
      out.push(warning(at(p, 'connectionPool', 'http'), 'HTTP connection pool settings are configured but the port protocol is not HTTP; only TCP settings will apply'));
    }
  });
  return out;
}

function ingressTLS(path: string, tls: unknown): ValidationIssue[] {
  if (!isObj(tls)) return [];
  const out: ValidationIssue[] = [];
  const forbid = (f: string, d: string): void => void out.push(issue(at(path, f), 'Forbidden', d));
  if (arr(tls.subjectAltNames).length > 0) forbid('subjectAltNames', 'sidecar: subjectAltNames is not supported in ingress tls');
  if (tls.httpsRedirect === true) forbid('httpsRedirect', 'sidecar: httpsRedirect is not supported');
  if (str(tls.credentialName) !== '') forbid('credentialName', 'sidecar: credentialName is not currently supported');
  const mode = str(tls.mode);
  if (mode === 'ISTIO_MUTUAL' || mode === 'AUTO_PASSTHROUGH') out.push(invalid(at(path, 'mode'), mode, 'cannot set this mode in sidecar ingress tls'));
  out.push(...validateServerTLS(path, tls));
  return out;
}

function egressPort(path: string, eg: Obj): ValidationIssue[] {
  const port = isObj(eg.port) ? eg.port : {};
  const bind = str(eg.bind);
  const capture = str(eg.captureMode) || 'DEFAULT';
  const n = num(port.number) ?? 0;
  const out = portBasics(at(path, 'port'), port, n !== 0);
  if (n === 0) {
    if (!bind.startsWith('unix://')) out.push(invalid(at(path, 'bind'), bind, 'sidecar: ports with 0 value must have a unix domain socket bind address'));
    else {
      const err = checkUnixAddress(bind.slice('unix://'.length));
      if (err) out.push(invalid(at(path, 'bind'), bind, err));
    }
    if (capture !== 'DEFAULT' && capture !== 'NONE') out.push(invalid(at(path, 'captureMode'), capture, 'sidecar: captureMode must be DEFAULT/NONE for unix domain socket listeners'));
  } else if (bind !== '') {
    const err = checkIP(bind);
    if (err) out.push(invalid(at(path, 'bind'), bind, err));
  }
  return out;
}

function egressHosts(path: string, hosts: string[], namespace: string): ValidationIssue[] {
  if (hosts.length === 0) return [required(path, 'sidecar: egress listener must contain at least one host')];
  const out: ValidationIssue[] = [];
  const byNs = new Map<string, Set<string>>();
  hosts.forEach((h, i) => {
    const slash = h.indexOf('/');
    if (slash >= 0) {
      const ns = h.slice(0, slash) === '.' ? namespace : h.slice(0, slash);
      const svc = h.slice(slash + 1);
      const set = byNs.get(ns) ?? new Set<string>();
      const dup = svc === '*' ? set.size > 0 : set.has(svc) || set.has('*');
      if (dup) out.push(warning(at(path, i), 'duplicated egress host', h));
      set.add(svc);
      byNs.set(ns, set);
    }
    for (const err of checkNamespaceScopedHost(h, false)) out.push(invalid(at(path, i), h, err));
  });
  if (byNs.get('*')?.has('*') && byNs.size !== 1) out.push(warning(path, '`*/*` host select all resources, no other hosts can be added'));
  return out;
}

function validateEgress(list: unknown, namespace: string): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  const items = arr(list);
  const ports = new Set<number>();
  const sockets = new Set<string>();
  let catchAll = false;
  items.forEach((eg, i) => {
    const p = at('spec.egress', i);
    if (!isObj(eg)) return void out.push(required(p, 'egress listener may not be null'));
    if (!present(eg.port)) {
      if (catchAll) return void out.push(issue(at(p, 'port'), 'Forbidden', 'sidecar: egress can have only one listener with empty port'));
      if (i === items.length - 1) catchAll = true;
      else out.push(invalid(at(p, 'port'), null, 'sidecar: the egress listener with empty port should be the last listener in the list'));
    } else {
      out.push(...egressPort(p, eg));
      const n = isObj(eg.port) ? num(eg.port.number) ?? 0 : 0;
      const key = n === 0 ? str(eg.bind) : String(n);
      const seen = n === 0 ? sockets : ports;
      if ((n === 0 && sockets.has(key)) || (n !== 0 && ports.has(n))) {
        out.push(issue(at(p, 'port'), 'Duplicate value', n === 0 ? 'sidecar: unix domain socket values for listeners must be unique' : 'sidecar: ports on IP bound listeners must be unique', key));
      }
      if (seen === sockets) sockets.add(key);
      else ports.add(n);
    }
    out.push(...egressHosts(at(p, 'hosts'), arr(eg.hosts).map(str), namespace));
  });
  return out;
}

function outboundPolicy(policy: unknown): ValidationIssue[] {
  if (!isObj(policy) || !present(policy.egressProxy)) return [];
  const path = 'spec.outboundTrafficPolicy.egressProxy';
  if ((str(policy.mode) || 'REGISTRY_ONLY') !== 'ALLOW_ANY') {
    return [issue(path, 'Forbidden', 'sidecar: egressProxy must be set only with ALLOW_ANY outboundTrafficPolicy mode')];
  }
  const proxy = isObj(policy.egressProxy) ? policy.egressProxy : {};
  const out: ValidationIssue[] = [];
  const hostErr = checkFQDN(str(proxy.host));
  if (hostErr) out.push(invalid(at(path, 'host'), str(proxy.host), hostErr));
  if (!present(proxy.port)) return [...out, required(at(path, 'port'), 'sidecar: egressProxy port must be non-nil')];
  return [...out, ...validateDestination(path, proxy)];
}

export function validateSidecar(obj: ConfigObject, _ctx: SemanticContext): ValidationIssue[] {
  const spec: Obj = isObj(obj.spec) ? obj.spec : {};
  const out = validateSelector('spec.workloadSelector', spec.workloadSelector, 'labels', 'sidecar');
  if (out.some((i) => i.severity === 'error')) return out;
  if (arr(spec.egress).length === 0 && arr(spec.ingress).length === 0 && !present(spec.outboundTrafficPolicy) && !present(spec.inboundConnectionPool)) {
    return [...out, required('spec', 'sidecar: empty configuration provided')];
  }
  out.push(...validateIngress(spec.ingress));
  out.push(...validateConnectionPool('spec.inboundConnectionPool', spec.inboundConnectionPool));
  out.push(...validateEgress(spec.egress, obj.metadata?.namespace ?? ''));
  out.push(...outboundPolicy(spec.outboundTrafficPolicy));
  return out;
}
