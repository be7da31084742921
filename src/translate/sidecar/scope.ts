/**
 * SidecarScope: what one proxy may see. Starts from exportTo visibility (services,
 * VirtualServices) and narrows it by the Sidecar resource that applies to the proxy.
 * (Initial version: exportTo only; Sidecar egress/ingress handling is being added.)
 */
import type { MeshConfig } from '../../config/mesh-types.js';
import type { ConfigObject } from '../../model/config.js';
import type { IndexedVirtualService } from '../../model/index/virtual-service-index.js';
import type { Proxy } from '../../model/proxy.js';
import type { MeshService } from '../../model/registry/types.js';
import type { Snapshot } from '../../model/snapshot.js';
import type { IstioEgressListener, IstioIngressListener } from '../../model/types/sidecar.js';
import type { Diagnostics } from '../common/diagnostics.js';

export interface SidecarScope {
  /** The Sidecar resource that applies to the proxy, if any. */
  readonly sidecar: ConfigObject | undefined;
  /** Services the proxy may reach, sorted by hostname then namespace. */
  readonly services: readonly MeshService[];
  /** Mesh-bound VirtualServices the proxy sees, oldest first. */
  readonly virtualServices: readonly IndexedVirtualService[];
  readonly outboundTrafficPolicy: 'ALLOW_ANY' | 'REGISTRY_ONLY';
  /** The Sidecar's ingress listeners ([] when none): explicit inbound ports. */
  readonly ingress: readonly IstioIngressListener[];
  /** The Sidecar's egress listeners ([] when none). */
  readonly egress: readonly IstioEgressListener[];
}

export function boundToMesh(vs: IndexedVirtualService): boolean {
  return vs.gateways.length === 0 || vs.gateways.includes('mesh');
}

export function buildSidecarScope(snapshot: Snapshot, proxy: Proxy, mesh: MeshConfig, _diags: Diagnostics): SidecarScope {
  return {
    sidecar: undefined,
    services: snapshot.servicesVisibleTo(proxy.namespace),
    virtualServices: snapshot.virtualServices.visibleTo(proxy.namespace).filter(boundToMesh),
    outboundTrafficPolicy: mesh.outboundTrafficPolicy.mode === 'REGISTRY_ONLY' ? 'REGISTRY_ONLY' : 'ALLOW_ANY',
    ingress: [],
    egress: [],
  };
}
