/**
 * SdsSecretConfigs as Istio writes them for sidecars, upstream (clusters) and downstream (inbound mTLS): the workload certificate (`default`),
 * the mesh roots (`ROOTCA`) and DestinationRule file references (`file-cert:<cert>~<key>`,
 * `file-root:<ca>`) come from istio-agent's `sds-grpc` bootstrap cluster; Kubernetes secrets
 * (`credentialName`) come from istiod itself over ADS as `kubernetes://<name>`.
 */
import { adsConfigSource } from '../common/any-types.js';

type Json = Record<string, unknown>;

export const SDS_DEFAULT = 'default';
export const SDS_ROOT = 'ROOTCA';
export const SDS_AGENT_CLUSTER = 'sds-grpc';
const CA_SUFFIX = '-cacert';

/** A secret served by istio-agent; `default` and `ROOTCA` do not wait for a first fetch. */
export function agentSdsSecret(name: string): Json {
  const waitless = name === SDS_DEFAULT || name === SDS_ROOT;
  return {
    name,
    sds_config: {
      api_config_source: {
        api_type: 'GRPC',
        set_node_on_first_message_only: true,
        transport_api_version: 'V3',
        grpc_services: [{ envoy_grpc: { cluster_name: SDS_AGENT_CLUSTER } }],
      },
      resource_api_version: 'V3',
      ...(waitless ? { initial_fetch_timeout: { seconds: 0, nanos: 0 } } : {}),
    },
  };
}

/** `kubernetes://<name>` unless the name already carries a scheme. */
export function credentialResourceName(name: string): string {
  return name.includes('://') ? name : `kubernetes://${name}`;
}

/** A credentialName secret (or its CA with `ca`), served by istiod over ADS. */
export function credentialSdsSecret(credentialName: string, ca = false): Json {
  return { name: credentialResourceName(ca ? `${credentialName}${CA_SUFFIX}` : credentialName), sds_config: adsConfigSource() };
}

export const fileCertResource = (cert: string, key: string) => `file-cert:${cert}~${key}`;
export const fileRootResource = (ca: string) => `file-root:${ca}`;
