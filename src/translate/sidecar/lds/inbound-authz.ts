/**
 * The RBAC filters AuthorizationPolicies give this proxy's inbound chains: HTTP filters for
 * HttpConnectionManagers (in front of fault/cors/router), network filters for TCP chains (in
 * front of the protocol filters and tcp_proxy). Built once per generate() call and kind.
 * HTTP managers lead with RequestAuthentication's jwt_authn filter, ahead of the RBAC filters.
 */
import { buildAuthnFilters } from '../../common/authn/index.js';
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
    // Authentication first: RBAC's request.auth.* matchers read the payload jwt_authn verified.
    return forTCP ? built.filters : [...inboundAuthnFilters(ctx), ...built.filters];
  });
}

/**
 * The jwt_authn filter RequestAuthentications give this workload (none without them). Istio
 * clears the route cache after verification on gateways only. Unusable key sets are reported.
 */
export function inboundAuthnFilters(ctx: SidecarContext): readonly Json[] {
  return ctx.memo('authn:http', () => {
    const workload = { namespace: ctx.namespace, labels: ctx.proxy.metadata.labels };
    const built = buildAuthnFilters(ctx.snapshot, workload, ctx.jwks, ctx.proxy.type !== 'sidecar');
    for (const p of built.problems) ctx.diags.warn(p.source.policy, p.path, p.reason);
    return built.filters;
  });
}
