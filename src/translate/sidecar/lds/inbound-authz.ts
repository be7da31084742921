/**
 * The RBAC filters AuthorizationPolicies give this proxy's inbound chains: HTTP filters for
 * HttpConnectionManagers (in front of fault/cors/router), network filters for TCP chains (in
 * front of the protocol filters and tcp_proxy). Built once per generate() call and kind.
 */
import { buildAuthzFilters, trustDomainBundle } from '../../common/authz/index.js';
import type { SidecarContext } from '../context.js';
import type { Json } from './filters.js';

export function inboundAuthzFilters(ctx: SidecarContext, forTCP: boolean): readonly Json[] {
  return ctx.memo(`authz:${forTCP ? 'tcp' : 'http'}`, () => {
    const td = trustDomainBundle(ctx.mesh.trustDomain, ctx.mesh.trustDomainAliases);
    const built = buildAuthzFilters(ctx.snapshot, { namespace: ctx.namespace, labels: ctx.proxy.metadata.labels }, forTCP, td, ctx.mesh.extensionProviders);
    // On TCP chains HTTP-only rules are expected to drop out; only HTTP failures mean bad config.
    if (!forTCP) for (const s of built.skipped) ctx.diags.warn(s.policy, s.path, `authorization rule skipped: ${s.reason}`);
    for (const n of built.customNotes) ctx.diags.warn(n.policy, n.path, n.reason);
    return built.filters;
  });
}
