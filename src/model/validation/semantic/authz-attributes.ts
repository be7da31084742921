/** AuthorizationPolicy condition keys, IP lists, port lists and path templates. */
import { invalid, type ValidationIssue } from '../../../lib/issue.js';
import { arr, str, at } from '../rules/index.js';
import { checkCIDR, checkIP } from '../rules/index.js';

function ipError(v: string): string | undefined {
  return v.includes('/') ? (checkCIDR(v) ? `bad CIDR range (${v})` : undefined) : checkIP(v) ? `bad IP address (${v})` : undefined;
}

export function checkIPList(path: string, list: unknown): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  arr(list).forEach((v, i) => {
    const err = ipError(str(v));
    if (err) out.push(invalid(at(path, i), v, err));
  });
  return out;
}

function portError(v: string): string | undefined {
  return /^\d+$/.test(v) && Number(v) <= 65535 ? undefined : `bad port (${v})`;
}

export function checkPortList(path: string, list: unknown): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  arr(list).forEach((v, i) => {
    const err = portError(str(v));
    if (err) out.push(invalid(at(path, i), v, err));
  });
  return out;
}

// Path templates may use {*} and {**} only: no named variables, no bare * or ** segments.
const UNSUPPORTED_TEMPLATE = /\/\{\w+=\*\*?\}|\{\w*\}|\/\*\*?|\*\*?\//;

export function checkPathTemplates(path: string, list: unknown): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  arr(list).forEach((v, i) => {
    const s = str(v);
    const isTemplate = s.includes('{*}') || s.includes('{**}');
    if (isTemplate && UNSUPPORTED_TEMPLATE.test(s)) out.push(invalid(at(path, i), s, 'invalid or unsupported path template'));
  });
  return out;
}

function mapKeyError(key: string): string | undefined {
  const open = key.indexOf('[');
  return key.endsWith(']') && open > 0 && open < key.length - 2 ? undefined : `bad key (${key}): should have format a[b]`;
}

const PLAIN_KEYS = new Set(['source.namespace', 'source.principal', 'request.auth.principal', 'request.auth.audiences', 'request.auth.presenter', 'connection.sni', 'source.trustDomain']);
const IP_KEYS = new Set(['source.ip', 'remote.ip', 'destination.ip']);

/** Istio's supported `when` keys and what their values must look like. */
export function checkAttribute(key: string, values: readonly string[]): string | undefined {
  if (values.some((v) => v === '')) return `empty value not allowed, found in ${key}`;
  if (key.startsWith('request.headers') || key.startsWith('request.auth.claims') || key.startsWith('experimental.envoy.filters.')) return mapKeyError(key);
  if (IP_KEYS.has(key)) return values.map(ipError).find((e) => e !== undefined);
  if (key === 'destination.port') return values.map(portError).find((e) => e !== undefined);
  if (PLAIN_KEYS.has(key)) return undefined;
  if (key === 'destination.namespace') return `attribute ${key} is replaced by the metadata.namespace`;
  if (key.startsWith('destination.labels')) return `attribute ${key} is replaced by the workload selector`;
  if (key === 'destination.name' || key === 'destination.user') return `deprecated attribute ${key}: only supported in v1alpha1`;
  return `unknown attribute: ${key}`;
}
