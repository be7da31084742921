/**
 * An Envoy-sidecar-shaped ADS client against the real daemon: LDS and CDS wildcard, then the
 * RDS and EDS names they reference, as istio-agent's Envoy asks. Every answer must decode with
 * Envoy's message types and be non-empty, the client ACKs all of them (syncz: nothing NACKed),
 * and /debug/config_dump on the monitoring port shows the four types with provenance leading
 * back to the VirtualService and the DestinationRule.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDaemon } from '../../helpers/daemon.js';
import { waitFor } from '../../helpers/wait-for.js';
import { XdsClient } from '../../helpers/xds-client.js';
import { TypeUrl } from '../../../src/translate/type-urls.js';
import { edsClusterNames, routeConfigNames } from '../../golden/translate-sidecar/references.js';

type Json = Record<string, any>;

const NODE_ID = 'sidecar~10.0.0.9~app-1.default~default.svc.cluster.local';
const PROXY_ID = 'app-1.default';
const VS_CONFIG = '/apis/networking.istio.io/v1/namespaces/default/virtual-service/reviews';
const DR_CONFIG_PREFIX = '/apis/networking.istio.io/v1/namespaces/default/destination-rule/';

const MESH = `
apiVersion: v1
kind: Service
metadata: {name: reviews, namespace: default}
spec:
  clusterIP: 10.96.0.10
  selector: {app: reviews}
  ports: [{name: http, port: 9080}]
---
apiVersion: v1
kind: Pod
metadata: {name: reviews-v1, namespace: default, labels: {app: reviews, version: v1, security.istio.io/tlsMode: istio}}
spec: {serviceAccountName: reviews, containers: [{name: c}]}
status: {phase: Running, podIP: 10.1.0.1, conditions: [{type: Ready, status: "True"}]}
---
apiVersion: v1
kind: Service
metadata: {name: app, namespace: default}
spec:
  clusterIP: 10.96.0.9
  selector: {app: app}
  ports: [{name: http, port: 8080}]
---
apiVersion: v1
kind: Pod
metadata: {name: app-1, namespace: default, labels: {app: app, security.istio.io/tlsMode: istio}}
spec: {serviceAccountName: app, containers: [{name: c}]}
status: {phase: Running, podIP: 10.0.0.9, conditions: [{type: Ready, status: "True"}]}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews, namespace: default}
spec:
  host: reviews.default.svc.cluster.local
  trafficPolicy: {connectionPool: {tcp: {maxConnections: 10}}}
  subsets: [{name: v1, labels: {version: v1}}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, namespace: default}
spec:
  hosts: [reviews]
  http:
  - match: [{uri: {prefix: /v1}}]
    route: [{destination: {host: reviews, subset: v1}}]
  - route: [{destination: {host: reviews}}]
`;

const provenance = (r: Json | undefined): string | undefined => r?.metadata?.filter_metadata?.istio?.config;

function routesOf(routeConfigs: readonly Json[]): Json[] {
  return routeConfigs.flatMap((rc) => ((rc.virtual_hosts ?? []) as Json[]).flatMap((vh) => (vh.routes ?? []) as Json[]));
}

async function fetchJson(port: number, path: string): Promise<{ status: number; body: any }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`);
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

test('a sidecar gets LDS/RDS/CDS/EDS that decode, and config_dump shows them with provenance', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'istiod-ts-sidecar-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'mesh.yaml'), MESH);
  const daemon = await startDaemon(['--configDir', dir]);
  t.after(() => daemon.stop());
  await waitFor('ready', async () => (await daemon.get('/ready')).status === 200, 20_000);

  const client = XdsClient.connect({
    address: `127.0.0.1:${daemon.grpcPort}`,
    node: {
      id: NODE_ID,
      metadata: { NAMESPACE: 'default', LABELS: { app: 'app' }, INSTANCE_IPS: '10.0.0.9' },
      locality: { region: 'r1', zone: 'z1' },
    },
  });
  t.after(() => client.close());

  client.subscribe(TypeUrl.Listener);
  client.subscribe(TypeUrl.Cluster);
  const lds = (await client.next(TypeUrl.Listener, 10_000)).resources.map((r) => r.body);
  const cds = (await client.next(TypeUrl.Cluster, 10_000)).resources.map((r) => r.body);
  assert.ok(lds.length > 0, 'LDS answer is not empty');
  assert.ok(cds.length > 0, 'CDS answer is not empty');
  const routeNames = routeConfigNames(lds);
  const edsNames = edsClusterNames(cds);
  assert.ok(routeNames.length > 0, 'the listeners reference route configurations');
  assert.ok(edsNames.length > 0, 'some clusters are EDS clusters');

  client.subscribe(TypeUrl.RouteConfiguration, routeNames);
  client.subscribe(TypeUrl.ClusterLoadAssignment, edsNames);
  const rds = (await client.next(TypeUrl.RouteConfiguration, 10_000)).resources;
  const eds = (await client.next(TypeUrl.ClusterLoadAssignment, 10_000)).resources;
  assert.deepEqual(rds.map((r) => r.name).sort(), routeNames, 'every referenced route configuration is served');
  assert.deepEqual(eds.map((r) => r.name).sort(), edsNames, 'every EDS cluster has a load assignment');
  assert.ok(routesOf(rds.map((r) => r.body)).some((r) => provenance(r) === VS_CONFIG), 'a route received over ADS names the VirtualService');

  // Everything was ACKed: the server saw no NACK for any type of this proxy.
  const synced = await waitFor('syncz to show every type ACKed', async () => {
    const { body } = await fetchJson(daemon.monitoringPort, '/debug/syncz');
    const entry = (body as Json[]).find((c) => c.proxy === PROXY_ID);
    const types = Object.values((entry?.types ?? {}) as Record<string, Json>);
    return types.length === 4 && types.every((ty) => ty.acked !== null && ty.acked === ty.sent) ? entry : undefined;
  }, 10_000);
  assert.equal(synced?.status, 'SYNCED');

  const dump = await fetchJson(daemon.monitoringPort, `/debug/config_dump?proxyID=${PROXY_ID}`);
  assert.equal(dump.status, 200, JSON.stringify(dump.body).slice(0, 300));
  const byType = new Map<string, Json[]>(((dump.body as Json).configs as Json[]).map((c) => [c.type as string, c.resources as Json[]]));
  for (const type of ['lds', 'rds', 'cds', 'eds']) assert.ok((byType.get(type) ?? []).length > 0, `config_dump holds ${type} resources`);
  assert.ok(routesOf(byType.get('rds')!).some((r) => provenance(r) === VS_CONFIG), `a dumped route carries ${VS_CONFIG}`);
  const drCluster = byType.get('cds')!.find((c) => provenance(c)?.startsWith(DR_CONFIG_PREFIX));
  assert.ok(drCluster, 'a dumped cluster carries its DestinationRule');
  assert.equal(provenance(drCluster), `${DR_CONFIG_PREFIX}reviews`);
});
