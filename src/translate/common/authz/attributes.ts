/**
 * One AuthorizationPolicy attribute (a `from.source`/`to.operation` field or a `when` key) → the
 * Envoy RBAC principal or permission for one of its values, as Istio's authz model maps it.
 * HTTP-only attributes refuse to build on TCP filter chains (an error string the rule compiler
 * turns into "drop the ALLOW rule" or "drop this attribute from the DENY/AUDIT rule").
 */
import { JWT_AUTHN_FILTER, JWT_PAYLOAD_KEY } from '../authn/jwt-filter.js';
import { ANY_VALUE, bracketNames, cidrRange, headerMatcher, hostMatcher, metadataMatcher, quoteMeta, safeRegex, stringMatcher, type Json } from './matchers.js';

export type Side = 'principal' | 'permission';
/** The built matcher, or why this value cannot be built (here). */
export type Built = Json | string;

export interface Attribute {
  readonly side: Side;
  readonly build: (value: string, forTCP: boolean) => Built;
}

const SPIFFE = 'spiffe://';
export const URI_TEMPLATE_TYPE = 'type.googleapis.com/envoy.extensions.path.match.uri_template.v3.UriTemplateMatchConfig';

const authenticated = (m: Json): Json => ({ authenticated: { principal_name: m } });
const httpOnly = (key: string) => `${JSON.stringify(key)} is HTTP only`;

function ip(kind: 'direct_remote_ip' | 'remote_ip' | 'destination_ip') {
  return (value: string): Built => {
    const cidr = cidrRange(value);
    return cidr ? { [kind]: cidr } : `invalid IP address or CIDR range ${JSON.stringify(value)}`;
  };
}

/**
 * `.*\/ns/<ns>/.*` with everything escaped and `*` in the namespace as `[^/]*`: Istio writes `.*`
 * there, which lets `*a` span path segments (`spiffe://td/ns/b/sa/a` matched namespace `*a`
 * through `b/sa`); a namespace never contains `/`, so one segment is what the user meant.
 */
export function namespaceRegex(value: string): string {
  return `.*/ns/${value.split('*').map(quoteMeta).join('[^/]*')}/.*`;
}

/** `<sa>` or `<ns>/<sa>` (the policy's namespace when omitted), every literal escaped. */
export function serviceAccountRegex(policyNamespace: string, value: string): string {
  const slash = value.indexOf('/');
  const ns = slash < 0 ? policyNamespace : value.slice(0, slash);
  const sa = slash < 0 ? value : value.slice(slash + 1);
  return `spiffe://.+/ns/${quoteMeta(ns)}/(.+/|)sa/${quoteMeta(sa)}(/.+)?`;
}

const principal: Attribute = { side: 'principal', build: (v) => authenticated(stringMatcher(v, SPIFFE)) };
const namespace: Attribute = { side: 'principal', build: (v) => authenticated(safeRegex(namespaceRegex(v))) };
const sourceIp: Attribute = { side: 'principal', build: ip('direct_remote_ip') };
const remoteIp: Attribute = { side: 'principal', build: ip('remote_ip') };

/** A metadata matcher on the JWT payload jwt_authn verified (`payload.<claim path>`). */
function jwtClaim(claimPath: readonly string[], value: Json): Json {
  return { metadata: { filter: JWT_AUTHN_FILTER, path: [JWT_PAYLOAD_KEY, ...claimPath].map((key) => ({ key })), value } };
}

/** A claim that may be a string or a list of strings (`aud`, `groups`): either form matches. */
function claimValue(claimPath: readonly string[], v: string): Json {
  const one = { string_match: stringMatcher(v) };
  return jwtClaim(claimPath, { or_match: { value_matchers: [{ list_match: { one_of: one } }, one] } });
}

/**
 * A request principal `<iss>/<sub>` as current Istio matches it: split at the LAST `/` (issuers
 * are URLs) and match the payload's `iss` and `sub` separately. `*` alone: both present; a
 * leading `*` is a suffix of the issuer (or, without `/`, of the subject); a trailing `*` a
 * prefix of the subject (or, without `/`, of the issuer). Without `/` and `*` the value is the
 * issuer and the subject must be empty.
 */
export function requestPrincipalMatchers(value: string): { iss: Json; sub: Json } {
  const slash = value.lastIndexOf('/');
  const found = slash >= 0;
  const iss = found ? value.slice(0, slash) : value;
  const sub = found ? value.slice(slash + 1) : '';
  const exact = (s: string): Json => ({ exact: s });
  if (value === '*') return { iss: ANY_VALUE, sub: ANY_VALUE };
  if (value.startsWith('*')) {
    if (!found) return { iss: ANY_VALUE, sub: { suffix: value.slice(1) } };
    return { iss: iss === '*' ? ANY_VALUE : { suffix: iss.slice(1) }, sub: exact(sub) };
  }
  if (value.endsWith('*')) {
    if (!found) return { iss: { prefix: value.slice(0, -1) }, sub: ANY_VALUE };
    return { iss: exact(iss), sub: sub === '*' ? ANY_VALUE : { prefix: sub.slice(0, -1) } };
  }
  return { iss: exact(iss), sub: exact(sub) };
}

function requestPrincipal(key: string): Attribute {
  return {
    side: 'principal',
    build: (v, forTCP) => {
      if (forTCP) return httpOnly(key);
      const m = requestPrincipalMatchers(v);
      return { and_ids: { ids: [jwtClaim(['iss'], { string_match: m.iss }), jwtClaim(['sub'], { string_match: m.sub })] } };
    },
  };
}

/** A `request.auth.*` attribute read from a payload claim (string or list). */
function jwtClaimAttribute(key: string, claimPath: readonly string[]): Attribute {
  return { side: 'principal', build: (v, forTCP) => (forTCP ? httpOnly(key) : claimValue(claimPath, v)) };
}

export function serviceAccount(policyNamespace: string): Attribute {
  return { side: 'principal', build: (v) => authenticated(safeRegex(serviceAccountRegex(policyNamespace, v))) };
}

function port(value: string): Built {
  return /^\d+$/.test(value) && Number(value) <= 65535 ? { destination_port: Number(value) } : `invalid port ${JSON.stringify(value)}`;
}

/** Istio's `{*}` → `*` and `{**}` → `**`: an Envoy URI template. */
const isTemplate = (path: string) => path.includes('{*}') || path.includes('{**}');

function pathPermission(value: string, forTCP: boolean): Built {
  if (forTCP) return httpOnly('paths');
  if (!isTemplate(value)) return { url_path: { path: stringMatcher(value) } };
  const template = value.replaceAll('{**}', '**').replaceAll('{*}', '*');
  return { uri_template: { name: 'uri-template', typed_config: { '@type': URI_TEMPLATE_TYPE, path_template: template } } };
}

export const SOURCE_ATTRIBUTES = {
  principals: principal,
  requestPrincipals: requestPrincipal('request.auth.principal'),
  namespaces: namespace,
  ipBlocks: sourceIp,
  remoteIpBlocks: remoteIp,
} as const;

export const OPERATION_ATTRIBUTES: Readonly<Record<'hosts' | 'methods' | 'paths' | 'ports', Attribute>> = {
  hosts: { side: 'permission', build: (v, tcp) => (tcp ? httpOnly('hosts') : { header: hostMatcher(v) }) },
  methods: { side: 'permission', build: (v, tcp) => (tcp ? httpOnly('methods') : { header: headerMatcher(':method', v) }) },
  paths: { side: 'permission', build: pathPermission },
  ports: { side: 'permission', build: port },
};

function envoyFilterMetadata(key: string): Attribute | string {
  const open = key.indexOf('[');
  const filter = key.slice('experimental.'.length, open);
  const names = open > 0 ? bracketNames(key.slice(open)) : undefined;
  if (!names || names.length !== 1 || filter === '') return `invalid key ${JSON.stringify(key)}`;
  return {
    side: 'permission',
    build: (v) => {
      const list = v.startsWith('[') && v.endsWith(']');
      return { metadata: metadataMatcher(filter, names, stringMatcher(list ? v.slice(1, -1) : v), list) };
    },
  };
}

function bracketed(key: string, prefix: string, make: (names: string[]) => Attribute): Attribute | string {
  const names = bracketNames(key.slice(prefix.length));
  return names ? make(names) : `invalid key ${JSON.stringify(key)}: should have format ${prefix}[name]`;
}

const PLAIN_WHEN: Readonly<Record<string, Attribute>> = {
  'source.ip': sourceIp,
  'remote.ip': remoteIp,
  'source.namespace': namespace,
  'source.principal': principal,
  'request.auth.principal': requestPrincipal('request.auth.principal'),
  'request.auth.audiences': jwtClaimAttribute('request.auth.audiences', ['aud']),
  'request.auth.presenter': jwtClaimAttribute('request.auth.presenter', ['azp']),
  'destination.ip': { side: 'permission', build: ip('destination_ip') },
  'destination.port': { side: 'permission', build: port },
  'connection.sni': { side: 'permission', build: (v) => ({ requested_server_name: stringMatcher(v) }) },
};

/** The attribute a `when` key names, or why it is not supported. */
export function whenAttribute(key: string, policyNamespace: string): Attribute | string {
  const plain = PLAIN_WHEN[key];
  if (plain) return plain;
  if (key === 'source.serviceAccount') return serviceAccount(policyNamespace);
  if (key.startsWith('request.headers')) {
    return bracketed(key, 'request.headers', (names) => ({
      side: 'principal',
      build: (v, tcp) => (tcp ? httpOnly(key) : names.length === 1 ? { header: headerMatcher(names[0]!, v) } : `invalid key ${JSON.stringify(key)}`),
    }));
  }
  if (key.startsWith('request.auth.claims')) {
    return bracketed(key, 'request.auth.claims', (names) => jwtClaimAttribute(key, names));
  }
  if (key.startsWith('experimental.envoy.filters.')) return envoyFilterMetadata(key);
  return `unknown attribute ${JSON.stringify(key)}`;
}
