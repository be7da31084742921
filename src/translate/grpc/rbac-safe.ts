/**
 * Makes one Envoy RBAC policy (as the sidecar path compiles it) evaluable by gRPC's RBAC engine
 * (gRFC A41) without ever weakening it. gRPC cannot evaluate some matchers the way Envoy does:
 * dynamic metadata (no jwt_authn or istio_authn filters in gRPC: A41 says "never matches"),
 * URI templates and port ranges (unknown to A41 engines: never match), the TLS SNI, and headers
 * gRPC hides (`-bin`, `grpc-*`, `te`, pseudo-headers other than :authority, :method, :path).
 * Left as they are, a DENY rule using them would silently stop denying.
 *
 * Each such leaf is replaced by a constant chosen by polarity (AND/OR are monotone, NOT flips):
 * in a DENY policy the whole rule may only match more, in an ALLOW policy only less. So a DENY on
 * a JWT claim denies every request on gRPC, and an ALLOW on one allows none; both are reported.
 * `host` header matchers become `:authority` ones (Envoy aliases the two; gRPC exposes only
 * :authority).
 */
import type { Json } from './rds-match.js';

export type GrpcRbacAction = 'ALLOW' | 'DENY';
type Side = 'principal' | 'permission';

export interface SafePolicy {
  readonly policy: Json;
  /** What gRPC could not evaluate (distinct, in order of appearance). */
  readonly unsupported: readonly string[];
}

interface Walk {
  readonly action: GrpcRbacAction;
  readonly negated: boolean;
  readonly unsupported: string[];
}

const ANY: Json = Object.freeze({ any: true });
const NEVER: Readonly<Record<Side, Json>> = Object.freeze({ principal: { not_id: ANY }, permission: { not_rule: ANY } });

/** The constant that moves the whole policy the safe way: a DENY matches more, an ALLOW less. */
function constant(side: Side, w: Walk, what: string): Json {
  if (!w.unsupported.includes(what)) w.unsupported.push(what);
  const matchMore = (w.action === 'DENY') !== w.negated;
  return matchMore ? ANY : NEVER[side];
}

const STRING_KINDS = new Set(['exact', 'prefix', 'suffix', 'contains', 'safe_regex']);
const HEADER_KINDS = new Set(['exact_match', 'safe_regex_match', 'range_match', 'present_match', 'prefix_match', 'suffix_match', 'string_match']);
const VISIBLE_PSEUDO = new Set([':authority', ':method', ':path']);

/** Why gRPC cannot see this header, or undefined when it can. */
function hiddenHeader(name: string): string | undefined {
  if (name.endsWith('-bin')) return 'binary (-bin) headers';
  if (name.startsWith('grpc-')) return 'grpc-* headers';
  if (name === 'te') return 'the te header';
  if (name.startsWith(':') && !VISIBLE_PSEUDO.has(name)) return `the ${name} pseudo-header`;
  return undefined;
}

const isStringMatcher = (m: unknown): boolean => typeof m === 'object' && m !== null && Object.keys(m).some((k) => STRING_KINDS.has(k));

function headerLeaf(side: Side, header: Json, w: Walk): Json {
  const name = String(header.name ?? '').toLowerCase();
  const hidden = hiddenHeader(name);
  if (hidden) return constant(side, w, hidden);
  const kind = Object.keys(header).find((k) => HEADER_KINDS.has(k));
  if (!kind || (kind === 'string_match' && !isStringMatcher(header.string_match))) return constant(side, w, `header matcher on ${name}`);
  return { header: name === 'host' ? { ...header, name: ':authority' } : header };
}

function principal(p: Json, w: Walk): Json {
  const [key] = Object.keys(p);
  const v = p[key ?? ''] as Json;
  switch (key) {
    case 'and_ids': return { and_ids: { ids: (v.ids as Json[]).map((x) => principal(x, w)) } };
    case 'or_ids': return { or_ids: { ids: (v.ids as Json[]).map((x) => principal(x, w)) } };
    case 'not_id': return { not_id: principal(v, { ...w, negated: !w.negated }) };
    case 'any': case 'direct_remote_ip': case 'remote_ip': case 'source_ip': return p;
    case 'authenticated': return v.principal_name === undefined || isStringMatcher(v.principal_name) ? p : constant('principal', w, 'principal name matcher');
    case 'url_path': return isStringMatcher((v as { path?: unknown }).path) ? p : constant('principal', w, 'path matcher');
    case 'header': return headerLeaf('principal', v, w);
    case 'metadata': return constant('principal', w, 'metadata (request authentication: requestPrincipals, request.auth.*)');
    default: return constant('principal', w, `principal ${key ?? '(empty)'}`);
  }
}

function permission(p: Json, w: Walk): Json {
  const [key] = Object.keys(p);
  const v = p[key ?? ''] as Json;
  switch (key) {
    case 'and_rules': return { and_rules: { rules: (v.rules as Json[]).map((x) => permission(x, w)) } };
    case 'or_rules': return { or_rules: { rules: (v.rules as Json[]).map((x) => permission(x, w)) } };
    case 'not_rule': return { not_rule: permission(v, { ...w, negated: !w.negated }) };
    case 'any': case 'destination_ip': case 'destination_port': return p;
    case 'url_path': return isStringMatcher((v as { path?: unknown }).path) ? p : constant('permission', w, 'path matcher');
    case 'header': return headerLeaf('permission', v, w);
    case 'metadata': return constant('permission', w, 'metadata (experimental.envoy.filters.*)');
    case 'requested_server_name': return constant('permission', w, 'connection.sni');
    case 'uri_template': return constant('permission', w, 'path templates ({*}, {**})');
    default: return constant('permission', w, `permission ${key ?? '(empty)'}`);
  }
}

/** `policy` ({permissions, principals}) with every leaf gRPC cannot evaluate replaced the safe way. */
export function grpcSafePolicy(policy: Json, action: GrpcRbacAction): SafePolicy {
  const w: Walk = { action, negated: false, unsupported: [] };
  const permissions = ((policy.permissions ?? []) as Json[]).map((p) => permission(p, w));
  const principals = ((policy.principals ?? []) as Json[]).map((p) => principal(p, w));
  return { policy: { permissions, principals }, unsupported: w.unsupported };
}
