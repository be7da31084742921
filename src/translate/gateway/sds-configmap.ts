/**
 * CA bundles from ConfigMaps over SDS, as Istio serves them for DestinationRule (and so
 * BackendTLSPolicy) `credentialName: configmap://<ns>/<name>`: the resource names
 * `configmap://<ns>/<name>` and `configmap://<ns>/<name>-cacert` (the suffix is dropped) are a
 * validation_context Secret with the ConfigMap's CA (key `cacert`, else `ca.crt`). Any proxy
 * type may ask (a sidecar's or a gateway's cluster uses it). `invalid://...` (a policy with no
 * usable CA) is never served: the cluster waiting for it never becomes ready (fail closed).
 * Pure: the CA material comes from the CaBundleIndex the generator was given.
 */
import type { ObjectRef } from '../../model/config.js';
import type { Diagnostics } from '../common/diagnostics.js';
import { TypeUrl } from '../type-urls.js';
import type { XdsResource } from '../types.js';
import { CA_SUFFIX, type CaMaterial, type Lookup, type TlsMaterial } from './sds-credentials.js';

export const CONFIGMAP_SCHEME = 'configmap://';
export const INVALID_SCHEME = 'invalid://';

/** What bootstrap/ hands the generators: validated CA bundles of the ConfigMap cache. */
export interface CaBundleIndex {
  /** Moves whenever a ConfigMap changes (cache key of SDS resources). */
  readonly version: number;
  /** The CA of ConfigMap `namespace/name` (already validated: PEM certificates). */
  caBundle(namespace: string, name: string): Lookup<CaMaterial>;
}

export interface ConfigMapResource {
  readonly namespace: string;
  /** The ConfigMap's name (without `-cacert`). */
  readonly name: string;
  readonly resourceName: string;
}

const NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
const quoted = (s: string) => JSON.stringify(s.slice(0, 100));

export const isCaBundleResource = (name: string): boolean => name.startsWith(CONFIGMAP_SCHEME) || name.startsWith(INVALID_SCHEME);

/** Parses `configmap://<ns>/<name>[-cacert]` (the namespace is required, as in Istio). */
export function parseConfigMapResource(resourceName: string): ConfigMapResource | string {
  if (!resourceName.startsWith(CONFIGMAP_SCHEME)) return `${quoted(resourceName)} is not a configmap:// resource`;
  const parts = resourceName.slice(CONFIGMAP_SCHEME.length).split('/');
  if (parts.length !== 2) return `${quoted(resourceName)}: expected configmap://<namespace>/<name>`;
  const [namespace, requested] = parts as [string, string];
  const name = requested.endsWith(CA_SUFFIX) && requested.length > CA_SUFFIX.length ? requested.slice(0, -CA_SUFFIX.length) : requested;
  if (!NAME.test(namespace) || !NAME.test(name)) return `${quoted(resourceName)}: not a valid namespace/name`;
  return { namespace, name, resourceName };
}

const inline = (bytes: Uint8Array) => ({ inline_bytes: Buffer.from(bytes).toString('base64') });

/** A tls_certificate Secret (chain, key, optional OCSP staple) inline, as istiod sends credentials. */
export function tlsCertificateSecret(name: string, m: TlsMaterial): XdsResource {
  const tls_certificate: Record<string, unknown> = { certificate_chain: inline(m.certificateChain), private_key: inline(m.privateKey) };
  if (m.ocspStaple?.length) tls_certificate.ocsp_staple = inline(m.ocspStaple);
  return { name, body: { '@type': TypeUrl.Secret, name, tls_certificate } };
}

/** A validation_context Secret (trusted CA, optional CRL) inline, as istiod sends CA secrets. */
export function validationContextSecret(name: string, m: CaMaterial): XdsResource {
  const validation_context: Record<string, unknown> = { trusted_ca: inline(m.trustedCa) };
  if (m.crl?.length) validation_context.crl = inline(m.crl);
  return { name, body: { '@type': TypeUrl.Secret, name, validation_context } };
}

const configMapRef = (r: ConfigMapResource): ObjectRef => ({ kind: 'ConfigMap', namespace: r.namespace, name: r.name });

/** One configmap:// (or invalid://) name → its Secret, or undefined with a diagnostic naming why. */
export function buildCaBundleSecret(index: CaBundleIndex | undefined, resourceName: string, diags: Diagnostics): XdsResource | undefined {
  if (resourceName.startsWith(INVALID_SCHEME)) {
    diags.warn(undefined, undefined, `secret ${quoted(resourceName)} stands for a policy without a usable CA certificate: never served, so the cluster using it stays unready (fail closed)`, resourceName.slice(0, 200));
    return undefined;
  }
  const r = parseConfigMapResource(resourceName);
  if (typeof r === 'string') {
    diags.warn(undefined, undefined, `secret ${r}: not served`, resourceName.slice(0, 200));
    return undefined;
  }
  const found = index?.caBundle(r.namespace, r.name) ?? { ok: false, reason: 'no ConfigMap source (CA bundles come from Kubernetes)' };
  if (!found.ok) {
    diags.warn(configMapRef(r), undefined, `secret ${resourceName}: ${found.reason}: not served, so the cluster using it stays unready (fail closed)`, resourceName);
    return undefined;
  }
  return validationContextSecret(resourceName, found.value);
}
