/**
 * TLS termination on a Sidecar ingress listener (`spec.ingress[].tls`), as Istio builds it:
 * certificates mounted into the pod are served by istio-agent over SDS under their file names
 * (`file-cert:<cert>~<key>`, `file-root:<ca>`); ALPN h2, http/1.1; client certificates required
 * for MUTUAL (validated, not required, for OPTIONAL_MUTUAL); mesh tlsDefaults, then the
 * listener's own min/max version and cipher suites. Istio does not support credentialName on
 * sidecars (only gateways read Kubernetes secrets), and applies this only on ports whose
 * PeerAuthentication mode is DISABLE, where it does not clash with mesh mTLS.
 */
import type { MeshConfig } from '../../../config/mesh-types.js';
import type { ServerTLSSettings, TLSProtocolVersion } from '../../../model/types/gateway.js';
import { agentSdsSecret, fileCertResource, fileRootResource, SDS_DEFAULT, SDS_ROOT } from '../sds.js';
import { ListenerType, type Json } from './filters.js';

const SUPPORTED_MODES: ReadonlySet<string> = new Set(['SIMPLE', 'MUTUAL', 'OPTIONAL_MUTUAL']);

const ENVOY_VERSION: Readonly<Record<string, string>> = {
  TLSV1_0: 'TLSv1_0', TLSV1_1: 'TLSv1_1', TLSV1_2: 'TLSv1_2', TLSV1_3: 'TLSv1_3',
};

const envoyVersion = (v: TLSProtocolVersion | string | undefined) => (v ? ENVOY_VERSION[v] : undefined);

/** Why these settings cannot terminate TLS on a sidecar, or undefined when they can. */
export function ingressTlsProblem(tls: ServerTLSSettings): string | undefined {
  if (!SUPPORTED_MODES.has(tls.mode ?? 'PASSTHROUGH')) return `mode ${tls.mode ?? 'PASSTHROUGH'} is not supported on a sidecar ingress listener (SIMPLE or MUTUAL only)`;
  if (tls.credentialName || (tls.credentialNames ?? []).length > 0) return 'credentialName is not supported on sidecars; mount the certificate and use serverCertificate/privateKey';
  if (!tls.serverCertificate || !tls.privateKey) return 'serverCertificate and privateKey are required';
  if (tls.mode !== 'SIMPLE' && !tls.caCertificates) return `caCertificates is required for ${tls.mode}`;
  return undefined;
}

function tlsParams(mesh: MeshConfig, tls: ServerTLSSettings): Json | undefined {
  const params: Json = {};
  const defaults = mesh.tlsDefaults;
  if (defaults?.ecdhCurves?.length) params.ecdh_curves = [...defaults.ecdhCurves];
  if (defaults?.cipherSuites?.length) params.cipher_suites = [...defaults.cipherSuites];
  const meshMin = envoyVersion(defaults?.minProtocolVersion);
  if (meshMin) params.tls_minimum_protocol_version = meshMin;
  const min = envoyVersion(tls.minProtocolVersion);
  if (min) params.tls_minimum_protocol_version = min;
  if (tls.cipherSuites?.length) params.cipher_suites = [...tls.cipherSuites];
  const max = envoyVersion(tls.maxProtocolVersion);
  if (max) params.tls_maximum_protocol_version = max;
  return Object.keys(params).length > 0 ? params : undefined;
}

/** The DownstreamTlsContext for settings that passed ingressTlsProblem. */
export function ingressTlsContext(mesh: MeshConfig, tls: ServerTLSSettings): Json {
  const validate = tls.mode === 'MUTUAL' || tls.mode === 'OPTIONAL_MUTUAL';
  const cert = tls.serverCertificate && tls.privateKey ? fileCertResource(tls.serverCertificate, tls.privateKey) : SDS_DEFAULT;
  const params = tlsParams(mesh, tls);
  const common: Json = {
    ...(params ? { tls_params: params } : {}),
    alpn_protocols: ['h2', 'http/1.1'],
    tls_certificate_sds_secret_configs: [agentSdsSecret(cert)],
  };
  if (validate) {
    common.combined_validation_context = {
      default_validation_context: {},
      validation_context_sds_secret_config: agentSdsSecret(tls.caCertificates ? fileRootResource(tls.caCertificates) : SDS_ROOT),
    };
  }
  return {
    '@type': ListenerType.DownstreamTlsContext,
    common_tls_context: common,
    require_client_certificate: { value: tls.mode === 'MUTUAL' },
  };
}

/** HTTPS → HTTP, TLS → TCP: what the chain speaks once TLS is terminated (Istio's AfterTLSTermination). */
export function afterTlsTermination<P extends string>(protocol: P): P | 'HTTP' | 'TCP' {
  if (protocol === 'HTTPS') return 'HTTP';
  if (protocol === 'TLS') return 'TCP';
  return protocol;
}
