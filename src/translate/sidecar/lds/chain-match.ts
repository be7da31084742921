/**
 * Filter chain options of outbound listeners and their filter_chain_match, as Istio forms them:
 * SNI hosts ('*' means any), destination CIDRs, application protocols, transport protocol. A
 * chain that matches everything becomes the listener's default_filter_chain. Two chains that
 * match a same connection would make Envoy reject the listener: `matchTuples` spells out what a
 * match covers so callers can keep such chains apart.
 */
import { isIP } from 'node:net';
import type { Source } from '../../common/diagnostics.js';
import type { Json } from './filters.js';

export interface ChainOpts {
  readonly sniHosts?: readonly string[];
  readonly cidrs?: readonly string[];
  readonly alpn?: readonly string[];
  readonly transport?: string;
  readonly filters: readonly Json[];
  readonly metadata?: Json;
  /** What built it, for diagnostics about conflicts. */
  readonly source?: Source;
  readonly sourcePath?: string;
}

export interface Cidr { readonly address: string; readonly prefixLen: number; readonly family: 4 | 6 }

/** `10.0.0.0/16`, `10.1.2.3` (→ /32) or an IPv6 form; undefined when malformed. */
export function parseCidr(text: string): Cidr | undefined {
  const [address = '', len, extra] = text.trim().split('/');
  const family = isIP(address);
  if (extra !== undefined || (family !== 4 && family !== 6)) return undefined;
  const max = family === 4 ? 32 : 128;
  const prefixLen = len === undefined ? max : Number(len);
  if (!Number.isInteger(prefixLen) || prefixLen < 0 || prefixLen > max || (len !== undefined && !/^\d+$/.test(len))) return undefined;
  return { address, prefixLen, family };
}

function maskedIpv4(c: Cidr): string {
  const n = c.address.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
  const mask = c.prefixLen === 0 ? 0 : (0xffffffff << (32 - c.prefixLen)) >>> 0;
  const v = (n & mask) >>> 0;
  return [24, 16, 8, 0].map((s) => (v >>> s) & 255).join('.');
}

/** Canonical text of a CIDR for comparisons (IPv4 masked; IPv6 compared as written, lower case). */
export function cidrKey(c: Cidr): string {
  return `${c.family === 4 ? maskedIpv4(c) : c.address.toLowerCase()}/${c.prefixLen}`;
}

const isUnspecified = (c: Cidr) => c.address === '0.0.0.0' || c.address === '::';

function validCidrs(texts: readonly string[] | undefined): Cidr[] {
  return (texts ?? []).flatMap((t) => parseCidr(t) ?? []).filter((c) => !isUnspecified(c));
}

export function isMatchAll(c: ChainOpts): boolean {
  const sni = c.sniHosts ?? [];
  return (sni.length === 0 || sni.includes('*')) && (c.alpn ?? []).length === 0 && !c.transport && validCidrs(c.cidrs).length === 0;
}

/** The Envoy FilterChainMatch for a chain that is not match-all. */
export function toFilterChainMatch(c: ChainOpts): Json {
  const match: Json = {};
  const sni = c.sniHosts ?? [];
  if (sni.length > 0 && !sni.includes('*')) match.server_names = [...new Set(sni)].sort();
  const unique = new Map(validCidrs(c.cidrs).map((r) => [cidrKey(r), r] as const));
  const cidrs = [...unique.keys()].sort().map((k) => unique.get(k) as Cidr);
  if (cidrs.length > 0) match.prefix_ranges = cidrs.map((r) => ({ address_prefix: r.family === 4 ? maskedIpv4(r) : r.address, prefix_len: { value: r.prefixLen } }));
  if (c.transport) match.transport_protocol = c.transport;
  if ((c.alpn ?? []).length > 0) match.application_protocols = [...(c.alpn ?? [])];
  return match;
}

/** The list-valued dimensions of an Envoy FilterChainMatch used here. */
const DIMENSIONS = ['destination_port', 'prefix_ranges', 'server_names', 'transport_protocol', 'application_protocols'] as const;

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    return `{${Object.keys(obj).sort().map((k) => `${JSON.stringify(k)}:${canonical(obj[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * Envoy matches a chain on the cross product of its match lists and rejects a listener where two
 * chains share one combination; these are the combinations ('*' = any), for overlap checks.
 */
export function matchTuples(match: Json | undefined): string[] {
  let tuples: string[] = [''];
  for (const dim of DIMENSIONS) {
    const raw = match?.[dim];
    const values = Array.isArray(raw) ? (raw.length > 0 ? raw : [undefined]) : [raw];
    const keys = values.map((v) => (v === undefined || v === '' ? '*' : canonical(v)));
    tuples = tuples.flatMap((t) => keys.map((k) => `${t}|${k}`));
  }
  return tuples;
}

/** The combinations an outbound chain option matches (match-all = the all-'*' combination). */
export function chainTuples(c: ChainOpts): string[] {
  return matchTuples(isMatchAll(c) ? {} : toFilterChainMatch(c));
}
