/**
 * Upstream TLS (UpstreamTlsContext) as Istio builds it for a sidecar cluster:
 * - ISTIO_MUTUAL (set, or automatic): the agent's `default` certificate, `ROOTCA` validation
 *   with the service identities as exact SANs, SNI `outbound_.<port>_.<subset>_.<fqdn>`, ALPN
 *   istio-peer-exchange + istio (+ h2 for HTTP/2 clusters). Automatic mTLS becomes two
 *   transport_socket_matches so endpoints without a sidecar (tlsMode not istio) get plaintext.
 * - SIMPLE / MUTUAL: files served by the agent over SDS (`file-cert:`, `file-root:`; the CA
 *   defaults to `system`), or `credentialName` secrets from istiod; auto SNI / SAN validation
 *   when the rule names no SNI / SANs. `configmap://` (a CA bundle, public) and `invalid://` (a
 *   BackendTLSPolicy without a usable CA: SDS name `invalid://`, never served, so the cluster
 *   never becomes ready) apply to every sidecar; other credentials need a workloadSelector.
 * - DISABLE: no transport socket.
 */
import { AnyType } from '../../common/any-types.js';
import type { MeshConfig } from '../../../config/mesh-types.js';
import type { ClientTLSSettings } from '../../../model/types/destination-rule.js';
import { isHttp2Draft, upstreamHttpOptions, type ClusterDraft, type Json } from './draft.js';
import type { FieldOrigin } from './origin.js';
import { shared } from '../../common/shared.js';
import { adsConfigSource } from '../../common/any-types.js';
import { CONFIGMAP_SCHEME, INVALID_SCHEME } from '../../gateway/sds-configmap.js';
import { agentSdsSecret, credentialSdsSecret, fileCertResource, fileRootResource, SDS_DEFAULT, SDS_ROOT } from '../sds.js';

const TLS_SOCKET = 'envoy.transport_sockets.tls';
const TLS_CONTEXT_TYPE = AnyType.UpstreamTlsContext;
const RAW_BUFFER_SOCKET = {
  name: 'envoy.transport_sockets.raw_buffer',
  typed_config: { '@type': AnyType.RawBuffer },
};

export interface TlsInput {
  readonly draft: ClusterDraft;
  readonly mesh: MeshConfig;
  /** The merged policy's tls, if any. */
  readonly tls: ClientTLSSettings | undefined;
  readonly at: FieldOrigin;
  /** SPIFFE identities of the service (and ServiceEntry subjectAltNames); may be a getter, read only when used. */
  readonly identities: readonly string[];
  /** Istio's default SNI for this cluster. */
  readonly sni: string;
  /** Automatic mTLS applies when the rule sets no tls (auto-mTLS on, in-mesh, not disabled by policy). */
  readonly autoMtls: boolean;
  /** SIMPLE/MUTUAL fall back to the service identities when the rule names no SANs (ServiceEntry hosts). */
  readonly identitiesAsDefaultSans: boolean;
  /** Sidecars may only use credentialName from a DestinationRule with a workloadSelector. */
  readonly ruleHasSelector: boolean;
}

// Parts every ISTIO_MUTUAL cluster has: shared (frozen), so the encoder copies their bytes.
const ISTIO_MUTUAL_TLS_PARAMS = shared({ tls_minimum_protocol_version: 'TLSv1_2', tls_maximum_protocol_version: 'TLSv1_3' });
const ISTIO_ALPN = shared(['istio-peer-exchange', 'istio']);
const ISTIO_ALPN_H2 = shared(['istio-peer-exchange', 'istio', 'h2']);
const DEFAULT_CERTIFICATE = shared([agentSdsSecret(SDS_DEFAULT)]);
const ROOT_CA = shared(agentSdsSecret(SDS_ROOT));
const TLS_MODE_ISTIO = shared({ tlsMode: 'istio' });
const TLS_MODE_DISABLED = shared({ name: 'tlsMode-disabled', match: {}, transport_socket: RAW_BUFFER_SOCKET });

const exactSans = (sans: readonly string[]) => sans.map((exact) => ({ exact }));

function tlsParams(mesh: MeshConfig, withDefaults: boolean): Json {
  const params: Json = { tls_minimum_protocol_version: 'TLSv1_2', tls_maximum_protocol_version: 'TLSv1_3' };
  if (withDefaults && mesh.tlsDefaults?.ecdhCurves?.length) params.ecdh_curves = [...mesh.tlsDefaults.ecdhCurves];
  if (withDefaults && mesh.tlsDefaults?.cipherSuites?.length) params.cipher_suites = [...mesh.tlsDefaults.cipherSuites];
  return params;
}

function istioMutualContext(input: TlsInput, sans: readonly string[], sni: string): Json {
  return {
    '@type': TLS_CONTEXT_TYPE,
    common_tls_context: {
      tls_params: ISTIO_MUTUAL_TLS_PARAMS,
      alpn_protocols: isHttp2Draft(input.draft) ? ISTIO_ALPN_H2 : ISTIO_ALPN,
      tls_certificate_sds_secret_configs: DEFAULT_CERTIFICATE,
      combined_validation_context: {
        default_validation_context: sans.length > 0 ? { match_subject_alt_names: exactSans(sans) } : {},
        validation_context_sds_secret_config: ROOT_CA,
      },
    },
    sni,
  };
}

/** istiod's SDS secret for a credentialName; every `invalid://` name is the one `invalid://`, as Istio names it. */
function credentialSecret(credentialName: string, ca = false): Json {
  return credentialName.startsWith(INVALID_SCHEME) ? { name: INVALID_SCHEME, sds_config: adsConfigSource() } : credentialSdsSecret(credentialName, ca);
}

function validationContext(tls: ClientTLSSettings, sans: readonly string[], secret: Json): Json {
  const defaults: Json = sans.length > 0 ? { match_subject_alt_names: exactSans(sans) } : {};
  if (tls.caCrl) defaults.crl = { filename: tls.caCrl };
  return { combined_validation_context: { default_validation_context: defaults, validation_context_sds_secret_config: secret } };
}

function setAutoSni(input: TlsInput, tls: ClientTLSSettings): void {
  const autoSni = !tls.sni;
  const autoSan = autoSni && (tls.subjectAltNames?.length ?? 0) === 0 && !tls.insecureSkipVerify;
  if (!autoSni && !autoSan) return;
  const upstream = upstreamHttpOptions(input.draft);
  if (autoSni) upstream.auto_sni = true;
  if (autoSan) upstream.auto_san_validation = true;
}

/** SIMPLE or MUTUAL from the rule; undefined (with an error) when MUTUAL has no certificate. */
function userTlsContext(input: TlsInput, tls: ClientTLSSettings, mutual: boolean): Json | undefined {
  const common: Json = { tls_params: tlsParams(input.mesh, true) };
  const sans = tls.subjectAltNames?.length ? tls.subjectAltNames : input.identitiesAsDefaultSans ? input.identities : [];
  if (tls.credentialName) {
    if (mutual) common.tls_certificate_sds_secret_configs = [credentialSecret(tls.credentialName)];
    if (!tls.insecureSkipVerify) Object.assign(common, validationContext(tls, sans, credentialSecret(tls.credentialName, true)));
  } else {
    if (mutual && (!tls.clientCertificate || !tls.privateKey)) {
      input.at.error(undefined, 'mode MUTUAL needs clientCertificate and privateKey (or credentialName): no TLS applied, as in Istio');
      return undefined;
    }
    if (mutual) common.tls_certificate_sds_secret_configs = [agentSdsSecret(fileCertResource(tls.clientCertificate!, tls.privateKey!))];
    if (tls.insecureSkipVerify) common.validation_context = {};
    else Object.assign(common, validationContext(tls, sans, agentSdsSecret(fileRootResource(tls.caCertificates || 'system'))));
  }
  setAutoSni(input, tls);
  if (isHttp2Draft(input.draft)) common.alpn_protocols = ['h2'];
  return { '@type': TLS_CONTEXT_TYPE, common_tls_context: common, ...(tls.sni ? { sni: tls.sni } : {}) };
}

const tlsSocket = (context: Json): Json => ({ name: TLS_SOCKET, typed_config: context });

/**
 * Istio drops TLS for a privileged credentialName on a sidecar without a workloadSelector. Not
 * for `invalid://`: dropping TLS there would send plaintext where the policy wants verified TLS.
 */
function sidecarMayUseCredential(input: TlsInput, tls: ClientTLSSettings): boolean {
  const name = tls.credentialName ?? '';
  const privileged = name !== '' && !name.startsWith(CONFIGMAP_SCHEME) && !name.startsWith(INVALID_SCHEME);
  if (!privileged || input.ruleHasSelector) return true;
  input.at.warn('credentialName', 'sidecars use credentialName only from a DestinationRule with a workloadSelector: no TLS applied, as in Istio');
  return false;
}

export function applyUpstreamTls(input: TlsInput): void {
  const { draft, tls } = input;
  if (!tls) {
    if (!input.autoMtls) return;
    const socket = tlsSocket(istioMutualContext(input, input.identities, input.sni));
    if (draft.cluster.type === 'ORIGINAL_DST') draft.cluster.transport_socket = socket;
    else draft.cluster.transport_socket_matches = [
      { name: 'tlsMode-istio', match: TLS_MODE_ISTIO, transport_socket: socket },
      TLS_MODE_DISABLED,
    ];
    return;
  }
  const mode = tls.mode ?? 'DISABLE';
  if (mode === 'DISABLE') return;
  if (mode === 'ISTIO_MUTUAL') {
    draft.cluster.transport_socket = tlsSocket(istioMutualContext(input, tls.subjectAltNames?.length ? tls.subjectAltNames : input.identities, tls.sni || input.sni));
    return;
  }
  if (!sidecarMayUseCredential(input, tls)) return;
  const context = userTlsContext(input, tls, mode === 'MUTUAL');
  if (context) draft.cluster.transport_socket = tlsSocket(context);
}
