/**
 * The referential-integrity checker (test/helpers/xds-integrity.ts) passes a consistent
 * hand-made answer and reports each kind of break in a copy of it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkIntegrity } from '../../helpers/xds-integrity.js';

type Json = Record<string, any>;
interface R { name: string; body: Json }
type XdsSet = Record<'listeners' | 'routes' | 'clusters' | 'endpoints', R[]>;
const at = (t: string) => `type.googleapis.com/${t}`;
const HCM = at('envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager');
const TCP = at('envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy');
const A80 = 'outbound|80||a.ns.svc.cluster.local';
const A80V1 = 'outbound|80|v1|a.ns.svc.cluster.local';
const DB = 'outbound|5432||db.ns.svc.cluster.local';

const res = (body: Json): R => ({ name: body.name ?? body.cluster_name, body });
const hcm = (rds: string) => ({ name: 'envoy.filters.network.http_connection_manager', typed_config: { '@type': HCM, stat_prefix: 's', rds: { route_config_name: rds, config_source: { ads: {} } } } });
const tcp = (cluster: string) => ({ name: 'envoy.filters.network.tcp_proxy', typed_config: { '@type': TCP, stat_prefix: 's', cluster } });
const listener = (name: string, address: string, port: number, chains: Json[]) => res({ '@type': at('envoy.config.listener.v3.Listener'), name, address: { socket_address: { address, port_value: port } }, filter_chains: chains });
const vhost = (name: string, domains: string[], routes: Json[]) => ({ name, domains, routes });
const eds = (name: string) => res({ '@type': at('envoy.config.cluster.v3.Cluster'), name, type: 'EDS', eds_cluster_config: { eds_config: { ads: {} }, service_name: name } });

function goodSet(): XdsSet {
  return {
    listeners: [
      listener('0.0.0.0_80', '0.0.0.0', 80, [{ filter_chain_match: { application_protocols: ['http/1.1', 'h2c'] }, filters: [hcm('80')] }, { filter_chain_match: {}, filters: [tcp('PassthroughCluster')] }]),
      listener('10.96.0.9_5432', '10.96.0.9', 5432, [{ filters: [tcp(DB)] }]),
    ],
    routes: [res({ '@type': at('envoy.config.route.v3.RouteConfiguration'), name: '80', virtual_hosts: [
      vhost('a.ns.svc.cluster.local:80', ['a.ns.svc.cluster.local', 'a', 'a.ns'], [{ match: { prefix: '/v1' }, route: { weighted_clusters: { clusters: [{ name: A80V1, weight: 90 }, { name: A80, weight: 10 }] } } }, { match: { prefix: '/' }, route: { cluster: A80, request_mirror_policies: [{ cluster: A80V1 }] } }]),
      vhost('allow_any', ['*'], [{ match: { prefix: '/' }, route: { cluster: 'PassthroughCluster' } }]),
    ] })],
    clusters: [eds(A80), eds(A80V1), eds(DB), res({ '@type': at('envoy.config.cluster.v3.Cluster'), name: 'PassthroughCluster', type: 'ORIGINAL_DST' })],
    endpoints: [A80, A80V1, DB].map((n) => res({ '@type': at('envoy.config.endpoint.v3.ClusterLoadAssignment'), cluster_name: n, endpoints: [] })),
  };
}

test('integrity: a consistent answer has no problems', () => {
  assert.deepEqual(checkIntegrity(goodSet()), []);
});

interface Break { what: string; edit: (s: XdsSet) => void; expect: RegExp }

const BREAKS: Break[] = [
  { what: 'duplicate cluster name', edit: (s) => s.clusters.push(eds(A80)), expect: /^clusters: name outbound\|80\|\|a\.ns\.svc\.cluster\.local is served more than once$/ },
  { what: 'resource name differs from its body', edit: (s) => { s.endpoints[0] = { name: 'x', body: s.endpoints[0]!.body }; }, expect: /^endpoints x: body names itself/ },
  { what: 'RDS name not served', edit: (s) => { s.routes = []; }, expect: /^listeners 0\.0\.0\.0_80: RDS 80 is not served$/ },
  { what: 'route to a missing cluster', edit: (s) => { s.clusters = s.clusters.filter((c: R) => c.name !== A80V1); s.endpoints = s.endpoints.filter((c: R) => c.name !== A80V1); }, expect: /^routes 80: cluster outbound\|80\|v1\|a\.ns\.svc\.cluster\.local does not exist$/ },
  { what: 'mirror to a missing cluster', edit: (s) => { s.routes[0]!.body.virtual_hosts[0].routes[1].route.request_mirror_policies[0].cluster = 'outbound|80|v9|a.ns.svc.cluster.local'; }, expect: /routes 80: cluster outbound\|80\|v9\|/ },
  { what: 'tcp_proxy to a missing cluster', edit: (s) => { s.listeners[1] = listener('10.96.0.9_5432', '10.96.0.9', 5432, [{ filters: [tcp('outbound|5433||db.ns.svc.cluster.local')] }]); }, expect: /^listeners 10\.96\.0\.9_5432: tcp_proxy cluster outbound\|5433\|\|db/ },
  { what: 'EDS cluster without endpoints', edit: (s) => { s.endpoints = s.endpoints.slice(1); }, expect: /^clusters outbound\|80\|\|a\.ns\.svc\.cluster\.local: EDS outbound\|80\|\|a\.ns\.svc\.cluster\.local has no ClusterLoadAssignment$/ },
  { what: 'duplicate domain across virtual hosts', edit: (s) => { s.routes[0]!.body.virtual_hosts[1].domains.push('A'); }, expect: /^routes 80: domain a appears in more than one place$/ },
  { what: 'overlapping filter chain matches', edit: (s) => { s.listeners[0]!.body.filter_chains.push({ filter_chain_match: { application_protocols: ['h2c'] }, filters: [hcm('80')] }); }, expect: /^listeners 0\.0\.0\.0_80: filter_chains\[0\] and \[2\] have the same filter_chain_match/ },
  { what: 'two listeners on one address', edit: (s) => { s.listeners.push(listener('other', '10.96.0.9', 5432, [{ filters: [tcp(DB)] }])); }, expect: /^listeners: more than one listener on TCP:10\.96\.0\.9:5432$/ },
  {
    what: 'inline route configuration problems',
    edit: (s) => {
      const inline = { name: 'inline', virtual_hosts: [vhost('x', ['x'], [{ match: { prefix: '/' }, route: { cluster: 'nope' } }]), vhost('y', ['x'], [])] };
      s.listeners[0]!.body.filter_chains[0].filters[0].typed_config = { '@type': HCM, stat_prefix: 's', route_config: inline };
    },
    expect: /^listeners 0\.0\.0\.0_80 \(inline route_config\): (domain x appears|cluster nope does not exist)/,
  },
];

for (const b of BREAKS) {
  test(`integrity: ${b.what} is reported`, () => {
    const set = structuredClone(goodSet());
    b.edit(set);
    const problems = checkIntegrity(set);
    assert.ok(problems.some((p) => b.expect.test(p)), `expected ${b.expect} in ${JSON.stringify(problems)}`);
  });
}

test('integrity: inline route configuration reports both the domain and the cluster', () => {
  const set = structuredClone(goodSet());
  BREAKS.at(-1)!.edit(set);
  assert.deepEqual(checkIntegrity(set), [
    'listeners 0.0.0.0_80 (inline route_config): domain x appears in more than one place',
    'listeners 0.0.0.0_80 (inline route_config): cluster nope does not exist',
  ]);
});

test('integrity: distinct filter chain matches (by SNI, port, wildcard vs specific) are not duplicates', () => {
  const set = structuredClone(goodSet());
  set.listeners[1] = listener('10.96.0.9_5432', '10.96.0.9', 5432, [
    { filter_chain_match: { server_names: ['a.example'], transport_protocol: 'tls' }, filters: [tcp(DB)] },
    { filter_chain_match: { server_names: ['b.example'], transport_protocol: 'tls' }, filters: [tcp(DB)] },
    { filter_chain_match: { transport_protocol: 'tls' }, filters: [tcp(DB)] },
    { filter_chain_match: { destination_port: { value: 5433 } }, filters: [tcp(DB)] },
  ]);
  assert.deepEqual(checkIntegrity(set), []);
  set.listeners[1]!.body.filter_chains.push({ filter_chain_match: { server_names: ['c.example', 'b.example'], transport_protocol: 'tls' }, filters: [tcp(DB)] });
  assert.match(checkIntegrity(set).join('\n'), /filter_chains\[1\] and \[4\] have the same filter_chain_match/);
});
