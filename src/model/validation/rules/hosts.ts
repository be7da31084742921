/**
 * Host names as Istio checks them: DNS-1123 labels (upper case allowed), FQDNs, a leading `*`
 * wildcard label, `namespace/host` for Gateway and Sidecar, and Istio's wildcard matching.
 */
import { isIP } from 'node:net';

const DNS1123_LABEL = /^[a-zA-Z0-9](?:[-a-zA-Z0-9]*[a-zA-Z0-9])?$/;
const WILDCARD_LABEL = /^(?:\*|(?:\*|\*-)?[a-zA-Z0-9](?:[-a-zA-Z0-9]*[a-zA-Z0-9])?)$/;
const MAX_LABEL = 63;
const MAX_NAME = 255;

export function isDNS1123Label(v: string): boolean {
  return v.length <= MAX_LABEL && DNS1123_LABEL.test(v);
}

export function isWildcardDNS1123Label(v: string): boolean {
  return v.length <= MAX_LABEL && WILDCARD_LABEL.test(v);
}

/** IPv4 or IPv6 literal (an IPv6 zone is accepted, as Go's netip does). */
export function isIPAddress(v: string): boolean {
  const zone = v.indexOf('%');
  const bare = zone > 0 && v.includes(':') ? v.slice(0, zone) : v;
  return isIP(bare) !== 0;
}

function checkPreconditions(name: string): string | undefined {
  if (name.length > MAX_NAME) return `domain name too long (max ${MAX_NAME})`;
  if (name.length === 0) return 'empty domain name not allowed';
  return undefined;
}

/** Every label a DNS-1123 label; a trailing dot is allowed; the TLD may not be all-numeric. */
export function checkDNS1123Labels(domain: string): string | undefined {
  const parts = domain.split('.');
  const tld = parts[parts.length - 1] ?? '';
  if (/^[+-]?\d+$/.test(tld)) return `domain name invalid (top level domain "${tld}" cannot be all-numeric)`;
  for (let i = 0; i < parts.length; i++) {
    const label = parts[i] ?? '';
    if (i === parts.length - 1 && label === '') return undefined;
    if (!isDNS1123Label(label)) return `domain name invalid (label "${label}" invalid)`;
  }
  return undefined;
}

/** A fully qualified (or short) domain name without wildcards. Returns why it is invalid. */
export function checkFQDN(name: string): string | undefined {
  return checkPreconditions(name) ?? checkDNS1123Labels(name);
}

/** A domain whose first label may be `*`, `*foo` or `*-foo`. Returns why it is invalid. */
export function checkWildcardDomain(domain: string): string | undefined {
  const pre = checkPreconditions(domain);
  if (pre) return pre;
  const dot = domain.indexOf('.');
  const first = dot < 0 ? domain : domain.slice(0, dot);
  if (!isWildcardDNS1123Label(first)) return `domain name invalid (label "${first}" invalid)`;
  return dot < 0 ? undefined : checkDNS1123Labels(domain.slice(dot + 1));
}

/** Like checkWildcardDomain, but SNI hosts of gateway-bound routes may be Istio's `outbound_.<port>_...` names. */
export function checkGatewayBoundDomain(domain: string, sni: boolean): string | undefined {
  const pre = checkPreconditions(domain);
  if (pre) return pre;
  const first = domain.split('.', 1)[0] ?? '';
  if (sni && first === 'outbound_') {
    return /^outbound_\.[0-8]/.test(domain) ? undefined : `domain name invalid (label "${first}" invalid)`;
  }
  return checkWildcardDomain(domain);
}

/** `*` is only allowed alone or as the whole first label (`*.example.com`). */
export function checkPartialWildcard(host: string): string | undefined {
  if (host.includes('*') && host !== '*' && !host.startsWith('*.')) return `partial wildcard "${host}" not allowed`;
  return undefined;
}

function checkScopedHostPart(host: string, isGateway: boolean): string[] {
  const out: string[] = [];
  if (host !== '*' && !host.includes('.')) out.push('short names (non FQDN) are not allowed');
  const err = checkWildcardDomain(host);
  if (err && !(isGateway && isIPAddress(host))) out.push(err);
  const partial = checkPartialWildcard(host);
  if (partial) out.push(partial);
  return out;
}

/**
 * `namespace/dnsName` hosts of Gateway servers and Sidecar egress listeners. Gateways also
 * accept a bare host (old style) and an IP; sidecars accept `~` as namespace.
 */
export function checkNamespaceScopedHost(host: string, isGateway: boolean): string[] {
  const slash = host.indexOf('/');
  if (slash < 0) {
    return isGateway ? checkScopedHostPart(host, true) : ['host must be of form namespace/dnsName'];
  }
  const ns = host.slice(0, slash);
  const name = host.slice(slash + 1);
  const out: string[] = [];
  if (ns === '' || name === '') out.push('config namespace and dnsName in host entry cannot be empty');
  const specialNs = ns === '*' || ns === '.' || (!isGateway && ns === '~');
  if (!specialNs && !isDNS1123Label(ns)) out.push(`invalid namespace value "${ns}" in ${isGateway ? 'gateway' : 'sidecar'}`);
  out.push(...checkScopedHostPart(name, isGateway));
  return out;
}

function isWildcard(h: string): boolean {
  return h.startsWith('*');
}

/** Istio host.Name.Matches: true when the two names have any host in common. */
export function hostsMatch(a: string, b: string): boolean {
  if (isWildcard(a) && isWildcard(b)) {
    return a.length > b.length ? a.slice(1).endsWith(b.slice(1)) : b.slice(1).endsWith(a.slice(1));
  }
  if (isWildcard(a)) return b.endsWith(a.slice(1));
  if (isWildcard(b)) return a.endsWith(b.slice(1));
  return a === b;
}

/** Istio host.Name.SubsetOf: every host matched by `a` is matched by `b`. */
export function hostSubsetOf(a: string, b: string): boolean {
  if (isWildcard(a)) return isWildcard(b) && a.slice(1).endsWith(b.slice(1));
  if (isWildcard(b)) return a.endsWith(b.slice(1));
  return a === b;
}
