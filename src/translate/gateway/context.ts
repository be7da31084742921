/**
 * What the gateway builders read: a SidecarContext (so the sidecar's route, cluster and endpoint
 * builders work unchanged) whose scope is Istio's gateway scope: every service and DestinationRule
 * visible from the gateway's namespace, no Sidecar resource (Istio ignores Sidecars for routers),
 * and no mesh-bound VirtualServices (a gateway only routes by VirtualServices bound to it).
 */
import type { MeshConfig } from '../../config/mesh-types.js';
import type { Proxy } from '../../model/proxy.js';
import type { Snapshot } from '../../model/snapshot.js';
import type { JwksLookup } from '../common/authn/jwks-lookup.js';
import { SidecarContext } from '../sidecar/context.js';
import type { SidecarScope } from '../sidecar/scope.js';
import type { TranslateDiagnostic } from '../types.js';
import type { GatewayFeatures } from './features.js';
import type { CredentialIndex } from './sds-credentials.js';
import { mergeGateways, type MergedGateway } from './merge.js';
import { gatewaysForProxy } from './select.js';

function gatewayScope(snapshot: Snapshot, proxy: Proxy, mesh: MeshConfig): SidecarScope {
  const visible = snapshot.servicesVisibleTo(proxy.namespace);
  return {
    sidecar: undefined,
    services: visible,
    virtualServices: [],
    outboundTrafficPolicy: mesh.outboundTrafficPolicy.mode === 'REGISTRY_ONLY' ? 'REGISTRY_ONLY' : 'ALLOW_ANY',
    ingress: [],
    egress: [],
    egressListeners: [{ listener: undefined, path: undefined, port: undefined, hosts: [{ namespace: '*', host: '*' }], services: visible, virtualServices: [] }],
  };
}

/** A merged gateway with the findings merging reported, so a reused merge reports them again. */
export interface MergeResult {
  readonly merged: MergedGateway;
  readonly diagnostics: readonly TranslateDiagnostic[];
}

/**
 * Where a generator keeps merges between generate() calls: returns the kept result for this
 * context's snapshot and proxy scope, or builds and keeps it. Merged gateways depend only on
 * the snapshot and the proxy's namespace, labels and IPs, so LDS, RDS and CDS share one merge.
 */
export type MergeStore = (build: () => MergeResult) => MergeResult;

export class GatewayContext extends SidecarContext {
  private routerScope: SidecarScope | undefined;
  private mergedMemo: MergedGateway | undefined;

  constructor(
    snapshot: Snapshot, proxy: Proxy, mesh: MeshConfig, readonly gatewayFeatures: GatewayFeatures,
    readonly credentials?: CredentialIndex, private readonly mergeStore?: MergeStore, jwks?: JwksLookup,
  ) {
    super(snapshot, proxy, mesh, undefined, jwks);
  }

  override get scope(): SidecarScope {
    return (this.routerScope ??= gatewayScope(this.snapshot, this.proxy, this.mesh));
  }

  /** The Gateways selecting this proxy, merged per port as Istio's MergeGateways does. */
  get merged(): MergedGateway {
    return (this.mergedMemo ??= this.mergeOnce());
  }

  private mergeOnce(): MergedGateway {
    const build = (): MergeResult => {
      const start = this.diags.items.length;
      const merged = mergeGateways(this, gatewaysForProxy(this.snapshot, this.proxy, this.gatewayFeatures.scopeGatewayToNamespace));
      return { merged, diagnostics: this.diags.items.slice(start) };
    };
    if (!this.mergeStore) return build().merged;
    let built = false;
    const result = this.mergeStore(() => ((built = true), build()));
    if (!built) this.diags.items.push(...result.diagnostics);
    return result.merged;
  }
}
