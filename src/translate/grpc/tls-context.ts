/**
 * TLS contexts for proxyless gRPC (gRFC A29): certificates come from the certificate provider
 * instance `default` that Istio's agent writes into the gRPC bootstrap (file_watcher plugin):
 * certificate `default` is the workload's key and chain, `ROOTCA` the mesh's roots.
 *
 * Only the current fields are set (tls_certificate_provider_instance, and
 * ca_certificate_provider_instance in a plain validation_context), which gRPC C-core, Java and
 * Go read since 1.41 and grpc-js-xds reads exclusively. Istio's grpcgen also repeats them in
 * the deprecated fields (CommonTlsContext field 11 and, inside combined_validation_context,
 * field 4) for older releases; a combined_validation_context without an SDS secret breaks
 * Envoy's validate rules, so that legacy form is left out here.
 */
import { AnyType } from '../common/any-types.js';
import type { Json } from './rds-match.js';

export const TLS_TRANSPORT_SOCKET = 'envoy.transport_sockets.tls';
export const CERT_PROVIDER_INSTANCE = 'default';
export const IDENTITY_CERTIFICATE = 'default';
export const ROOT_CERTIFICATE = 'ROOTCA';

const UPSTREAM = AnyType.UpstreamTlsContext;
const DOWNSTREAM = AnyType.DownstreamTlsContext;

const instance = (certificateName: string): Json => ({ instance_name: CERT_PROVIDER_INSTANCE, certificate_name: certificateName });

/** The workload certificate, and the roots with exact SAN matches (none: any peer the roots sign). */
function commonTlsContext(sans: readonly string[]): Json {
  return {
    tls_certificate_provider_instance: instance(IDENTITY_CERTIFICATE),
    validation_context: {
      ...(sans.length > 0 ? { match_subject_alt_names: sans.map((exact) => ({ exact })) } : {}),
      ca_certificate_provider_instance: instance(ROOT_CERTIFICATE),
    },
  };
}

/** A cluster's transport socket: mTLS to servers presenting one of `sans`. */
export function upstreamMtlsSocket(sans: readonly string[]): Json {
  return { name: TLS_TRANSPORT_SOCKET, typed_config: { '@type': UPSTREAM, common_tls_context: commonTlsContext(sans) } };
}

/**
 * A server filter chain's transport socket: mTLS, client certificate required and verified
 * against the roots. No SAN match: gRPC servers do not support match_subject_alt_names (A29).
 */
export function downstreamMtlsSocket(): Json {
  return {
    name: TLS_TRANSPORT_SOCKET,
    typed_config: { '@type': DOWNSTREAM, common_tls_context: commonTlsContext([]), require_client_certificate: { value: true } },
  };
}
