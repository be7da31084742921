/**
 * Gateway SDS: the `envoy.extensions.transport_sockets.tls.v3.Secret` resources a router asks
 * istiod for — `kubernetes://<name>` (a certificate and key) and `kubernetes://<name>-cacert`
 * (the CA that validates client certificates), and the Gateway API's
 * `kubernetes-gateway://<ns>/<name>` — with the material inline (inline_bytes), as Istio sends
 * them, and the CA bundles of ConfigMaps (`configmap://<ns>/<name>[-cacert]`, see sds-configmap.ts)
 * that a BackendTLSPolicy's DestinationRule makes the gateway's clusters ask for. Pure: the
 * material comes from the CredentialIndex and CaBundleIndex the generator was given.
 *
 * Who may have which secret is decided before this runs (serve/ drops names the stream's
 * identity may not read); here, as a second line, a `kubernetes://` secret is only served from
 * the proxy's own namespace and a `kubernetes-gateway://` secret only when a Gateway merged
 * into this proxy references it (Istio's "verified certificate references").
 */
import { credentialResourceName } from '../sidecar/sds.js';
import type { XdsResource } from '../types.js';
import type { GatewayContext } from './context.js';
import { buildCaBundleSecret, isCaBundleResource, tlsCertificateSecret, validationContextSecret, type CaBundleIndex } from './sds-configmap.js';
import { CA_SUFFIX, parseCredentialResource, type CaMaterial, type CredentialResource, type TlsMaterial } from './sds-credentials.js';
import { credentialsOf } from './tls-context.js';

const caSecret = (name: string, m: CaMaterial): XdsResource => validationContextSecret(name, m);

/** SDS names the servers merged into this proxy reference (certificates and their CAs). */
export function referencedCredentialResources(ctx: GatewayContext): Set<string> {
  const out = new Set<string>();
  for (const l of ctx.merged.listeners) {
    for (const gs of l.servers) {
      for (const c of gs.server.tls ? credentialsOf(gs.server.tls) : []) {
        out.add(credentialResourceName(c));
        out.add(credentialResourceName(`${c}${CA_SUFFIX}`));
      }
    }
  }
  return out;
}

function secretRef(r: CredentialResource) {
  return { kind: 'Secret', namespace: r.namespace, name: r.ca ? r.name : r.credential };
}

function buildOne(ctx: GatewayContext, resourceName: string, verified: () => Set<string>): XdsResource | undefined {
  const credentials = ctx.credentials;
  if (!credentials) return undefined;
  const r = parseCredentialResource(resourceName, ctx.proxy.namespace);
  if (typeof r === 'string') {
    ctx.diags.warn(undefined, undefined, `secret ${r}: not served`, resourceName.slice(0, 200));
    return undefined;
  }
  if (r.type === 'kubernetes' && r.namespace !== ctx.proxy.namespace) {
    ctx.diags.warn(secretRef(r), undefined, `secret ${resourceName} is outside the proxy's namespace ${ctx.proxy.namespace}: not served`, resourceName);
    return undefined;
  }
  if (r.type === 'kubernetes-gateway' && !verified().has(resourceName)) {
    ctx.diags.warn(secretRef(r), undefined, `secret ${resourceName} is not referenced by a Gateway of this proxy: not served`, resourceName);
    return undefined;
  }
  const found = r.ca ? credentials.caCertificate(r.namespace, r.credential) : credentials.certificate(r.namespace, r.name);
  if (!found.ok) {
    ctx.diags.warn(secretRef(r), undefined, `secret ${resourceName}: ${found.reason}: not served`, resourceName);
    return undefined;
  }
  return r.ca ? caSecret(resourceName, found.value as CaMaterial) : tlsCertificateSecret(resourceName, found.value as TlsMaterial);
}

/**
 * The named secrets that exist and may be served to this proxy; others are reported and left
 * out. `caBundles`: the ConfigMap CA bundles behind `configmap://` names.
 */
export function buildGatewaySecrets(ctx: GatewayContext, names: readonly string[] | undefined, caBundles?: CaBundleIndex): XdsResource[] {
  let verified: Set<string> | undefined;
  const lazyVerified = () => (verified ??= referencedCredentialResources(ctx));
  return [...new Set(names ?? [])].flatMap((name) => (isCaBundleResource(name) ? buildCaBundleSecret(caBundles, name, ctx.diags) : buildOne(ctx, name, lazyVerified)) ?? []);
}
