/**
 * The Kubernetes Gateway API kinds. Their CRD schemas are not shipped here (users install them
 * from the Gateway API project, and the API server enforces them), so this checks, with field
 * paths, the fields the conversion reads — required names, enums, ports, hostnames, paths,
 * RE2 regexes, weights, durations — and accepts every other field as it is.
 */
import type { ConfigObject } from '../../config.js';
import { invalid, issue, required, type ValidationIssue } from '../../../lib/issue.js';
import { arr, at, isObj, num, optStr, str, checkPort, isDNS1123Label, validateRegex, type Obj } from '../rules/index.js';

const oneOf = (path: string, value: unknown, allowed: readonly string[]): ValidationIssue[] =>
  value === undefined || allowed.includes(str(value)) ? [] : [issue(path, 'Unsupported value', `supported values: ${allowed.map((a) => `"${a}"`).join(', ')}`, value)];

const need = (path: string, value: unknown, what: string): ValidationIssue[] => (str(value) === '' ? [required(path, `${what} is required`)] : []);

/** Gateway API hostnames: a DNS name, optionally with one leading `*.` label; never an IP. */
function checkHostname(path: string, value: unknown): ValidationIssue[] {
  const host = str(value);
  const bare = host.startsWith('*.') ? host.slice(2) : host;
  if (host.length > 253 || bare === '' || !bare.split('.').every(isDNS1123Label) || /^[0-9.]+$/.test(bare)) {
    return [invalid(path, value, 'must be a DNS name with an optional leading "*." label, not an IP address')];
  }
  return [];
}

const DURATION = /^([0-9]{1,5}(h|m|s|ms)){1,4}$/;
const checkDuration = (path: string, v: unknown) => (v === undefined || DURATION.test(str(v)) ? [] : [invalid(path, v, 'must be a Gateway API duration such as 10s, 1m30s or 500ms')]);

function checkPortField(path: string, v: unknown, isRequired: boolean): ValidationIssue[] {
  if (v === undefined) return isRequired ? [required(path, 'port is required')] : [];
  const err = checkPort(num(v) ?? -1);
  return err ? [invalid(path, v, err)] : [];
}

function validateGatewayClass(spec: Obj): ValidationIssue[] {
  const out = need('spec.controllerName', spec.controllerName, 'controllerName');
  if (out.length === 0 && !str(spec.controllerName).includes('/')) out.push(invalid('spec.controllerName', spec.controllerName, 'must be a domain-prefixed path such as istio.io/gateway-controller'));
  return out;
}

function validateListener(path: string, l: unknown, names: Set<string>): ValidationIssue[] {
  if (!isObj(l)) return [invalid(path, l, 'must be an object')];
  const out: ValidationIssue[] = [...need(at(path, 'name'), l.name, 'listener name'), ...checkPortField(at(path, 'port'), l.port, true), ...need(at(path, 'protocol'), l.protocol, 'protocol')];
  const name = str(l.name);
  if (name !== '' && names.has(name)) out.push(issue(at(path, 'name'), 'Duplicate value', 'listener names must be unique', name));
  names.add(name);
  if (l.hostname !== undefined) out.push(...checkHostname(at(path, 'hostname'), l.hostname));
  if (isObj(l.tls)) {
    out.push(...oneOf(at(path, 'tls.mode'), l.tls.mode, ['Terminate', 'Passthrough']));
    arr(l.tls.certificateRefs).forEach((r, i) => out.push(...need(`${path}.tls.certificateRefs[${i}].name`, isObj(r) ? r.name : undefined, 'certificateRef name')));
  } else if (l.protocol === 'HTTPS') out.push(required(at(path, 'tls'), 'an HTTPS listener needs tls'));
  const ns = isObj(l.allowedRoutes) && isObj(l.allowedRoutes.namespaces) ? l.allowedRoutes.namespaces : undefined;
  if (ns) {
    out.push(...oneOf(`${path}.allowedRoutes.namespaces.from`, ns.from, ['All', 'Same', 'Selector']));
    if (ns.from === 'Selector' && !isObj(ns.selector)) out.push(required(`${path}.allowedRoutes.namespaces.selector`, 'from: Selector needs a selector'));
  }
  if (isObj(l.allowedRoutes)) arr(l.allowedRoutes.kinds).forEach((k, i) => out.push(...need(`${path}.allowedRoutes.kinds[${i}].kind`, isObj(k) ? k.kind : undefined, 'kind')));
  return out;
}

function validateGateway(spec: Obj): ValidationIssue[] {
  const out = need('spec.gatewayClassName', spec.gatewayClassName, 'gatewayClassName');
  const listeners = arr(spec.listeners);
  if (listeners.length === 0) out.push(required('spec.listeners', 'at least one listener is required'));
  if (listeners.length > 64) out.push(issue('spec.listeners', 'Too many', 'at most 64 listeners', listeners.length));
  const names = new Set<string>();
  listeners.forEach((l, i) => out.push(...validateListener(`spec.listeners[${i}]`, l, names)));
  return out;
}

function validateBackendRef(path: string, ref: unknown): ValidationIssue[] {
  if (!isObj(ref)) return [invalid(path, ref, 'must be an object')];
  const out = need(at(path, 'name'), ref.name, 'backendRef name');
  const isService = (ref.kind === undefined || ref.kind === 'Service') && (ref.group === undefined || ref.group === '' || ref.group === 'core');
  out.push(...checkPortField(at(path, 'port'), ref.port, isService));
  const weight = ref.weight;
  if (weight !== undefined && (!Number.isInteger(weight) || (weight as number) < 0 || (weight as number) > 1_000_000)) out.push(invalid(at(path, 'weight'), weight, 'must be an integer between 0 and 1000000'));
  return out;
}

function validateStringMatches(path: string, list: unknown): ValidationIssue[] {
  return arr(list).flatMap((m, i) => {
    const p = `${path}[${i}]`;
    if (!isObj(m)) return [invalid(p, m, 'must be an object')];
    const out = [...need(at(p, 'name'), m.name, 'name'), ...oneOf(at(p, 'type'), m.type, ['Exact', 'RegularExpression'])];
    if (m.type === 'RegularExpression') out.push(...validateRegex(at(p, 'value'), str(m.value)));
    return out;
  });
}

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH'];

function validateHttpMatch(path: string, m: Obj): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  if (isObj(m.path)) {
    out.push(...oneOf(`${path}.path.type`, m.path.type, ['Exact', 'PathPrefix', 'RegularExpression']));
    const value = optStr(m.path.value);
    if (m.path.type === 'RegularExpression') out.push(...validateRegex(`${path}.path.value`, value ?? ''));
    else if (value !== undefined && !value.startsWith('/')) out.push(invalid(`${path}.path.value`, value, 'must be an absolute path starting with "/"'));
  }
  out.push(...validateStringMatches(`${path}.headers`, m.headers), ...validateStringMatches(`${path}.queryParams`, m.queryParams), ...oneOf(`${path}.method`, m.method, METHODS));
  return out;
}

const FILTER_FIELDS: Readonly<Record<string, string>> = {
  RequestHeaderModifier: 'requestHeaderModifier', ResponseHeaderModifier: 'responseHeaderModifier', RequestRedirect: 'requestRedirect',
  URLRewrite: 'urlRewrite', RequestMirror: 'requestMirror', ExtensionRef: 'extensionRef', CORS: 'cors',
};

function validateFilters(path: string, list: unknown): ValidationIssue[] {
  return arr(list).flatMap((f, i) => {
    const p = `${path}[${i}]`;
    if (!isObj(f)) return [invalid(p, f, 'must be an object')];
    if (str(f.type) === '') return [required(at(p, 'type'), 'filter type is required')];
    // A type from a newer Gateway API is kept: the conversion marks the route InvalidFilter in its status.
    const field = FILTER_FIELDS[str(f.type)];
    if (!field) return [];
    const body = f[field];
    if (!isObj(body)) return [required(at(p, field), `filter type ${str(f.type)} needs ${field}`)];
    const out: ValidationIssue[] = [];
    if (f.type === 'RequestRedirect') out.push(...oneOf(`${p}.${field}.statusCode`, body.statusCode === undefined ? undefined : String(body.statusCode), ['301', '302']), ...checkPortField(`${p}.${field}.port`, body.port, false));
    if (f.type === 'RequestMirror') out.push(...validateBackendRef(`${p}.${field}.backendRef`, body.backendRef));
    if (isObj(body.path)) out.push(...oneOf(`${p}.${field}.path.type`, body.path.type, ['ReplaceFullPath', 'ReplacePrefixMatch']));
    return out;
  });
}

/** HTTPRoute retry: codes are HTTP error statuses (400–599), attempts ≥ 0, backoff a duration. */
function validateRetry(path: string, retry: Obj): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  arr(retry.codes).forEach((c, i) => {
    if (!Number.isInteger(c) || (c as number) < 400 || (c as number) > 599) out.push(invalid(`${path}.codes[${i}]`, c, 'must be an HTTP status code from 400 to 599'));
  });
  if (retry.attempts !== undefined && (!Number.isInteger(retry.attempts) || (retry.attempts as number) < 0)) out.push(invalid(`${path}.attempts`, retry.attempts, 'must be a non-negative integer'));
  out.push(...checkDuration(`${path}.backoff`, retry.backoff));
  return out;
}

function validateRoute(kind: string, spec: Obj): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  const parents = arr(spec.parentRefs);
  if (parents.length > 32) out.push(issue('spec.parentRefs', 'Too many', 'at most 32 parentRefs', parents.length));
  parents.forEach((p, i) => out.push(...need(`spec.parentRefs[${i}].name`, isObj(p) ? p.name : undefined, 'parentRef name'), ...checkPortField(`spec.parentRefs[${i}].port`, isObj(p) ? p.port : undefined, false)));
  arr(spec.hostnames).forEach((h, i) => out.push(...checkHostname(`spec.hostnames[${i}]`, h)));
  arr(spec.rules).forEach((rule, r) => {
    const p = `spec.rules[${r}]`;
    if (!isObj(rule)) return void out.push(invalid(p, rule, 'must be an object'));
    arr(rule.backendRefs).forEach((b, i) => out.push(...validateBackendRef(`${p}.backendRefs[${i}]`, b)));
    if (kind === 'TCPRoute' || kind === 'TLSRoute') return;
    out.push(...validateFilters(`${p}.filters`, rule.filters));
    arr(rule.matches).forEach((m, i) => {
      const mp = `${p}.matches[${i}]`;
      if (!isObj(m)) return void out.push(invalid(mp, m, 'must be an object'));
      if (kind === 'HTTPRoute') return void out.push(...validateHttpMatch(mp, m));
      out.push(...validateStringMatches(`${mp}.headers`, m.headers));
      if (isObj(m.method)) out.push(...oneOf(`${mp}.method.type`, m.method.type, ['Exact', 'RegularExpression']));
    });
    if (isObj(rule.timeouts)) out.push(...checkDuration(`${p}.timeouts.request`, rule.timeouts.request), ...checkDuration(`${p}.timeouts.backendRequest`, rule.timeouts.backendRequest));
    if (isObj(rule.retry)) out.push(...validateRetry(`${p}.retry`, rule.retry));
  });
  return out;
}

function validateReferenceGrant(spec: Obj): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  const from = arr(spec.from);
  const to = arr(spec.to);
  if (from.length === 0) out.push(required('spec.from', 'at least one from entry is required'));
  if (to.length === 0) out.push(required('spec.to', 'at least one to entry is required'));
  from.forEach((f, i) => out.push(...need(`spec.from[${i}].kind`, isObj(f) ? f.kind : undefined, 'kind'), ...need(`spec.from[${i}].namespace`, isObj(f) ? f.namespace : undefined, 'namespace')));
  to.forEach((t, i) => out.push(...need(`spec.to[${i}].kind`, isObj(t) ? t.kind : undefined, 'kind')));
  return out;
}

function validateBackendTLSPolicy(spec: Obj): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  if (arr(spec.targetRefs).length === 0) out.push(required('spec.targetRefs', 'at least one targetRef is required'));
  arr(spec.targetRefs).forEach((t, i) => out.push(...need(`spec.targetRefs[${i}].name`, isObj(t) ? t.name : undefined, 'name'), ...need(`spec.targetRefs[${i}].kind`, isObj(t) ? t.kind : undefined, 'kind')));
  const validation = isObj(spec.validation) ? spec.validation : undefined;
  if (!validation) out.push(required('spec.validation', 'validation is required'));
  else out.push(...need('spec.validation.hostname', validation.hostname, 'hostname'));
  return out;
}

export function validateGatewayApi(obj: ConfigObject): ValidationIssue[] {
  const spec = obj.spec as Obj;
  switch (obj.kind) {
    case 'GatewayClass': return validateGatewayClass(spec);
    case 'KubernetesGateway': return validateGateway(spec);
    case 'HTTPRoute': case 'GRPCRoute': case 'TCPRoute': case 'TLSRoute': return validateRoute(obj.kind, spec);
    case 'ReferenceGrant': return validateReferenceGrant(spec);
    case 'BackendTLSPolicy': return validateBackendTLSPolicy(spec);
    default: return [];
  }
}
