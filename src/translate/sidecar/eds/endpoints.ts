/**
 * LbEndpoints and their locality groups for one cluster, from the endpoints Istio sends (see
 * sendableEndpoint). Each endpoint carries its health,
 * its weight (default 1), the `envoy.transport_socket_match` metadata that selects the
 * cluster's Istio mTLS transport socket when the workload has a sidecar (tlsMode istio), and
 * Istio's telemetry metadata `istio.workload` = `name;namespace;canonical-name;canonical-revision;cluster`.
 */
import type { HealthStatus, Locality, MeshEndpoint, MeshService } from '../../../model/registry/types.js';

export type Json = Record<string, unknown>;

export interface Member {
  readonly ep: MeshEndpoint;
  readonly weight: number;
  readonly body: Json;
}

/** One LocalityLbEndpoints before it is written out. */
export interface Group {
  readonly locality: Locality;
  readonly members: readonly Member[];
  /** Sum of the members' weights, or the weight a distribute rule gave it. */
  readonly weight: number;
  readonly priority: number;
}

const ENVOY_HEALTH: Readonly<Record<HealthStatus, string>> = {
  HEALTHY: 'HEALTHY',
  UNHEALTHY: 'UNHEALTHY',
  DRAINING: 'DRAINING',
  TERMINATING: 'DRAINING',
};

/** Istio's defaults for PILOT_PERSISTENT_SESSION_LABEL / _HEADER_LABEL and PILOT_DRAINING_LABEL. */
const PERSISTENT_SESSION_LABELS = Object.freeze(['istio.io/persistent-session', 'istio.io/persistent-session-header']);
const DRAINING_LABEL = 'istio.io/draining';

/**
 * Whether Istio sends `ep` in `service`'s endpoints (its EDS endpoint filter, with
 * PILOT_SEND_UNHEALTHY_ENDPOINTS at its default, false): not-ready endpoints are left out, so
 * Envoy's panic threshold never sends traffic to them; terminating ones always; draining ones
 * (terminating but serving, or labelled istio.io/draining) only for persistent-session services.
 */
export function sendableEndpoint(service: MeshService, ep: MeshEndpoint): boolean {
  if (ep.health === 'UNHEALTHY' || ep.health === 'TERMINATING') return false;
  const draining = ep.health === 'DRAINING' || !!ep.labels[DRAINING_LABEL];
  return !draining || PERSISTENT_SESSION_LABELS.some((l) => !!service.labels[l]);
}

export const localityKey = (l: Locality) => `${l.region}/${l.zone}/${l.subzone}`;

/** Istio's canonical service name and revision, from the workload's labels. */
function canonical(ep: MeshEndpoint): [string, string] {
  const l = ep.labels;
  const name = l['service.istio.io/canonical-name'] ?? l['app.kubernetes.io/name'] ?? l.app ?? ep.workloadName ?? '';
  const revision = l['service.istio.io/canonical-revision'] ?? l['app.kubernetes.io/version'] ?? l.version ?? 'latest';
  return [name, revision === 'latest' ? '' : revision];
}

function healthOf(ep: MeshEndpoint): string {
  return ep.labels[DRAINING_LABEL] ? 'DRAINING' : ENVOY_HEALTH[ep.health];
}

function metadataOf(ep: MeshEndpoint): Json {
  const [name, revision] = canonical(ep);
  const filter: Json = { istio: { workload: [ep.workloadName ?? '', ep.namespace, name, revision, ep.clusterID].join(';') } };
  if (ep.tlsMode === 'istio') filter['envoy.transport_socket_match'] = { tlsMode: 'istio' };
  return { filter_metadata: filter };
}

/** A unix:// endpoint (ServiceEntry STATIC) is a pipe; anything else an IP socket address. */
function addressOf(ep: MeshEndpoint): Json {
  if (ep.address.startsWith('unix://')) return { pipe: { path: ep.address.slice('unix://'.length) } };
  return { socket_address: { address: ep.address, port_value: ep.port } };
}

export function memberOf(ep: MeshEndpoint): Member {
  const weight = ep.weight && ep.weight > 0 ? ep.weight : 1;
  return {
    ep,
    weight,
    body: {
      endpoint: { address: addressOf(ep) },
      health_status: healthOf(ep),
      metadata: metadataOf(ep),
      load_balancing_weight: { value: weight },
    },
  };
}

const sumWeights = (members: readonly Member[]) => members.reduce((n, m) => n + m.weight, 0);

export function groupOf(locality: Locality, members: readonly Member[], priority = 0): Group {
  return { locality, members, weight: sumWeights(members), priority };
}

/** One group per locality, sorted by `region/zone/subzone`; members in endpoint order. */
export function groupByLocality(members: readonly Member[]): Group[] {
  const byKey = new Map<string, Member[]>();
  for (const m of members) {
    const key = localityKey(m.ep.locality);
    byKey.set(key, [...(byKey.get(key) ?? []), m]);
  }
  return [...byKey.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, list]) => groupOf(list[0]!.ep.locality, list));
}

export function groupBody(g: Group): Json {
  return {
    locality: { region: g.locality.region, zone: g.locality.zone, sub_zone: g.locality.subzone },
    lb_endpoints: g.members.map((m) => m.body),
    load_balancing_weight: { value: g.weight },
    ...(g.priority > 0 ? { priority: g.priority } : {}),
  };
}
