/**
 * Checks of the benchmark's own pieces (node dist/bench/ads/self-check.js): the wire reader
 * against messages encoded with Envoy's real types, and the generated mesh against the
 * project's validator. Not part of the test suite: the benchmark is not a test.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeResourceBody } from '../../src/serve/proto/encode.js';
import { messageType } from '../../src/serve/proto/envoy-root.js';
import { TypeUrl } from '../../src/translate/type-urls.js';
import { churnAddress, churnYaml, writeMesh } from './mesh.js';
import { containsBytes, readDeltaResponse, readSotwResponse, edsServiceName, listenerRouteNames, resourceName, routeClusterNames } from './wire.js';

const HCM = 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';

function checkWire(): void {
  const listener = encodeResourceBody({
    '@type': TypeUrl.Listener,
    name: 'a.ns.svc.cluster.local:80',
    api_listener: { api_listener: { '@type': HCM, rds: { route_config_name: 'a.ns.svc.cluster.local:80', config_source: { ads: {} } } } },
  }).bytes;
  assert.equal(resourceName(listener), 'a.ns.svc.cluster.local:80');
  assert.deepEqual(listenerRouteNames(listener), ['a.ns.svc.cluster.local:80']);

  const eds = encodeResourceBody({ '@type': TypeUrl.Cluster, name: 'outbound|80||a', type: 'EDS', eds_cluster_config: { service_name: 'outbound|80||a' } }).bytes;
  const edsNoService = encodeResourceBody({ '@type': TypeUrl.Cluster, name: 'outbound|80||b', type: 'EDS', eds_cluster_config: { eds_config: { ads: {} } } }).bytes;
  const logical = encodeResourceBody({ '@type': TypeUrl.Cluster, name: 'dns', type: 'LOGICAL_DNS' }).bytes;
  assert.equal(edsServiceName(eds), 'outbound|80||a');
  assert.equal(edsServiceName(edsNoService), 'outbound|80||b');
  assert.equal(edsServiceName(logical), undefined);

  const route = encodeResourceBody({
    '@type': TypeUrl.RouteConfiguration,
    name: 'r',
    virtual_hosts: [{
      name: 'v', domains: ['*'],
      routes: [
        { match: { prefix: '/' }, route: { cluster: 'outbound|80||a' } },
        { match: { prefix: '/w' }, route: { weighted_clusters: { clusters: [{ name: 'outbound|80|v1|a', weight: { value: 80 } }, { name: 'outbound|80|v2|a', weight: { value: 20 } }] } } },
      ],
    }],
  }).bytes;
  assert.deepEqual(routeClusterNames(route).sort(), ['outbound|80||a', 'outbound|80|v1|a', 'outbound|80|v2|a'].sort());

  const cla = encodeResourceBody({
    '@type': TypeUrl.ClusterLoadAssignment,
    cluster_name: 'outbound|80||a',
    endpoints: [{ locality: { region: 'r' }, load_balancing_weight: { value: 1 }, lb_endpoints: [{ endpoint: { address: { socket_address: { address: '10.251.0.7', port_value: 80 } } } }] }],
  }).bytes;
  assert.equal(resourceName(cla), 'outbound|80||a');
  assert.ok(containsBytes(cla, Buffer.from('10.251.0.7')));
  assert.ok(!containsBytes(cla, Buffer.from('10.251.0.8')));

  const any = { type_url: TypeUrl.ClusterLoadAssignment, value: cla };
  const sotwType = messageType('envoy.service.discovery.v3.DiscoveryResponse');
  const sotw = readSotwResponse(sotwType.encode(sotwType.fromObject({ version_info: 'v1', resources: [any, any], type_url: TypeUrl.ClusterLoadAssignment, nonce: 'n1' })).finish());
  assert.deepEqual([sotw.version_info, sotw.type_url, sotw.nonce, sotw.resources.length], ['v1', TypeUrl.ClusterLoadAssignment, 'n1', 2]);
  assert.deepEqual(Buffer.from(sotw.resources[1]!.value), Buffer.from(cla));
  const deltaType = messageType('envoy.service.discovery.v3.DeltaDiscoveryResponse');
  const delta = readDeltaResponse(deltaType.encode(deltaType.fromObject({
    system_version_info: 's', resources: [{ name: 'outbound|80||a', version: 'h1', resource: any }], type_url: TypeUrl.ClusterLoadAssignment, removed_resources: ['x', 'y'], nonce: 'n2',
  })).finish());
  assert.deepEqual([delta.nonce, delta.type_url, delta.removed_resources, delta.resources[0]!.name, delta.resources[0]!.version], ['n2', TypeUrl.ClusterLoadAssignment, ['x', 'y'], 'outbound|80||a', 'h1']);
  assert.deepEqual(Buffer.from(delta.resources[0]!.resource!.value), Buffer.from(cla));
}

async function checkMesh(): Promise<void> {
  const { createValidator } = await import('../../src/model/validation/validate.js');
  const validator = await createValidator();
  const dir = mkdtempSync(join(tmpdir(), 'bench-ads-check-'));
  try {
    writeMesh(dir, 25, 2);
    const files = readdirSync(dir);
    assert.deepEqual(files.sort(), ['churn.yaml', 'services-000.yaml']);
    const { parseDocuments } = await import('../../src/sources/file/parse-documents.js');
    let objects = 0;
    for (const f of files) {
      for (const doc of parseDocuments(readFileSync(join(dir, f), 'utf8')).documents) {
        const outcome = validator.validate(doc.value, { source: f });
        assert.ok(outcome.object, `${f}#${doc.index}: ${JSON.stringify(outcome.errors)}`);
        objects++;
      }
    }
    assert.equal(objects, 25);
    assert.match(churnYaml({ firstEndpoint: churnAddress(300), extraHost: 'x.bench.svc.cluster.local' }), /hosts: \[churn\.bench\.svc\.cluster\.local, x\.bench[\s\S]*10\.251\.1\.44/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

checkWire();
await checkMesh();
console.log('bench/ads self-check: ok');
