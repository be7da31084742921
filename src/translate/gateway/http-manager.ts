/**
 * The HttpConnectionManager of gateway filter chains: the sidecar's outbound manager (RDS over
 * ADS, codec AUTO, websocket upgrades, path normalization) with the fields Istio sets for the
 * edge: the gateway uses the remote address for X-Forwarded-For, trusting as many hops in front
 * of it as ProxyConfig gatewayTopology.numTrustedProxies says (default 0: it is the client's
 * first hop), and handles client certificate details by gatewayTopology.forwardClientCertDetails
 * (default SANITIZE_SET, with subject, cert, DNS and URI), as Istio does. proxyHeaders set the
 * Server header (`istio-envoy`), request-id generation and debug headers.
 *
 * A gateway has a manager per HTTPS server (1,000 in Istio's `gateways` benchmark) that differ
 * only in stat prefix and route name: the rest is built once per generate() call and shared
 * (deep-frozen, so the encoder encodes those parts once).
 *
 * AuthorizationPolicies selecting the gateway pod put their RBAC HTTP filters first in every
 * manager's http_filters (the template is unchanged when none applies).
 */
import { gatewayTopologyOf } from '../common/proxy-config.js';
import { shared } from '../common/shared.js';
import type { SidecarContext } from '../sidecar/context.js';
import { outboundHttpManager } from '../sidecar/lds/http-manager.js';
import { inboundAuthzFilters } from '../sidecar/lds/inbound-authz.js';

type Json = Record<string, unknown>;

function managerTemplate(ctx: SidecarContext, authz: readonly Json[]): Json {
  const topology = gatewayTopologyOf(ctx.proxyConfig as Json);
  const filter = outboundHttpManager(ctx.mesh, '', '', ctx.proxyHeaders('gateway'));
  const typed = filter.typed_config as Json;
  const httpFilters = typed.http_filters as readonly Json[];
  const template = {
    ...filter,
    typed_config: {
      ...typed,
      use_remote_address: { value: true },
      xff_num_trusted_hops: topology.numTrustedProxies,
      forward_client_cert_details: topology.forwardClientCertDetails,
      set_current_client_cert_details: { subject: { value: true }, cert: true, dns: true, uri: true },
      http_protocol_options: {},
      ...(authz.length > 0 ? { http_filters: [...authz, ...httpFilters] } : {}),
    },
  };
  return shared(template);
}

export function gatewayHttpManager(ctx: SidecarContext, statPrefix: string, routeName: string): Json {
  const template = ctx.memo('gw.httpManager', () => managerTemplate(ctx, inboundAuthzFilters(ctx, false)));
  const typed = template.typed_config as Json;
  const rds = typed.rds as Json;
  return { ...template, typed_config: { ...typed, stat_prefix: statPrefix, rds: { ...rds, route_config_name: routeName } } };
}

/** Istio's stat prefix for a gateway listener's managers: `outbound_<bind>_<port>`. */
export const listenerStatPrefix = (bind: string, port: number) => `outbound_${bind}_${port}`;
