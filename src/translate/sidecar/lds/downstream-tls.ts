/**
 * The DownstreamTlsContext of inbound mTLS chains, as Istio's sidecars serve it: the workload
 * certificate `default` and the mesh root `ROOTCA`, both over SDS from the agent's `sds-grpc`
 * cluster; client certificates required; TLS up to 1.3 with Istio's cipher list.
 *
 * MeshConfig `meshMTLS` tunes this server side only, as in Istio: `minProtocolVersion`
 * (TLSV1_3, else TLS 1.2) and `cipherSuites` (replacing Istio's list). Clients' ISTIO_MUTUAL
 * contexts keep Envoy's client defaults (cds/upstream-tls.ts), and `tlsDefaults` applies only to
 * SIMPLE/MUTUAL origination; `meshMTLS.ecdhCurves` is rejected by mesh validation.
 *
 * ALPN offered: h2, http/1.1. Istio also offers `istio-peer-exchange` on TCP chains because it
 * runs its metadata-exchange filter there; this project does not emit that (non-Envoy) filter,
 * so offering the protocol would make a peer start an exchange nobody answers. Chains still
 * *match* the istio ALPNs clients send.
 */
import type { MeshConfig } from '../../../config/mesh-types.js';
import { agentSdsSecret, SDS_DEFAULT, SDS_ROOT } from '../sds.js';
import { FilterNames, ListenerType, type Json } from './filters.js';


const CIPHER_SUITES = Object.freeze([
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'AES256-GCM-SHA384',
  'AES128-GCM-SHA256',
]);

/** With trust domain aliases, peers must present a SPIFFE id in one of the mesh's trust domains. */
function defaultValidation(mesh: MeshConfig): Json {
  if (mesh.trustDomainAliases.length === 0) return {};
  const domains = [mesh.trustDomain, ...mesh.trustDomainAliases];
  return { match_typed_subject_alt_names: domains.map((td) => ({ san_type: 'URI', matcher: { prefix: `spiffe://${td}/` } })) };
}

function meshMtlsParams(mesh: MeshConfig): Json {
  const mtls = mesh.meshMTLS;
  return {
    tls_minimum_protocol_version: mtls?.minProtocolVersion === 'TLSV1_3' ? 'TLSv1_3' : 'TLSv1_2',
    tls_maximum_protocol_version: 'TLSv1_3',
    cipher_suites: mtls?.cipherSuites?.length ? [...mtls.cipherSuites] : [...CIPHER_SUITES],
  };
}

export function inboundMtlsContext(mesh: MeshConfig): Json {
  return {
    '@type': ListenerType.DownstreamTlsContext,
    common_tls_context: {
      tls_params: meshMtlsParams(mesh),
      alpn_protocols: ['h2', 'http/1.1'],
      tls_certificate_sds_secret_configs: [agentSdsSecret(SDS_DEFAULT)],
      combined_validation_context: {
        default_validation_context: defaultValidation(mesh),
        validation_context_sds_secret_config: agentSdsSecret(SDS_ROOT),
      },
    },
    require_client_certificate: { value: true },
  };
}

export function tlsTransportSocket(context: Json): Json {
  return { name: FilterNames.TlsTransportSocket, typed_config: context };
}
