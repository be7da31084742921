/**
 * What a stream may receive, by the port it came in on. Plaintext (15010) streams carry no
 * identity: they never get secrets (SDS) or debug data. Secure (15012, TLS) streams are
 * authorized once, on their first request, before anything is answered.
 */
import * as grpc from '@grpc/grpc-js';
import type { Proxy } from '../model/proxy.js';
import { TypeUrl } from '../translate/type-urls.js';
import type { StreamAuthorization } from './types.js';

export type ConnectionAccess =
  | { readonly secure: false }
  | { readonly secure: true; readonly authorize: (proxy: Proxy) => Promise<StreamAuthorization> };

export const PLAINTEXT_ACCESS: ConnectionAccess = Object.freeze({ secure: false });

/** Istio's debug-over-xDS resource types (istio.io/debug/syncz, istio.io/debug/config_dump...). */
const DEBUG_TYPE_PREFIX = 'istio.io/debug';

/** The client learns only the category; the reason stays in the server's log. */
const UNAUTHENTICATED_MESSAGE = 'authentication failure';
const PERMISSION_DENIED_MESSAGE = "the caller's identity is not authorized for this proxy's configuration";

/** A type URL this port must never serve, as the status that ends the stream. */
export function forbiddenType(typeUrl: string, access: ConnectionAccess): { code: grpc.status; message: string } | undefined {
  if (typeUrl.startsWith(DEBUG_TYPE_PREFIX)) {
    return access.secure
      ? { code: grpc.status.UNIMPLEMENTED, message: `type_url ${JSON.stringify(typeUrl.slice(0, 100))}: debug over xDS is not served` }
      : { code: grpc.status.PERMISSION_DENIED, message: 'debug over xDS is never served on the plaintext port (it carries no identity)' };
  }
  if (typeUrl === TypeUrl.Secret && !access.secure) {
    return { code: grpc.status.PERMISSION_DENIED, message: 'secrets (SDS) are never served on the plaintext port (it carries no identity); use the TLS port' };
  }
  return undefined;
}

/** The status a refused secure stream ends with (opaque: names no identity, namespace or reason). */
export function refusalStatus(verdict: Extract<StreamAuthorization, { allowed: false }>): { code: grpc.status; message: string } {
  return verdict.status === 'permission-denied'
    ? { code: grpc.status.PERMISSION_DENIED, message: PERMISSION_DENIED_MESSAGE }
    : { code: grpc.status.UNAUTHENTICATED, message: UNAUTHENTICATED_MESSAGE };
}
