/**
 * An in-test interpreter of Envoy's RBAC filter semantics (envoy.config.rbac.v3), evaluating the
 * generated filter JSON for one request or connection: a filter with `rules` of action ALLOW
 * lets through what some policy matches, DENY stops what some policy matches, LOG (and a filter
 * without `rules`, and every shadow_rules) never stops anything; a policy matches when some
 * permission and some principal match. Every filter in the chain must let the request through.
 * Matchers follow Envoy: StringMatcher (exact/prefix/suffix/contains/safe_regex as an RE2 full
 * match, ignore_case), HeaderMatcher (string_match, present_match, absent header = no match),
 * url_path on the path without the query, CidrRange, metadata matchers by filter and path,
 * `authenticated` on the peer certificate's URI SAN (no TLS = no match).
 */
type Json = Record<string, unknown>;

export interface EnvoyRequest {
  /** The peer certificate's URI SAN; undefined without TLS. */
  readonly peerUriSan?: string;
  readonly directRemoteIp: string;
  readonly remoteIp: string;
  readonly destinationIp: string;
  readonly destinationPort: number;
  readonly sni?: string;
  /** Lower-case names (plus :method, :authority, :path); undefined on TCP. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Dynamic metadata by filter name. */
  readonly metadata: Readonly<Record<string, Json>>;
}

const obj = (v: unknown): Json => (v && typeof v === 'object' ? (v as Json) : {});

/**
 * RE2 full match (Envoy's safe_regex ignores ignore_case). RE2's leading flag group `(?i)` has
 * no JS inline form on Node 20, so it becomes the JS `i` flag; any other flag group is refused
 * rather than guessed.
 */
export function re2FullMatch(regex: string, value: string): boolean {
  const flags = /^\(\?([a-zA-Z]+)\)/.exec(regex);
  if (flags && !/^i+$/.test(flags[1]!)) throw new Error(`unsupported RE2 flags in ${JSON.stringify(regex)}`);
  if (/\(\?[a-zA-Z]/.test(flags ? regex.slice(flags[0].length) : regex)) throw new Error(`unsupported RE2 flag group in ${JSON.stringify(regex)}`);
  const body = flags ? regex.slice(flags[0].length) : regex;
  return new RegExp(`^(?:${body})$`, flags ? 'si' : 's').test(value);
}

export function stringMatch(m: Json, value: string | undefined): boolean {
  if (value === undefined) return false;
  const ic = m.ignore_case === true;
  const v = ic ? value.toLowerCase() : value;
  const lit = (k: string) => (ic ? String(m[k]).toLowerCase() : String(m[k]));
  if ('exact' in m) return v === lit('exact');
  if ('prefix' in m) return v.startsWith(lit('prefix'));
  if ('suffix' in m) return v.endsWith(lit('suffix'));
  if ('contains' in m) return v.includes(lit('contains'));
  if ('safe_regex' in m) return re2FullMatch(String(obj(m.safe_regex).regex), value);
  throw new Error(`unknown StringMatcher ${JSON.stringify(m)}`);
}

function headerMatch(h: Json, req: EnvoyRequest): boolean {
  const value = req.headers?.[String(h.name).toLowerCase()];
  let matched: boolean;
  if (h.present_match === true) matched = value !== undefined;
  else if (h.string_match) matched = stringMatch(obj(h.string_match), value);
  else throw new Error(`unsupported HeaderMatcher ${JSON.stringify(h)}`);
  return h.invert_match === true ? !matched : matched;
}

function ipBits(ip: string): { v: bigint; bits: number } {
  if (!ip.includes(':')) return { v: ip.split('.').reduce((a, n) => (a << 8n) + BigInt(Number(n)), 0n), bits: 32 };
  const [head = '', tail = ''] = ip.split('::');
  const h = head ? head.split(':') : [];
  const t = ip.includes('::') && tail ? tail.split(':') : [];
  const groups = ip.includes('::') ? [...h, ...Array(8 - h.length - t.length).fill('0'), ...t] : ip.split(':');
  return { v: groups.reduce((a, g) => (a << 16n) + BigInt(parseInt(g || '0', 16)), 0n), bits: 128 };
}

function cidrMatch(c: Json, ip: string): boolean {
  const base = ipBits(String(c.address_prefix));
  const addr = ipBits(ip);
  if (base.bits !== addr.bits) return false;
  const len = Number(obj(c.prefix_len).value ?? 0);
  const shift = BigInt(base.bits - len);
  return base.v >> shift === addr.v >> shift;
}

/** ValueMatcher on a metadata value: string_match, list_match (one_of) and or_match. */
function valueMatch(value: Json, cur: unknown): boolean {
  if (value.string_match) return typeof cur === 'string' && stringMatch(obj(value.string_match), cur);
  if (value.list_match) {
    const one = obj(obj(value.list_match).one_of);
    return Array.isArray(cur) && cur.some((e) => valueMatch(one, e));
  }
  if (value.or_match) return ((obj(value.or_match).value_matchers ?? []) as Json[]).some((m) => valueMatch(m, cur));
  throw new Error(`unsupported metadata value matcher ${JSON.stringify(value)}`);
}

function metadataMatch(m: Json, req: EnvoyRequest): boolean {
  let cur: unknown = req.metadata[String(m.filter)];
  for (const seg of (m.path ?? []) as Json[]) cur = cur && typeof cur === 'object' && !Array.isArray(cur) ? (cur as Json)[String(seg.key)] : undefined;
  // A path that leads nowhere matches nothing (Envoy: no value to match).
  const matched = cur !== undefined && valueMatch(obj(m.value), cur);
  return m.invert === true ? !matched : matched;
}

export function permissionMatches(p: Json, req: EnvoyRequest): boolean {
  if (p.any === true) return true;
  if (p.and_rules) return ((obj(p.and_rules).rules ?? []) as Json[]).every((x) => permissionMatches(x, req));
  if (p.or_rules) return ((obj(p.or_rules).rules ?? []) as Json[]).some((x) => permissionMatches(x, req));
  if (p.not_rule) return !permissionMatches(obj(p.not_rule), req);
  if (p.header) return headerMatch(obj(p.header), req);
  if (p.url_path) {
    const path = req.headers?.[':path'];
    return stringMatch(obj(obj(p.url_path).path), path === undefined ? undefined : path.split('?')[0]);
  }
  if (p.destination_port !== undefined) return Number(p.destination_port) === req.destinationPort;
  if (p.destination_ip) return cidrMatch(obj(p.destination_ip), req.destinationIp);
  if (p.requested_server_name) return stringMatch(obj(p.requested_server_name), req.sni);
  if (p.metadata) return metadataMatch(obj(p.metadata), req);
  throw new Error(`unsupported Permission ${JSON.stringify(p)}`);
}

export function principalMatches(p: Json, req: EnvoyRequest): boolean {
  if (p.any === true) return true;
  if (p.and_ids) return ((obj(p.and_ids).ids ?? []) as Json[]).every((x) => principalMatches(x, req));
  if (p.or_ids) return ((obj(p.or_ids).ids ?? []) as Json[]).some((x) => principalMatches(x, req));
  if (p.not_id) return !principalMatches(obj(p.not_id), req);
  if (p.authenticated) {
    if (req.peerUriSan === undefined) return false;
    const name = obj(p.authenticated).principal_name;
    return name === undefined ? true : stringMatch(obj(name), req.peerUriSan);
  }
  if (p.direct_remote_ip) return cidrMatch(obj(p.direct_remote_ip), req.directRemoteIp);
  if (p.remote_ip) return cidrMatch(obj(p.remote_ip), req.remoteIp);
  if (p.header) return headerMatch(obj(p.header), req);
  if (p.metadata) return metadataMatch(obj(p.metadata), req);
  throw new Error(`unsupported Principal ${JSON.stringify(p)}`);
}

function policyMatches(policy: Json, req: EnvoyRequest): boolean {
  const perms = (policy.permissions ?? []) as Json[];
  const ids = (policy.principals ?? []) as Json[];
  return perms.some((p) => permissionMatches(p, req)) && ids.some((p) => principalMatches(p, req));
}

/** Whether one RBAC filter (HTTP or network: same `rules`) lets the request through. */
export function filterAllows(filter: Json, req: EnvoyRequest): boolean {
  const rules = obj(filter.typed_config).rules as Json | undefined;
  if (!rules) return true;
  const action = rules.action ?? 'ALLOW';
  const matched = Object.values(obj(rules.policies)).some((p) => policyMatches(obj(p), req));
  if (action === 'ALLOW') return matched;
  if (action === 'DENY') return !matched;
  return true;
}

export function chainAllows(filters: readonly Json[], req: EnvoyRequest): boolean {
  return filters.every((f) => filterAllows(f, req));
}

/** RFC 3986 §5.2.4 on an absolute path: `.` segments dropped, `..` pops one (never above `/`). */
function removeDotSegments(path: string): string {
  const out: string[] = [];
  const segments = path.split('/').slice(1);
  segments.forEach((seg, i) => {
    const last = i === segments.length - 1;
    if (seg === '.' || seg === '..') {
      if (seg === '..' && out.length > 0) out.pop();
      if (last) out.push('');
    } else out.push(seg);
  });
  return `/${out.join('/')}`;
}

/**
 * The path the HTTP filters (RBAC) see after the connection manager, from Envoy's documented
 * HCM semantics as Istio's normalization table describes them: path_with_escaped_slashes_action
 * UNESCAPE_* decodes %2F/%5C first; normalize_path decodes percent-encoded unreserved
 * characters, turns `\` into `/` and removes dot segments; merge_slashes then collapses `//`.
 * The query is left alone.
 */
export function hcmNormalizedPath(hcm: Json, rawPath: string): string {
  const q = rawPath.indexOf('?');
  let path = q < 0 ? rawPath : rawPath.slice(0, q);
  const query = q < 0 ? '' : rawPath.slice(q);
  const action = String(hcm.path_with_escaped_slashes_action ?? 'KEEP_UNCHANGED');
  if (action.startsWith('UNESCAPE_')) path = path.replace(/%2f/gi, '/').replace(/%5c/gi, '\\');
  if (obj(hcm.normalize_path).value === true) {
    path = path.replace(/%([0-9a-f]{2})/gi, (m, hex: string) => {
      const c = String.fromCharCode(parseInt(hex, 16));
      return /^[A-Za-z0-9\-._~]$/.test(c) ? c : m;
    });
    path = removeDotSegments(path.replaceAll('\\', '/'));
  }
  if (hcm.merge_slashes === true) path = path.replace(/\/{2,}/g, '/');
  return path + query;
}
