/**
 * The DownstreamTlsContext of a gateway server that terminates TLS, as Istio builds it:
 * - ISTIO_MUTUAL: the proxy's workload certificate `default` and the mesh roots `ROOTCA` from
 *   istio-agent's SDS (`sds-grpc`);
 * - credentialName: SDS secret `kubernetes://<name>` from istiod over ADS, and for
 *   MUTUAL/OPTIONAL_MUTUAL the CA `kubernetes://<name>-cacert`; credentialNames (e.g. an RSA and
 *   an ECDSA certificate): one certificate secret per name, the CA from the first;
 * - otherwise the files named by serverCertificate/privateKey/caCertificates, served by
 *   istio-agent over SDS as `file-cert:<cert>~<key>` and `file-root:<ca>`.
 * Client certificates are required for MUTUAL and ISTIO_MUTUAL (validated but optional for
 * OPTIONAL_MUTUAL); subjectAltNames, verifyCertificateSpki/Hash go into the default validation
 * context. For SIMPLE, MUTUAL and OPTIONAL_MUTUAL, tls_params start from MeshConfig
 * `tlsDefaults` (ecdhCurves, cipherSuites, minProtocolVersion) and the server's own
 * min/max version and cipher suites override them; without either Envoy's defaults apply.
 * ISTIO_MUTUAL servers take neither, as in Istio. ALPN h2 + http/1.1.
 */
import type { TlsConfig } from '../../config/mesh-types.js';
import type { ServerTLSSettings, TLSProtocolVersion } from '../../model/types/gateway.js';
import { AnyType } from '../common/any-types.js';
import { agentSdsSecret, credentialSdsSecret, fileCertResource, fileRootResource, SDS_DEFAULT, SDS_ROOT } from '../sidecar/sds.js';
import { credentialRef, type CredentialIndex } from './sds-credentials.js';

type Json = Record<string, unknown>;

const ENVOY_VERSION: Readonly<Record<TLSProtocolVersion, string>> = {
  TLS_AUTO: 'TLS_AUTO', TLSV1_0: 'TLSv1_0', TLSV1_1: 'TLSv1_1', TLSV1_2: 'TLSv1_2', TLSV1_3: 'TLSv1_3',
};

/** The credentials a server names: credentialNames when given, else credentialName. */
export function credentialsOf(tls: ServerTLSSettings): string[] {
  const many = (tls.credentialNames ?? []).filter((n) => n.length > 0);
  if (many.length > 0) return [...new Set(many)];
  return tls.credentialName ? [tls.credentialName] : [];
}

const SIMPLE_OR_MUTUAL = new Set(['SIMPLE', 'MUTUAL', 'OPTIONAL_MUTUAL']);

/** Mesh tlsDefaults, then the server's own settings on top (each field only when set). */
function tlsParams(tls: ServerTLSSettings, defaults: TlsConfig | undefined): Json | undefined {
  if (!SIMPLE_OR_MUTUAL.has(tls.mode ?? 'SIMPLE')) return undefined;
  const params: Json = {};
  if (defaults?.ecdhCurves?.length) params.ecdh_curves = [...defaults.ecdhCurves];
  if (defaults?.cipherSuites?.length) params.cipher_suites = [...defaults.cipherSuites];
  if (defaults?.minProtocolVersion && defaults.minProtocolVersion !== 'TLS_AUTO') params.tls_minimum_protocol_version = ENVOY_VERSION[defaults.minProtocolVersion];
  const min = tls.minProtocolVersion ?? 'TLS_AUTO';
  const max = tls.maxProtocolVersion ?? 'TLS_AUTO';
  if (min !== 'TLS_AUTO') params.tls_minimum_protocol_version = ENVOY_VERSION[min];
  if (max !== 'TLS_AUTO') params.tls_maximum_protocol_version = ENVOY_VERSION[max];
  const ciphers = [...new Set(tls.cipherSuites ?? [])];
  if (ciphers.length > 0) params.cipher_suites = ciphers;
  return Object.keys(params).length > 0 ? params : undefined;
}

function defaultValidation(tls: ServerTLSSettings): Json {
  const out: Json = {};
  if (tls.subjectAltNames?.length) out.match_subject_alt_names = tls.subjectAltNames.map((exact) => ({ exact }));
  if (tls.verifyCertificateSpki?.length) out.verify_certificate_spki = [...tls.verifyCertificateSpki];
  if (tls.verifyCertificateHash?.length) out.verify_certificate_hash = [...tls.verifyCertificateHash];
  return out;
}

function combined(tls: ServerTLSSettings, caSecret: Json): Json {
  return { combined_validation_context: { default_validation_context: defaultValidation(tls), validation_context_sds_secret_config: caSecret } };
}

/** Certificate and validation parts of the CommonTlsContext. */
function certificates(tls: ServerTLSSettings): Json {
  const mutual = tls.mode === 'MUTUAL' || tls.mode === 'OPTIONAL_MUTUAL';
  if (tls.mode === 'ISTIO_MUTUAL') {
    return { tls_certificate_sds_secret_configs: [agentSdsSecret(SDS_DEFAULT)], ...combined(tls, agentSdsSecret(SDS_ROOT)) };
  }
  const credentials = credentialsOf(tls);
  if (credentials.length > 0) {
    const out: Json = { tls_certificate_sds_secret_configs: credentials.map((c) => credentialSdsSecret(c)) };
    if (mutual) return { ...out, ...combined(tls, credentialSdsSecret(credentials[0]!, true)) };
    const sans = defaultValidation(tls);
    return Object.keys(sans).length > 0 ? { ...out, validation_context: sans } : out;
  }
  const cert = tls.serverCertificate && tls.privateKey ? fileCertResource(tls.serverCertificate, tls.privateKey) : SDS_DEFAULT;
  const out: Json = { tls_certificate_sds_secret_configs: [agentSdsSecret(cert)] };
  if (mutual || tls.caCertificates) return { ...out, ...combined(tls, agentSdsSecret(tls.caCertificates ? fileRootResource(tls.caCertificates) : SDS_ROOT)) };
  return out;
}

export function gatewayTlsContext(tls: ServerTLSSettings, tlsDefaults?: TlsConfig): Json {
  const params = tlsParams(tls, tlsDefaults);
  return {
    '@type': AnyType.DownstreamTlsContext,
    common_tls_context: {
      ...(params ? { tls_params: params } : {}),
      alpn_protocols: ['h2', 'http/1.1'],
      ...certificates(tls),
    },
    require_client_certificate: { value: tls.mode === 'MUTUAL' || tls.mode === 'ISTIO_MUTUAL' },
  };
}

/** What credential checks need: the Secret index (absent: not checked) and the proxy's namespace. */
export interface CredentialScope {
  readonly credentials?: CredentialIndex;
  readonly proxy: { readonly namespace: string };
}

/**
 * Why a server's credentialName secrets cannot be served, naming the Secret: each certificate
 * must exist and be valid, and MUTUAL/OPTIONAL_MUTUAL need a CA (`<name>-cacert` or the
 * secret's own ca.crt/cacert). Envoy would otherwise keep the listener warming for a secret
 * that never comes; the caller leaves out this server's chain instead (the rest stays).
 */
export function credentialProblem(tls: ServerTLSSettings, scope: CredentialScope): string | undefined {
  const index = scope.credentials;
  const names = credentialsOf(tls);
  if (!index || names.length === 0 || tls.mode === 'ISTIO_MUTUAL') return undefined;
  for (const name of names) {
    const ref = credentialRef(name, scope.proxy.namespace);
    if (!ref) return `credentialName ${JSON.stringify(name)} is not a valid secret reference`;
    const found = index.certificate(ref.namespace, ref.name);
    if (!found.ok) return `Secret ${ref.namespace}/${ref.name}: ${found.reason}`;
  }
  if (tls.mode === 'MUTUAL' || tls.mode === 'OPTIONAL_MUTUAL') {
    const ref = credentialRef(names[0]!, scope.proxy.namespace)!;
    const ca = index.caCertificate(ref.namespace, ref.name);
    if (!ca.ok) return `Secret ${ref.namespace}/${ref.name} (CA for tls mode ${tls.mode}): ${ca.reason}`;
  }
  return undefined;
}

/** Why a terminating server's TLS settings cannot be served, or undefined. */
export function serverTlsProblem(tls: ServerTLSSettings, scope?: CredentialScope): string | undefined {
  if (tls.mode === 'ISTIO_MUTUAL') return undefined;
  if (credentialsOf(tls).length > 0) return scope ? credentialProblem(tls, scope) : undefined;
  if (!tls.serverCertificate || !tls.privateKey) return `tls mode ${tls.mode ?? 'SIMPLE'} needs credentialName, or serverCertificate and privateKey`;
  if ((tls.mode === 'MUTUAL' || tls.mode === 'OPTIONAL_MUTUAL') && !tls.caCertificates) return `tls mode ${tls.mode} needs caCertificates (or credentialName)`;
  return undefined;
}
