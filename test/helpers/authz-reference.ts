/**
 * A reference evaluator of AuthorizationPolicy semantics, written from Istio's documentation and
 * independent of the compiler (no Envoy shapes, no regexes): decides allow/deny for one request
 * or TCP connection against the policies that apply to a workload.
 *
 * Semantics: CUSTOM (enforced as deny until ext_authz exists) → DENY → ALLOW; no enforced ALLOW
 * policy = allow; ALLOW policies present but none matching = deny; dry-run and AUDIT policies
 * never change the decision. A rule matches when some `from` matches (or there is none), some
 * `to` matches (or there is none) and every `when` holds; within a source/operation every field
 * must hold (a value list: one value matches; a not-list: none matches). Values: `*` alone is
 * "any non-empty", leading `*` a suffix, trailing `*` a prefix; hosts ignore case and a host
 * without a port covers every port of that host; header `*` is presence. On TCP connections HTTP-only fields make an ALLOW rule never match and are ignored
 * in other rules.
 */
import type { AuthorizationRule, Condition, Operation, Source } from '../../src/model/types/security.js';

export interface RefPolicy {
  readonly namespace: string;
  readonly name: string;
  readonly action: 'ALLOW' | 'DENY' | 'AUDIT' | 'CUSTOM';
  readonly rules?: readonly AuthorizationRule[];
  readonly dryRun?: boolean;
}

export type Claims = { readonly [k: string]: string | readonly string[] | Claims };

export interface RefRequest {
  readonly tcp: boolean;
  /** Peer identity without `spiffe://` (`<td>/ns/<ns>/sa/<sa>`); undefined without mTLS. */
  readonly principal?: string;
  readonly sourceIp: string;
  readonly remoteIp: string;
  readonly destinationIp: string;
  readonly destinationPort: number;
  readonly sni?: string;
  readonly method: string;
  readonly host: string;
  /** Already normalized by the connection manager, without the query. */
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly auth?: { readonly issuer: string; readonly subject: string; readonly audiences?: string; readonly presenter?: string; readonly claims?: Claims };
}

export function wildcardMatch(pattern: string, value: string | undefined, ignoreCase = false): boolean {
  if (value === undefined) return false;
  const p = ignoreCase ? pattern.toLowerCase() : pattern;
  const v = ignoreCase ? value.toLowerCase() : value;
  if (p === '*') return v.length > 0;
  if (p.startsWith('*')) return v.endsWith(p.slice(1));
  if (p.endsWith('*')) return v.startsWith(p.slice(0, -1));
  return v === p;
}

function ipToBigInt(ip: string): { v: bigint; bits: number } | undefined {
  if (ip.includes(':')) {
    const [head = '', tail = ''] = ip.split('::');
    const h = head ? head.split(':') : [];
    const t = ip.includes('::') ? (tail ? tail.split(':') : []) : [];
    const groups = ip.includes('::') ? [...h, ...Array(8 - h.length - t.length).fill('0'), ...t] : ip.split(':');
    return { v: groups.reduce((acc, g) => (acc << 16n) + BigInt(parseInt(g || '0', 16)), 0n), bits: 128 };
  }
  const parts = ip.split('.').map(Number);
  return parts.length === 4 ? { v: parts.reduce((acc, n) => (acc << 8n) + BigInt(n), 0n), bits: 32 } : undefined;
}

export function inCidr(cidr: string, ip: string): boolean {
  const [base = '', len] = cidr.split('/');
  const a = ipToBigInt(base), b = ipToBigInt(ip);
  if (!a || !b || a.bits !== b.bits) return false;
  const prefix = BigInt(len === undefined ? a.bits : Number(len));
  const shift = BigInt(a.bits) - prefix;
  return a.v >> shift === b.v >> shift;
}

/** Namespace and service account of a `<td>/ns/<ns>/sa/<sa>` identity. */
function identityParts(principal: string | undefined): { ns: string; sa: string } | undefined {
  const m = principal ? /^[^/]+\/ns\/([^/]+)\/sa\/([^/]+)$/.exec(principal) : null;
  return m ? { ns: m[1]!, sa: m[2]! } : undefined;
}

function serviceAccountMatch(policyNs: string, value: string, principal: string | undefined): boolean {
  const id = identityParts(principal);
  const [ns, sa] = value.includes('/') ? value.split('/', 2) : [policyNs, value];
  return id !== undefined && id.ns === ns && id.sa === sa;
}

function claimAt(claims: Claims | undefined, path: readonly string[]): readonly string[] | undefined {
  let cur: Claims | string | readonly string[] | undefined = claims;
  for (const k of path) {
    if (cur === undefined || typeof cur === 'string' || Array.isArray(cur)) return undefined;
    cur = (cur as Claims)[k];
  }
  if (typeof cur === 'string') return [cur];
  return Array.isArray(cur) ? (cur as readonly string[]) : undefined;
}

type Check = (value: string) => boolean;
/** A predicate per value, or 'http' when the attribute only exists on HTTP requests. */
type Attr = { readonly check: Check; readonly httpOnly: boolean };

const names = (key: string) => [...key.matchAll(/\[([^\]]+)\]/g)].map((m) => m[1]!);

function whenAttr(key: string, r: RefRequest, policyNs: string): Attr {
  const requestPrincipal = r.auth ? `${r.auth.issuer}/${r.auth.subject}` : undefined;
  const id = identityParts(r.principal);
  const plain: Record<string, Attr> = {
    'source.ip': { check: (v) => inCidr(v, r.sourceIp), httpOnly: false },
    'remote.ip': { check: (v) => inCidr(v, r.remoteIp), httpOnly: false },
    'destination.ip': { check: (v) => inCidr(v, r.destinationIp), httpOnly: false },
    'destination.port': { check: (v) => Number(v) === r.destinationPort, httpOnly: false },
    'connection.sni': { check: (v) => wildcardMatch(v, r.sni), httpOnly: false },
    'source.namespace': { check: (v) => id !== undefined && wildcardMatch(v, id.ns), httpOnly: false },
    'source.principal': { check: (v) => wildcardMatch(v, r.principal), httpOnly: false },
    'source.serviceAccount': { check: (v) => serviceAccountMatch(policyNs, v, r.principal), httpOnly: false },
    'request.auth.principal': { check: (v) => wildcardMatch(v, requestPrincipal), httpOnly: true },
    'request.auth.audiences': { check: (v) => wildcardMatch(v, r.auth?.audiences), httpOnly: true },
    'request.auth.presenter': { check: (v) => wildcardMatch(v, r.auth?.presenter), httpOnly: true },
  };
  if (plain[key]) return plain[key]!;
  if (key.startsWith('request.headers[')) {
    const h = r.headers[names(key)[0]!.toLowerCase()];
    return { check: (v) => (v === '*' ? h !== undefined : wildcardMatch(v, h)), httpOnly: true };
  }
  if (key.startsWith('request.auth.claims[')) {
    const values = claimAt(r.auth?.claims, names(key));
    return { check: (v) => (values ?? []).some((c) => wildcardMatch(v, c)), httpOnly: true };
  }
  throw new Error(`reference evaluator: unsupported key ${key}`);
}

interface Field { readonly attr: Attr; readonly values?: readonly string[]; readonly notValues?: readonly string[] }

function sourceFields(s: Source, r: RefRequest, policyNs: string): Field[] {
  const requestPrincipal = r.auth ? `${r.auth.issuer}/${r.auth.subject}` : undefined;
  const id = identityParts(r.principal);
  const a = (check: Check, httpOnly = false): Attr => ({ check, httpOnly });
  return [
    { attr: a((v) => wildcardMatch(v, r.principal)), values: s.principals, notValues: s.notPrincipals },
    { attr: a((v) => wildcardMatch(v, requestPrincipal), true), values: s.requestPrincipals, notValues: s.notRequestPrincipals },
    { attr: a((v) => id !== undefined && wildcardMatch(v, id.ns)), values: s.namespaces, notValues: s.notNamespaces },
    { attr: a((v) => serviceAccountMatch(policyNs, v, r.principal)), values: s.serviceAccounts, notValues: s.notServiceAccounts },
    { attr: a((v) => inCidr(v, r.sourceIp)), values: s.ipBlocks, notValues: s.notIpBlocks },
    { attr: a((v) => inCidr(v, r.remoteIp)), values: s.remoteIpBlocks, notValues: s.notRemoteIpBlocks },
  ];
}

/** `host[:port]` (RFC 3986: the port follows the last colon and is digits; `[v6]` keeps its brackets). */
export function splitHostPort(authority: string): { host: string; port?: string } {
  const m = /^(.*):([0-9]+)$/s.exec(authority);
  return m ? { host: m[1]!, port: m[2]! } : { host: authority };
}

/**
 * A `hosts` value against the request's Host (case-insensitive): a value naming a port
 * (`h:80`, `h:*`) is compared with the whole Host, one without a port with the Host's name, so
 * `example.com` covers `example.com:80` and `example.com:80` covers only that port.
 */
export function hostMatch(value: string, authority: string): boolean {
  if (value === '*') return true;
  const bracket = value.startsWith('[') ? value.indexOf(']') : -1;
  const valueHasPort = value.indexOf(':', bracket + 1) >= 0;
  return wildcardMatch(value, valueHasPort ? authority : splitHostPort(authority).host, true);
}

function operationFields(o: Operation, r: RefRequest): Field[] {
  const a = (check: Check, httpOnly = true): Attr => ({ check, httpOnly });
  return [
    { attr: a((v) => hostMatch(v, r.host)), values: o.hosts, notValues: o.notHosts },
    { attr: a((v) => (v === '*' ? true : wildcardMatch(v, r.method))), values: o.methods, notValues: o.notMethods },
    { attr: a((v) => wildcardMatch(v, r.path)), values: o.paths, notValues: o.notPaths },
    { attr: a((v) => Number(v) === r.destinationPort, false), values: o.ports, notValues: o.notPorts },
  ];
}

const used = (f: Field) => (f.values?.length ?? 0) + (f.notValues?.length ?? 0) > 0;

/** Whether every used field holds; HTTP-only fields on TCP count as holding (they were removed). */
function allHold(fields: readonly Field[], tcp: boolean): boolean {
  return fields.filter(used).every((f) => {
    if (tcp && f.attr.httpOnly) return true;
    const yes = !f.values?.length || f.values.some(f.attr.check);
    const no = !f.notValues?.length || !f.notValues.some(f.attr.check);
    return yes && no;
  });
}

function ruleFields(rule: AuthorizationRule, r: RefRequest, ns: string): { froms: Field[][]; tos: Field[][]; when: Field[] } {
  const when = (rule.when ?? []).map((c: Condition) => ({ attr: whenAttr(c.key, r, ns), values: c.values, notValues: c.notValues }));
  return {
    froms: (rule.from ?? []).map((f) => sourceFields(f.source, r, ns)),
    tos: (rule.to ?? []).map((t) => operationFields(t.operation, r)),
    when,
  };
}

export function ruleMatches(rule: AuthorizationRule, r: RefRequest, policy: Pick<RefPolicy, 'namespace' | 'action'>): boolean {
  const { froms, tos, when } = ruleFields(rule, r, policy.namespace);
  const everything = [...froms.flat(), ...tos.flat(), ...when];
  if (r.tcp && policy.action === 'ALLOW' && everything.some((f) => used(f) && f.attr.httpOnly)) return false;
  const fromOk = froms.length === 0 || froms.some((f) => allHold(f, r.tcp));
  const toOk = tos.length === 0 || tos.some((t) => allHold(t, r.tcp));
  return fromOk && toOk && allHold(when, r.tcp);
}

const policyMatches = (p: RefPolicy, r: RefRequest) => (p.rules ?? []).some((rule) => ruleMatches(rule, r, p));

export function decide(policies: readonly RefPolicy[], r: RefRequest): 'allow' | 'deny' {
  const enforced = policies.filter((p) => !p.dryRun);
  if (enforced.some((p) => (p.action === 'CUSTOM' || p.action === 'DENY') && policyMatches(p, r))) return 'deny';
  const allows = enforced.filter((p) => p.action === 'ALLOW');
  if (allows.length === 0) return 'allow';
  return allows.some((p) => policyMatches(p, r)) ? 'allow' : 'deny';
}
