/**
 * A small model of Go's url.ParseRequestURI, which Kubernetes' CEL `isURL`/`url` functions
 * use: an absolute URI (scheme://authority/path?query) or an absolute path. Returns undefined
 * for what Go would reject. Approximate by design; it follows Go where CRD rules look.
 */
export interface ParsedUrl {
  readonly scheme: string;
  /** host[:port] as written (IPv6 literals keep their brackets). */
  readonly host: string;
  readonly hostname: string;
  readonly port: string;
  readonly escapedPath: string;
  readonly rawQuery: string;
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x1f\x7f]/;
const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):/;
/** Bytes Go allows unescaped in a host (besides letters and digits). */
const HOST_CHARS = /^[A-Za-z0-9\-._~!$&'()*+,;=:[\]<>"%]*$/;
const BAD_ESCAPE = /%(?![0-9A-Fa-f]{2})/;

export function parseRequestUri(raw: string): ParsedUrl | undefined {
  if (raw === '' || CONTROL.test(raw)) return undefined;
  let rest = raw;
  let scheme = '';
  const m = SCHEME.exec(raw);
  if (m) {
    scheme = (m[1] ?? '').toLowerCase();
    rest = raw.slice(m[0].length);
  } else if (/^[^/?#]*:/.test(raw) && raw.startsWith(':')) {
    return undefined; // missing protocol scheme
  }
  let rawQuery = '';
  const q = rest.indexOf('?');
  if (q >= 0) {
    rawQuery = rest.slice(q + 1);
    rest = rest.slice(0, q);
  }
  if (!rest.startsWith('/')) return undefined; // opaque or relative: not a request URI
  let host = '';
  if (scheme !== '' && rest.startsWith('//')) {
    const end = rest.indexOf('/', 2);
    const authority = end < 0 ? rest.slice(2) : rest.slice(2, end);
    rest = end < 0 ? '' : rest.slice(end);
    const parsedHost = parseAuthority(authority);
    if (parsedHost === undefined) return undefined;
    host = parsedHost;
  }
  if (BAD_ESCAPE.test(rest)) return undefined;
  const { hostname, port } = splitHostPort(host);
  return { scheme, host, hostname, port, escapedPath: rest, rawQuery };
}

function parseAuthority(authority: string): string | undefined {
  const at = authority.lastIndexOf('@');
  const host = at < 0 ? authority : authority.slice(at + 1);
  if (at >= 0 && BAD_ESCAPE.test(authority.slice(0, at))) return undefined;
  if (!HOST_CHARS.test(host) || BAD_ESCAPE.test(host)) return undefined;
  if (host.startsWith('[')) {
    const close = host.indexOf(']');
    if (close < 0) return undefined;
    const after = host.slice(close + 1);
    if (after !== '' && !/^:[0-9]*$/.test(after)) return undefined;
    return host;
  }
  const colon = host.lastIndexOf(':');
  if (colon >= 0 && !/^[0-9]*$/.test(host.slice(colon + 1))) return undefined;
  return host;
}

function splitHostPort(host: string): { hostname: string; port: string } {
  if (host.startsWith('[')) {
    const close = host.indexOf(']');
    return { hostname: host.slice(1, close), port: host.slice(close + 2) };
  }
  const colon = host.lastIndexOf(':');
  return colon < 0 ? { hostname: host, port: '' } : { hostname: host.slice(0, colon), port: host.slice(colon + 1) };
}
