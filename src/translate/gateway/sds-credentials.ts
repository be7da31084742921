/**
 * What the gateway translator knows about Kubernetes credentials (credentialName secrets): per
 * secret, usable or not and why, and for SDS the certificate material itself. The model never
 * holds secret bytes: bootstrap/ builds a CredentialIndex from the Secret cache and hands it to
 * the generator, like the mesh config. `version` changes whenever any secret changes, so
 * generated resources that read the index are cached under it (see the scope key).
 *
 * Resource names, as Istio parses them: `kubernetes://<name>` (the proxy's namespace),
 * `kubernetes://<ns>/<name>`, and the Gateway API's `kubernetes-gateway://<ns>/<name>`; a name
 * ending in `-cacert` asks for the CA (validation context) of credential `<name>`.
 */

export type Lookup<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

/** A server certificate: PEM chain and key, with Istio's optional OCSP staple and CRL. */
export interface TlsMaterial {
  readonly certificateChain: Uint8Array;
  readonly privateKey: Uint8Array;
  readonly ocspStaple?: Uint8Array;
  readonly crl?: Uint8Array;
}

/** Trusted CA certificates (PEM) for client certificate validation, with an optional CRL. */
export interface CaMaterial {
  readonly trustedCa: Uint8Array;
  readonly crl?: Uint8Array;
}

export interface CredentialIndex {
  /** Changes whenever a secret is added, changed or removed. */
  readonly version: number;
  /** The certificate and key of Secret `namespace/name` (already validated: PEM, key matches). */
  certificate(namespace: string, name: string): Lookup<TlsMaterial>;
  /** The CA of credential `name`: Secret `<name>-cacert`, else the CA keys of Secret `<name>`. */
  caCertificate(namespace: string, name: string): Lookup<CaMaterial>;
}

export const CA_SUFFIX = '-cacert';
export const KUBERNETES_SCHEME = 'kubernetes://';
export const KUBERNETES_GATEWAY_SCHEME = 'kubernetes-gateway://';

export interface CredentialResource {
  readonly type: 'kubernetes' | 'kubernetes-gateway';
  readonly namespace: string;
  /** The Secret's name as requested (still with `-cacert` when `ca`). */
  readonly name: string;
  /** The credential the CA belongs to (`name` without `-cacert`) when `ca`. */
  readonly credential: string;
  readonly ca: boolean;
  readonly resourceName: string;
}

const NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

/** Parses an SDS resource name for `proxyNamespace`; a string reason when it is not one. */
export function parseCredentialResource(resourceName: string, proxyNamespace: string): CredentialResource | string {
  const gateway = resourceName.startsWith(KUBERNETES_GATEWAY_SCHEME);
  if (!gateway && !resourceName.startsWith(KUBERNETES_SCHEME)) return `${JSON.stringify(resourceName.slice(0, 100))} is not a kubernetes:// or kubernetes-gateway:// secret`;
  const rest = resourceName.slice(gateway ? KUBERNETES_GATEWAY_SCHEME.length : KUBERNETES_SCHEME.length);
  const parts = rest.split('/');
  if (parts.length > 2 || (gateway && parts.length !== 2)) return `${JSON.stringify(resourceName.slice(0, 100))}: expected ${gateway ? 'kubernetes-gateway://<namespace>/<name>' : 'kubernetes://[<namespace>/]<name>'}`;
  const namespace = parts.length === 2 ? parts[0]! : proxyNamespace;
  const name = parts[parts.length - 1]!;
  if (!NAME.test(namespace) || !NAME.test(name)) return `${JSON.stringify(resourceName.slice(0, 100))}: not a valid namespace/name`;
  const ca = name.endsWith(CA_SUFFIX) && name.length > CA_SUFFIX.length;
  return { type: gateway ? 'kubernetes-gateway' : 'kubernetes', namespace, name, credential: ca ? name.slice(0, -CA_SUFFIX.length) : name, ca, resourceName };
}

/** The namespace/name of a server's credentialName as seen from a proxy in `proxyNamespace`. */
export function credentialRef(credentialName: string, proxyNamespace: string): { namespace: string; name: string } | undefined {
  const full = credentialName.includes('://') ? credentialName : `${KUBERNETES_SCHEME}${credentialName}`;
  const parsed = parseCredentialResource(full, proxyNamespace);
  return typeof parsed === 'string' ? undefined : { namespace: parsed.namespace, name: parsed.name };
}
