/**
 * Split-horizon EDS, as Istio's endpoint network filter does it. Only when the mesh has network
 * gateways at all; then, per locality group, for a proxy on network A:
 * - an endpoint is sent as is when it is on A, when either network is unknown (empty), or when
 *   its network has no gateway (Istio assumes it is directly reachable);
 * - otherwise it is replaced by its network's gateways (those of the endpoint's own cluster when
 *   there are any, else all of the network's), but only if it takes Istio mTLS (the gateway
 *   routes by SNI); each gateway's weight is the sum of the weights it stands for, split evenly
 *   across the chosen gateways;
 * - every weight is first scaled by the least common multiple of the gateway counts per network
 *   and per network+cluster, so the split is exact.
 * Gateway endpoints carry tlsMode istio metadata, their network/cluster, and no health status.
 * Groups left empty are dropped (a locality with no endpoints has nothing to send).
 */
import type { MeshEndpoint, NetworkGateway } from '../../../model/registry/types.js';
import { LABEL_NETWORK, NO_LOCALITY } from '../../../model/registry/workload.js';
import { groupOf, memberOf, type Group, type Member } from './endpoints.js';

const LABEL_CLUSTER = 'topology.istio.io/cluster';
const MAX_WEIGHT = 0xffffffff;

interface GatewayIndex {
  readonly byNetwork: ReadonlyMap<string, readonly NetworkGateway[]>;
  readonly byNetworkCluster: ReadonlyMap<string, readonly NetworkGateway[]>;
  readonly scale: number;
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

export function indexGateways(gateways: readonly NetworkGateway[]): GatewayIndex {
  const byNetwork = new Map<string, NetworkGateway[]>();
  const byNetworkCluster = new Map<string, NetworkGateway[]>();
  for (const g of gateways) {
    push(byNetwork, g.network, g);
    push(byNetworkCluster, `${g.network}\u0000${g.cluster}`, g);
  }
  let scale = 1;
  for (const list of [...byNetwork.values(), ...byNetworkCluster.values()]) scale = (scale / gcd(scale, list.length)) * list.length;
  return { byNetwork, byNetworkCluster, scale: scale > 1_000_000 ? 1 : scale };
}

function gatewaysFor(index: GatewayIndex, ep: MeshEndpoint): readonly NetworkGateway[] {
  return index.byNetworkCluster.get(`${ep.network}\u0000${ep.clusterID}`) ?? index.byNetwork.get(ep.network) ?? [];
}

function scaled(m: Member, scale: number): Member {
  if (scale === 1) return m;
  const weight = Math.min(MAX_WEIGHT, m.weight * scale);
  return { ...m, weight, body: { ...m.body, load_balancing_weight: { value: weight } } };
}

/** An LbEndpoint for a network gateway, standing for `weight` worth of remote endpoints. */
export function gatewayMember(gw: NetworkGateway, weight: number): Member {
  const labels: Record<string, string> = {};
  if (gw.cluster) labels[LABEL_CLUSTER] = gw.cluster;
  labels[LABEL_NETWORK] = gw.network;
  const ep: MeshEndpoint = {
    address: gw.address, port: gw.port, servicePortName: '', labels, locality: NO_LOCALITY, namespace: '', network: gw.network,
    tlsMode: 'istio', clusterID: gw.cluster, health: 'HEALTHY', weight,
  };
  const { health_status: _health, ...body } = memberOf(ep).body;
  return { ep, weight, body };
}

const gatewayKey = (g: NetworkGateway) => `${g.network}\u0000${g.cluster}\u0000${g.address}\u0000${String(g.port).padStart(5, '0')}`;

function filterGroup(g: Group, proxyNetwork: string, index: GatewayIndex): Group {
  const direct: Member[] = [];
  const weights = new Map<string, [NetworkGateway, number]>();
  for (const m of g.members) {
    const weight = Math.min(MAX_WEIGHT, m.weight * index.scale);
    const gws = gatewaysFor(index, m.ep);
    if (!proxyNetwork || !m.ep.network || m.ep.network === proxyNetwork || gws.length === 0) {
      direct.push(scaled(m, index.scale));
      continue;
    }
    if (m.ep.tlsMode !== 'istio') continue;
    const share = Math.floor(weight / gws.length);
    for (const gw of gws) {
      const key = gatewayKey(gw);
      weights.set(key, [gw, (weights.get(key)?.[1] ?? 0) + share]);
    }
  }
  const viaGateways = [...weights.keys()].sort().map((k) => {
    const [gw, w] = weights.get(k)!;
    return gatewayMember(gw, Math.max(1, Math.min(MAX_WEIGHT, w)));
  });
  return groupOf(g.locality, [...direct, ...viaGateways], g.priority);
}

/** The groups as a proxy on `proxyNetwork` should see them (unchanged without gateways). */
export function splitHorizon(groups: readonly Group[], proxyNetwork: string, gateways: readonly NetworkGateway[] | undefined): Group[] {
  if (!gateways || gateways.length === 0) return [...groups];
  const index = indexGateways(gateways);
  return groups.map((g) => filterGroup(g, proxyNetwork, index)).filter((g) => g.members.length > 0);
}
