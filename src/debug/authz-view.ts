/**
 * /debug/authorizationz?proxyID=<pod>.<namespace>: for a connected proxy, the
 * AuthorizationPolicies that apply to it (selected as its generator selects them: root and own
 * namespace, selector on its labels, targetRefs to its Kubernetes Gateway) and the RBAC filters
 * they become on its HTTP and TCP filter chains, with the rules left out and why; and the
 * RequestAuthentications that apply with the jwt_authn filter they become (with key-set
 * problems). Read-only: it builds with the pure authz/authn builders from the current snapshot
 * and JWKS lookup, the same inputs the generators use.
 */
import type { MeshConfig } from '../config/mesh-types.js';
import type { ConfigObject } from '../model/config.js';
import type { Proxy } from '../model/proxy.js';
import type { Snapshot } from '../model/snapshot.js';
import type { AuthorizationPolicySpec } from '../model/types/security.js';
import type { AdsServer } from '../serve/types.js';
import { buildAuthnFilters, EMPTY_JWKS, selectRequestAuthentications, type JwksLookup } from '../translate/common/authn/index.js';
import { buildRbacFilters, isDryRun, selectPolicies, snapshotServiceLookup, trustDomainBundle, type SelectedPolicies, type SkippedRule } from '../translate/common/authz/index.js';
import { Reply, type RouteHandler } from './http-server.js';

export type PolicyScope = 'mesh' | 'namespace' | 'workload';

export interface AppliedPolicy {
  readonly namespace: string;
  readonly name: string;
  readonly action: string;
  readonly scope: PolicyScope;
  readonly dryRun: boolean;
}

export interface AuthzViewSource {
  readonly ads: AdsServer;
  readonly snapshot: () => Snapshot | undefined;
  readonly mesh: () => MeshConfig;
  /** The key sets istiod fetched for jwksUri rules (absent: none). */
  readonly jwks?: () => JwksLookup;
}

/** Istio's scopes: selector or targetRefs → workload; else the root namespace → mesh; else namespace. */
function scopeOf(p: ConfigObject, rootNamespace: string): PolicyScope {
  const spec = (p.spec ?? {}) as unknown as AuthorizationPolicySpec;
  const targeted = spec.targetRef !== undefined || (spec.targetRefs?.length ?? 0) > 0;
  if (targeted || Object.keys(spec.selector?.matchLabels ?? {}).length > 0) return 'workload';
  return p.metadata.namespace === rootNamespace ? 'mesh' : 'namespace';
}

function applied(selected: SelectedPolicies, rootNamespace: string): AppliedPolicy[] {
  const groups: [string, readonly ConfigObject[]][] = [['CUSTOM', selected.custom], ['AUDIT', selected.audit], ['DENY', selected.deny], ['ALLOW', selected.allow]];
  return groups.flatMap(([action, policies]) => policies.map((p) => ({
    namespace: p.metadata.namespace,
    name: p.metadata.name,
    action,
    scope: scopeOf(p, rootNamespace),
    dryRun: isDryRun(p),
  })));
}

const skippedView = (s: readonly SkippedRule[]) => s.map((r) => ({ policy: `${r.policy.metadata.namespace}/${r.policy.metadata.name}`, path: r.path, reason: r.reason }));

/** The view's body for one proxy and snapshot (exported for tests). */
export function authorizationFor(proxy: Proxy, snapshot: Snapshot, mesh: MeshConfig, jwks: JwksLookup = EMPTY_JWKS): Record<string, unknown> {
  const workload = { namespace: proxy.namespace, labels: proxy.metadata.labels };
  const selected = selectPolicies(snapshot, workload);
  const authn = buildAuthnFilters(snapshot, workload, jwks, proxy.type !== 'sidecar');
  const td = trustDomainBundle(mesh.trustDomain, mesh.trustDomainAliases);
  // CUSTOM policies resolve their ext_authz provider exactly as the generators do.
  const ext = { providers: mesh.extensionProviders, lookup: snapshotServiceLookup(snapshot, proxy.namespace) };
  const http = buildRbacFilters(selected, false, td, ext);
  const tcp = buildRbacFilters(selected, true, td, ext);
  return {
    proxy: proxy.id,
    type: proxy.type,
    namespace: proxy.namespace,
    snapshotVersion: snapshot.version,
    policies: applied(selected, snapshot.options.rootNamespace),
    requestAuthentications: selectRequestAuthentications(snapshot, workload).map((p) => `${p.metadata.namespace}/${p.metadata.name}`),
    filters: { authn: authn.filters, http: http.filters, tcp: tcp.filters },
    skipped: { http: skippedView(http.skipped), tcp: skippedView(tcp.skipped) },
    authnProblems: authn.problems.map((p) => ({ policy: `${p.source.policy.metadata.namespace}/${p.source.policy.metadata.name}`, path: p.path, reason: p.reason })),
  };
}

export function authzView(src: AuthzViewSource): RouteHandler {
  return (query) => {
    const connected = () => src.ads.connections().map((c) => c.proxyId);
    const proxyId = query.get('proxyID');
    if (!proxyId) return new Reply(400, { error: 'query parameter proxyID=<pod>.<namespace> is required', connected: connected() });
    const proxy = src.ads.connectedProxy?.(proxyId);
    if (!proxy) return new Reply(404, { error: `proxy ${JSON.stringify(proxyId)} is not connected`, connected: connected() });
    const snapshot = src.snapshot();
    if (!snapshot) return new Reply(503, { error: 'no configuration snapshot yet' });
    return authorizationFor(proxy, snapshot, src.mesh(), src.jwks?.());
  };
}
