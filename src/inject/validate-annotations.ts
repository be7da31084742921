/**
 * Checks the injection annotations Istio validates before rendering (validateAnnotations), so a
 * typo fails the injection with the annotation's path instead of producing a broken pod.
 */
import { invalid, type ValidationIssue } from '../lib/issue.js';
import { A, parseGoBool } from './annotations.js';

const path = (name: string): string => `metadata.annotations[${name}]`;

function portList(value: string, allowStar: boolean): string | undefined {
  if (allowStar && value.trim() === '*') return undefined;
  for (const part of value.split(',').map((p) => p.trim()).filter(Boolean)) {
    if (!/^\d+$/.test(part) || Number(part) < 1 || Number(part) > 65535) return `"${part}" is not a port (1-65535)`;
  }
  return undefined;
}

function ipv4Cidr(s: string): boolean {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(s);
  return !!m && m.slice(1, 5).every((o) => Number(o) <= 255) && Number(m[5]) <= 32;
}

function ipv6Cidr(s: string): boolean {
  const [addr, bits, extra] = s.split('/');
  if (extra !== undefined || !addr || !bits || !/^\d{1,3}$/.test(bits) || Number(bits) > 128) return false;
  return /^[0-9a-fA-F:.]+$/.test(addr) && addr.includes(':') && (addr.match(/::/g) ?? []).length <= 1;
}

function cidrList(value: string): string | undefined {
  if (value.trim() === '*' || value.trim() === '') return undefined;
  for (const part of value.split(',').map((p) => p.trim()).filter(Boolean)) {
    if (!ipv4Cidr(part) && !ipv6Cidr(part)) return `"${part}" is not a CIDR such as 10.0.0.0/8`;
  }
  return undefined;
}

function quantity(value: string): string | undefined {
  return /^[+]?(\d+(\.\d*)?|\.\d+)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei|e\d+|E\d+)?$/.test(value) ? undefined : 'must be a Kubernetes quantity such as 100m or 128Mi';
}

function nonNegativeInt(value: string): string | undefined {
  return /^\d+$/.test(value) ? undefined : 'must be a whole number';
}

const CHECKS: Readonly<Record<string, (v: string) => string | undefined>> = {
  [A.interceptionMode]: (v) => (['REDIRECT', 'TPROXY', 'NONE'].includes(v) ? undefined : 'must be REDIRECT, TPROXY or NONE'),
  [A.includeInboundPorts]: (v) => portList(v, true),
  [A.excludeInboundPorts]: (v) => portList(v, false),
  [A.includeOutboundPorts]: (v) => portList(v, false),
  [A.excludeOutboundPorts]: (v) => portList(v, false),
  [A.includeOutboundIPRanges]: cidrList,
  [A.excludeOutboundIPRanges]: cidrList,
  [A.statusPort]: (v) => (/^\d+$/.test(v) && Number(v) <= 65535 ? undefined : 'must be a port (0 disables the status port)'),
  [A.readinessInitialDelay]: nonNegativeInt,
  [A.readinessPeriod]: nonNegativeInt,
  [A.readinessFailureThreshold]: nonNegativeInt,
  [A.proxyCPU]: quantity,
  [A.proxyMemory]: quantity,
  [A.proxyCPULimit]: quantity,
  [A.proxyMemoryLimit]: quantity,
  [A.rewriteAppHTTPProbers]: (v) => (parseGoBool(v) === undefined ? 'must be true or false' : undefined),
  [A.nativeSidecar]: (v) => (parseGoBool(v) === undefined ? 'must be true or false' : undefined),
  [A.mergeMetrics]: (v) => (parseGoBool(v) === undefined ? 'must be true or false' : undefined),
  [A.userVolume]: (v) => jsonMap(v),
  [A.userVolumeMount]: (v) => jsonMap(v),
};

function jsonMap(v: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(v);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? undefined : 'must be a JSON map of name to object';
  } catch {
    return 'must be a JSON map of name to object';
  }
}

export function validateInjectAnnotations(annotations: Readonly<Record<string, string>>): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  for (const [name, check] of Object.entries(CHECKS)) {
    const value = annotations[name];
    if (value === undefined) continue;
    const problem = check(value);
    if (problem) out.push(invalid(path(name), value, problem));
  }
  return out;
}

/** The pod fields injection rewrites must be well formed (the API server would insist too). */
export function validatePodShape(spec: Readonly<Record<string, unknown>>): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  for (const field of ['containers', 'initContainers', 'volumes', 'imagePullSecrets']) {
    const list = spec[field];
    if (list === undefined || list === null) continue;
    if (!Array.isArray(list)) { out.push(invalid(`spec.${field}`, list, 'must be a list')); continue; }
    list.forEach((item, i) => {
      if (typeof item !== 'object' || item === null || Array.isArray(item)) out.push(invalid(`spec.${field}[${i}]`, item, 'must be a map'));
      else if (typeof (item as { name?: unknown }).name !== 'string') out.push(invalid(`spec.${field}[${i}].name`, (item as { name?: unknown }).name ?? null, 'must be a string'));
    });
  }
  return out;
}
