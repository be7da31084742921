/**
 * The HttpConnectionManager of gateway filter chains: the sidecar's outbound manager (RDS over
 * ADS, codec AUTO, websocket upgrades, path normalization) with the fields Istio sets for the
 * edge: the gateway is the client's first hop, so it uses the remote address for
 * X-Forwarded-For (xff_num_trusted_hops 0) and sanitizes then sets the client certificate details
 * (SANITIZE_SET with subject, cert, DNS and URI) as Istio's default gateway topology does.
 *
 * A gateway has a manager per HTTPS server (1,000 in Istio's `gateways` benchmark) that differ
 * only in stat prefix and route name: the rest is built once per generate() call and shared
 * (deep-frozen, so the encoder encodes those parts once).
 *
 * AuthorizationPolicies selecting the gateway pod put their RBAC HTTP filters first in every
 * manager's http_filters (the template is unchanged when none applies).
 */
import type { MeshConfig } from '../../config/mesh-types.js';
import { shared } from '../common/shared.js';
import type { SidecarContext } from '../sidecar/context.js';
import { outboundHttpManager } from '../sidecar/lds/http-manager.js';
import { inboundAuthzFilters } from '../sidecar/lds/inbound-authz.js';

type Json = Record<string, unknown>;

function managerTemplate(mesh: MeshConfig, authz: readonly Json[]): Json {
  const filter = outboundHttpManager(mesh, '', '');
  const typed = filter.typed_config as Json;
  const httpFilters = typed.http_filters as readonly Json[];
  const template = {
    ...filter,
    typed_config: {
      ...typed,
      use_remote_address: { value: true },
      xff_num_trusted_hops: 0,
      forward_client_cert_details: 'SANITIZE_SET',
      set_current_client_cert_details: { subject: { value: true }, cert: true, dns: true, uri: true },
      http_protocol_options: {},
      ...(authz.length > 0 ? { http_filters: [...authz, ...httpFilters] } : {}),
    },
  };
  return shared(template);
}

export function gatewayHttpManager(ctx: SidecarContext, statPrefix: string, routeName: string): Json {
  const template = ctx.memo('gw.httpManager', () => managerTemplate(ctx.mesh, inboundAuthzFilters(ctx, false)));
  const typed = template.typed_config as Json;
  const rds = typed.rds as Json;
  return { ...template, typed_config: { ...typed, stat_prefix: statPrefix, rds: { ...rds, route_config_name: routeName } } };
}

/** Istio's stat prefix for a gateway listener's managers: `outbound_<bind>_<port>`. */
export const listenerStatPrefix = (bind: string, port: number) => `outbound_${bind}_${port}`;
