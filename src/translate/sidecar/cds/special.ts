/**
 * Istio's fixed sidecar clusters: BlackHoleCluster (STATIC, no endpoints: traffic to it fails),
 * PassthroughCluster (original destination for traffic to unknown hosts and ports) and
 * InboundPassthroughCluster (the same for inbound traffic to undeclared ports, bound to the
 * passthrough source address so iptables does not loop it back).
 */
import type { MeshConfig } from '../../../config/mesh-types.js';
import type { Proxy } from '../../../model/proxy.js';
import type { XdsResource } from '../../types.js';
import { SpecialCluster } from '../../common/cluster-name.js';
import { applyConnectionPool } from './connection-pool.js';
import { commonHttpOptions, finishDraft, meshConnectTimeout, newDraft, setUseDownstreamProtocol, type ClusterDraft } from './draft.js';
import type { FieldOrigin } from './origin.js';
import { passthroughBindConfig } from './shared.js';

/** Diagnostics of the special clusters have no source object (the pool is always empty). */
const NOWHERE: FieldOrigin = { source: undefined, path: '', warn: () => undefined, error: () => undefined };


export function buildBlackHoleCluster(mesh: MeshConfig): XdsResource {
  const draft = newDraft(SpecialCluster.BlackHole, 'STATIC');
  delete draft.cluster.common_lb_config;
  Object.assign(draft.cluster, { connect_timeout: meshConnectTimeout(mesh), lb_policy: 'ROUND_ROBIN' });
  return finishDraft(draft);
}

function passthroughDraft(name: string, mesh: MeshConfig): ClusterDraft {
  const draft = newDraft(name, 'ORIGINAL_DST');
  delete draft.cluster.common_lb_config;
  draft.cluster.lb_policy = 'CLUSTER_PROVIDED';
  applyConnectionPool(draft, mesh, {}, NOWHERE);
  setUseDownstreamProtocol(draft);
  commonHttpOptions(draft).idle_timeout = { seconds: 300, nanos: 0 };
  return draft;
}

export function buildPassthroughCluster(mesh: MeshConfig): XdsResource {
  return finishDraft(passthroughDraft(SpecialCluster.Passthrough, mesh));
}

export function buildInboundPassthroughCluster(mesh: MeshConfig, proxy: Proxy): XdsResource {
  // Istio renames its default passthrough cluster, keeping its stat name `PassthroughCluster;`.
  const draft = passthroughDraft(SpecialCluster.InboundPassthrough, mesh);
  draft.cluster.alt_stat_name = `${SpecialCluster.Passthrough};`;
  draft.cluster.upstream_bind_config = passthroughBindConfig(proxy, true);
  return finishDraft(draft);
}
