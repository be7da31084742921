/**
 * Referential integrity of one proxy's full xDS answer, the checks Envoy makes when it accepts
 * (or warms) resources: names are unique per type; every RDS name a listener uses is served;
 * every cluster named by a route, a weighted split, a mirror policy, a tcp_proxy or an ext_authz filter exists; every
 * EDS cluster has a ClusterLoadAssignment; no virtual host domain appears twice in one route
 * configuration; no two filter chains of one listener match the same connections; no two
 * listeners share an address.
 */
import type { XdsResource } from '../../src/translate/types.js';

type Json = Record<string, any>;
const HCM = 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';
const TCP_PROXY = 'type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy';
const EXT_AUTHZ = ['type.googleapis.com/envoy.extensions.filters.http.ext_authz.v3.ExtAuthz', 'type.googleapis.com/envoy.extensions.filters.network.ext_authz.v3.ExtAuthz'];

export interface XdsSet {
  listeners: readonly XdsResource[];
  routes: readonly XdsResource[];
  clusters: readonly XdsResource[];
  endpoints: readonly XdsResource[];
}

function duplicates(names: readonly string[]): string[] {
  const seen = new Set<string>();
  const dup = new Set<string>();
  for (const n of names) (seen.has(n) ? dup : seen).add(n);
  return [...dup];
}

/** Names unique per type, and each resource's name is the one inside its body. */
function checkNames(set: XdsSet, problems: string[]): void {
  const types = { listeners: set.listeners, routes: set.routes, clusters: set.clusters, endpoints: set.endpoints };
  for (const [type, list] of Object.entries(types)) {
    for (const d of duplicates(list.map((r) => r.name))) problems.push(`${type}: name ${d} is served more than once`);
    for (const r of list) {
      const inner = (r.body as Json).name ?? (r.body as Json).cluster_name;
      if (inner !== r.name) problems.push(`${type} ${r.name}: body names itself ${JSON.stringify(inner)}`);
    }
  }
}

/** Every filter chain of a listener, the default one included. */
function chainsOf(listener: Json): Json[] {
  return [...((listener.filter_chains ?? []) as Json[]), ...(listener.default_filter_chain ? [listener.default_filter_chain as Json] : [])];
}

function networkFilters(listener: Json, typeUrl: string): Json[] {
  return chainsOf(listener).flatMap((c) => ((c.filters ?? []) as Json[]).map((f) => f.typed_config as Json | undefined).filter((t): t is Json => t?.['@type'] === typeUrl));
}

/** Clusters ext_authz filters call (HTTP filters of each HCM, and network filters). */
function extAuthzClusters(listener: Json): string[] {
  const http = networkFilters(listener, HCM).flatMap((hcm) => ((hcm.http_filters ?? []) as Json[]).map((f) => f.typed_config as Json | undefined));
  const network = chainsOf(listener).flatMap((c) => ((c.filters ?? []) as Json[]).map((f) => f.typed_config as Json | undefined));
  return [...http, ...network]
    .filter((t): t is Json => EXT_AUTHZ.includes(t?.['@type']))
    .map((t) => t.grpc_service?.envoy_grpc?.cluster_name ?? t.http_service?.server_uri?.cluster)
    .filter((c): c is string => typeof c === 'string');
}

/** Clusters a route configuration names: route.cluster, weighted_clusters, mirrors. */
function clustersOfRouteConfig(rc: Json): string[] {
  const out: string[] = [];
  for (const vh of (rc.virtual_hosts ?? []) as Json[]) {
    for (const r of (vh.routes ?? []) as Json[]) {
      const action = r.route as Json | undefined;
      if (!action) continue;
      if (action.cluster) out.push(action.cluster);
      for (const w of (action.weighted_clusters?.clusters ?? []) as Json[]) out.push(w.name);
      for (const m of (action.request_mirror_policies ?? []) as Json[]) if (m.cluster) out.push(m.cluster);
    }
  }
  return out;
}

function checkDomains(rc: Json, where: string, problems: string[]): void {
  const domains = ((rc.virtual_hosts ?? []) as Json[]).flatMap((vh) => ((vh.domains ?? []) as string[]).map((d) => d.toLowerCase()));
  for (const d of duplicates(domains)) problems.push(`${where}: domain ${d} appears in more than one place`);
}

/** The list-valued dimensions of a FilterChainMatch: Envoy matches on their cross product. */
const MATCH_DIMENSIONS = ['destination_port', 'prefix_ranges', 'direct_source_prefix_ranges', 'server_names', 'transport_protocol', 'application_protocols', 'source_type', 'source_prefix_ranges', 'source_ports'] as const;
const MAX_TUPLES = 20_000;

function matchTuples(match: Json | undefined): string[] {
  let tuples: string[][] = [[]];
  for (const dim of MATCH_DIMENSIONS) {
    const raw = match?.[dim];
    const values = Array.isArray(raw) ? (raw.length ? raw : [undefined]) : [raw];
    const keys = values.map((v) => (v === undefined || v === null || v === '' || v === 'ANY' ? '*' : JSON.stringify(normalize(v))));
    tuples = tuples.flatMap((t) => keys.map((k) => [...t, k]));
    if (tuples.length > MAX_TUPLES) return [JSON.stringify(normalize(match))];
  }
  return tuples.map((t) => t.join('|'));
}

/** Ports and prefix lengths as numbers or wrappers compare equal whatever their spelling. */
function normalize(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(normalize);
  if (v && typeof v === 'object') {
    const o = v as Json;
    if (Object.keys(o).length === 1 && 'value' in o) return normalize(o.value);
    return Object.fromEntries(Object.keys(o).sort().map((k) => [k, normalize(o[k])]));
  }
  return typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
}

function checkFilterChains(listener: Json, name: string, problems: string[]): void {
  const owner = new Map<string, number>();
  ((listener.filter_chains ?? []) as Json[]).forEach((chain, i) => {
    for (const t of new Set(matchTuples(chain.filter_chain_match))) {
      const first = owner.get(t);
      if (first === undefined) owner.set(t, i);
      else return void problems.push(`listeners ${name}: filter_chains[${first}] and [${i}] have the same filter_chain_match (${t})`);
    }
  });
}

function addressKey(listener: Json): string | undefined {
  const sa = listener.address?.socket_address as Json | undefined;
  return sa ? `${sa.protocol ?? 'TCP'}:${sa.address}:${sa.port_value}` : undefined;
}

function checkListeners(set: XdsSet, clusterNames: Set<string>, problems: string[]): void {
  const routeNames = new Set(set.routes.map((r) => r.name));
  const addresses: string[] = [];
  for (const l of set.listeners) {
    const body = l.body as Json;
    const key = addressKey(body);
    if (key) addresses.push(key);
    checkFilterChains(body, l.name, problems);
    for (const hcm of networkFilters(body, HCM)) {
      const rds = hcm.rds?.route_config_name as string | undefined;
      if (rds !== undefined && !routeNames.has(rds)) problems.push(`listeners ${l.name}: RDS ${rds} is not served`);
      if (hcm.route_config) {
        checkDomains(hcm.route_config, `listeners ${l.name} (inline route_config)`, problems);
        for (const c of clustersOfRouteConfig(hcm.route_config)) if (!clusterNames.has(c)) problems.push(`listeners ${l.name} (inline route_config): cluster ${c} does not exist`);
      }
    }
    for (const tcp of networkFilters(body, TCP_PROXY)) {
      const names = [tcp.cluster, ...((tcp.weighted_clusters?.clusters ?? []) as Json[]).map((w) => w.name)].filter((n): n is string => typeof n === 'string');
      for (const c of names) if (!clusterNames.has(c)) problems.push(`listeners ${l.name}: tcp_proxy cluster ${c} does not exist`);
    }
    for (const c of extAuthzClusters(body)) if (!clusterNames.has(c)) problems.push(`listeners ${l.name}: ext_authz cluster ${c} does not exist`);
  }
  for (const d of duplicates(addresses)) problems.push(`listeners: more than one listener on ${d}`);
}

function checkClusters(set: XdsSet, problems: string[]): void {
  const served = new Set(set.endpoints.map((e) => e.name));
  for (const c of set.clusters) {
    const body = c.body as Json;
    if (body.type !== 'EDS') continue;
    const edsName = (body.eds_cluster_config?.service_name as string | undefined) || c.name;
    if (!served.has(edsName)) problems.push(`clusters ${c.name}: EDS ${edsName} has no ClusterLoadAssignment`);
  }
}

/** Every integrity problem in one proxy's answer; empty when Envoy would accept it whole. */
export function checkIntegrity(set: XdsSet): string[] {
  const problems: string[] = [];
  checkNames(set, problems);
  const clusterNames = new Set(set.clusters.map((c) => c.name));
  checkListeners(set, clusterNames, problems);
  for (const rc of set.routes) {
    checkDomains(rc.body as Json, `routes ${rc.name}`, problems);
    for (const c of clustersOfRouteConfig(rc.body as Json)) if (!clusterNames.has(c)) problems.push(`routes ${rc.name}: cluster ${c} does not exist`);
  }
  checkClusters(set, problems);
  return problems;
}
