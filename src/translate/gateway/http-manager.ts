/**
 * The HttpConnectionManager of gateway filter chains: the sidecar's outbound manager (RDS over
 * ADS, codec AUTO, websocket upgrades, path normalization) with the fields Istio sets for the
 * edge: the gateway is the client's first hop, so it uses the remote address for
 * X-Forwarded-For (xff_num_trusted_hops 0) and sanitizes then sets the client certificate details
 * (SANITIZE_SET with subject, cert, DNS and URI) as Istio's default gateway topology does.
 */
import type { MeshConfig } from '../../config/mesh-types.js';
import { outboundHttpManager } from '../sidecar/lds/http-manager.js';

type Json = Record<string, unknown>;

export function gatewayHttpManager(mesh: MeshConfig, statPrefix: string, routeName: string): Json {
  const filter = outboundHttpManager(mesh, statPrefix, routeName);
  const typed = filter.typed_config as Json;
  return {
    ...filter,
    typed_config: {
      ...typed,
      use_remote_address: { value: true },
      xff_num_trusted_hops: 0,
      forward_client_cert_details: 'SANITIZE_SET',
      set_current_client_cert_details: { subject: { value: true }, cert: true, dns: true, uri: true },
      http_protocol_options: {},
    },
  };
}

/** Istio's stat prefix for a gateway listener's managers: `outbound_<bind>_<port>`. */
export const listenerStatPrefix = (bind: string, port: number) => `outbound_${bind}_${port}`;
