/**
 * Sidecar SDS: the secrets a sidecar asks istiod for over ADS, as Istio's SDS generator serves
 * any proxy type. A DestinationRule with a workloadSelector that sets `credentialName` makes
 * the sidecar's clusters ask for `kubernetes://<name>` (client certificate, MUTUAL) and
 * `kubernetes://<name>-cacert` (the CA that validates the server); a BackendTLSPolicy's
 * `configmap://<ns>/<name>` CA bundles are served too (sds-configmap.ts). Material is inline.
 *
 * Who may have which secret is decided before this runs (serve/sds-access.ts: verified
 * identity, same namespace, `list secrets` unless CA-only). Here, as a second line: a
 * `kubernetes://` secret only from the proxy's own namespace, and no `kubernetes-gateway://`
 * secret at all (Istio serves those only to a gateway whose Gateway references them). Pure.
 */
import type { ObjectRef } from '../../model/config.js';
import type { Proxy } from '../../model/proxy.js';
import type { Diagnostics } from '../common/diagnostics.js';
import { buildCaBundleSecret, isCaBundleResource, tlsCertificateSecret, validationContextSecret, type CaBundleIndex } from '../gateway/sds-configmap.js';
import { parseCredentialResource, type CaMaterial, type CredentialIndex, type CredentialResource, type TlsMaterial } from '../gateway/sds-credentials.js';
import type { XdsResource } from '../types.js';

const clipped = (name: string) => name.slice(0, 200);

const secretRef = (r: CredentialResource): ObjectRef => ({ kind: 'Secret', namespace: r.namespace, name: r.ca ? r.name : r.credential });

function credentialSecret(credentials: CredentialIndex | undefined, proxy: Proxy, resourceName: string, diags: Diagnostics): XdsResource | undefined {
  const r = parseCredentialResource(resourceName, proxy.namespace);
  if (typeof r === 'string') {
    diags.warn(undefined, undefined, `secret ${r}: not served`, clipped(resourceName));
    return undefined;
  }
  if (r.type === 'kubernetes-gateway') {
    diags.warn(secretRef(r), undefined, `secret ${resourceName}: kubernetes-gateway:// secrets are served only to gateways whose Gateway references them: not served to a sidecar`, resourceName);
    return undefined;
  }
  if (r.namespace !== proxy.namespace) {
    diags.warn(secretRef(r), undefined, `secret ${resourceName} is outside the proxy's namespace ${proxy.namespace}: not served`, resourceName);
    return undefined;
  }
  if (!credentials) {
    diags.warn(secretRef(r), undefined, `secret ${resourceName}: no Secret source (credentials come from Kubernetes): not served`, resourceName);
    return undefined;
  }
  const found = r.ca ? credentials.caCertificate(r.namespace, r.credential) : credentials.certificate(r.namespace, r.name);
  if (!found.ok) {
    diags.warn(secretRef(r), undefined, `secret ${resourceName}: ${found.reason}: not served, so the cluster using it stays unready`, resourceName);
    return undefined;
  }
  return r.ca ? validationContextSecret(resourceName, found.value as CaMaterial) : tlsCertificateSecret(resourceName, found.value as TlsMaterial);
}

export interface SidecarSecretSources {
  readonly credentials?: CredentialIndex;
  readonly caBundles?: CaBundleIndex;
}

/** The named secrets that exist and may be served to this sidecar; the others are reported and left out. */
export function buildSidecarSecrets(sources: SidecarSecretSources, proxy: Proxy, names: readonly string[] | undefined, diags: Diagnostics): XdsResource[] {
  const out: XdsResource[] = [];
  for (const name of new Set(names ?? [])) {
    const secret = isCaBundleResource(name) ? buildCaBundleSecret(sources.caBundles, name, diags) : credentialSecret(sources.credentials, proxy, name, diags);
    if (secret) out.push(secret);
  }
  return out;
}
