/**
 * VirtualService redirect and directResponse, as Istio translates them for sidecars. A redirect
 * keeps Envoy's defaults where Istio does: derivePort FROM_PROTOCOL_DEFAULT sets no port,
 * FROM_REQUEST_PORT uses the listener port, and :80 on http (:443 on https) is left implicit.
 * redirectCode maps to Envoy's response_code enum; a code Envoy cannot send drops the route.
 */
import type { HTTPDirectResponse, HTTPRedirect } from '../../../model/types/virtual-service.js';
import type { Json } from './types.js';

const REDIRECT_CODES: Readonly<Record<number, string>> = Object.freeze({
  301: 'MOVED_PERMANENTLY', 302: 'FOUND', 303: 'SEE_OTHER', 307: 'TEMPORARY_REDIRECT', 308: 'PERMANENT_REDIRECT',
});

function redirectPort(redirect: HTTPRedirect, listenerPort: number): number | undefined {
  const port = redirect.port ?? (redirect.derivePort === 'FROM_REQUEST_PORT' ? listenerPort : undefined);
  if (port === undefined) return undefined;
  const scheme = redirect.scheme || 'http';
  if ((port === 80 && scheme === 'http') || (port === 443 && scheme === 'https')) return undefined;
  return port;
}

/** The RedirectAction, or a reason it cannot be built. */
export function buildRedirect(redirect: HTTPRedirect, listenerPort: number): { ok: true; value: Json } | { ok: false; reason: string } {
  const code = REDIRECT_CODES[redirect.redirectCode ?? 301];
  if (!code) return { ok: false, reason: `redirectCode ${redirect.redirectCode} is not one Envoy can send (301, 302, 303, 307, 308): route left out` };
  const port = redirectPort(redirect, listenerPort);
  return {
    ok: true,
    value: {
      ...(redirect.authority ? { host_redirect: redirect.authority } : {}),
      ...(redirect.uri ? { path_redirect: redirect.uri } : {}),
      ...(redirect.scheme ? { scheme_redirect: redirect.scheme } : {}),
      ...(port !== undefined ? { port_redirect: port } : {}),
      response_code: code,
    },
  };
}

export function buildDirectResponse(response: HTTPDirectResponse): Json {
  const body = response.body;
  let data: Json | undefined;
  if (body?.string !== undefined) data = { inline_string: body.string };
  else if (body?.bytes !== undefined) data = { inline_bytes: body.bytes };
  return { status: response.status, ...(data ? { body: data } : {}) };
}
