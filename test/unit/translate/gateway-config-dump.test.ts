/**
 * A router (gateway) node against the real daemon: the ADS server picks the gateway generator,
 * LDS/CDS wildcard then RDS/EDS by name all decode and are ACKed, and /debug/config_dump shows
 * the four types with provenance leading back to the VirtualService bound to the Gateway.
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

const PROXY_ID = 'ingress-0.istio-system';
const VS_CONFIG = '/apis/networking.istio.io/v1/namespaces/default/virtual-service/bookinfo';

const MESH = `
apiVersion: v1
kind: Service
metadata: {name: productpage, namespace: default}
spec: {clusterIP: 10.96.0.20, selector: {app: productpage}, ports: [{name: http, port: 9080}]}
---
apiVersion: v1
kind: Pod
metadata: {name: productpage-0, namespace: default, labels: {app: productpage, security.istio.io/tlsMode: istio}}
spec: {serviceAccountName: productpage, containers: [{name: c}]}
status: {phase: Running, podIP: 10.1.0.20, conditions: [{type: Ready, status: "True"}]}
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: bookinfo-gateway, namespace: istio-system}
spec:
  selector: {istio: ingressgateway}
  servers:
  - port: {number: 8080, name: http, protocol: HTTP}
    hosts: ["*"]
  - port: {number: 8443, name: https, protocol: HTTPS}
    hosts: [bookinfo.example.com]
    tls: {mode: SIMPLE, credentialName: bookinfo-cert}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: bookinfo, namespace: default}
spec:
  hosts: ["*"]
  gateways: [istio-system/bookinfo-gateway]
  http: [{route: [{destination: {host: productpage}}]}]
`;

const provenance = (r: Json | undefined): string | undefined => r?.metadata?.filter_metadata?.istio?.config;
const routesOf = (rcs: readonly Json[]): Json[] => rcs.flatMap((rc) => ((rc.virtual_hosts ?? []) as Json[]).flatMap((vh) => (vh.routes ?? []) as Json[]));

test('a router node gets gateway config over ADS, and config_dump shows it with provenance', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'istiod-ts-gateway-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'mesh.yaml'), MESH);
  const daemon = await startDaemon(['--configDir', dir]);
  t.after(() => daemon.stop());
  await waitFor('ready', async () => (await daemon.get('/ready')).status === 200, 20_000);

  const client = XdsClient.connect({
    address: `127.0.0.1:${daemon.grpcPort}`,
    node: { id: `router~10.0.0.50~${PROXY_ID}~istio-system.svc.cluster.local`, metadata: { NAMESPACE: 'istio-system', LABELS: { istio: 'ingressgateway' }, INSTANCE_IPS: '10.0.0.50' } },
  });
  t.after(() => client.close());
  client.subscribe(TypeUrl.Listener);
  client.subscribe(TypeUrl.Cluster);
  const lds = (await client.next(TypeUrl.Listener, 10_000)).resources.map((r) => r.body);
  const cds = (await client.next(TypeUrl.Cluster, 10_000)).resources.map((r) => r.body);
  assert.deepEqual(lds.map((l) => l.name).sort(), ['0.0.0.0_8080', '0.0.0.0_8443']);
  const routeNames = routeConfigNames(lds);
  assert.deepEqual(routeNames, ['http.8080', 'https.8443.https.bookinfo-gateway.istio-system']);
  const https = lds.find((l) => l.name === '0.0.0.0_8443') as Json;
  const secrets = https.filter_chains[0].transport_socket.typed_config.common_tls_context.tls_certificate_sds_secret_configs;
  assert.equal(secrets[0].name, 'kubernetes://bookinfo-cert');

  client.subscribe(TypeUrl.RouteConfiguration, routeNames);
  client.subscribe(TypeUrl.ClusterLoadAssignment, edsClusterNames(cds));
  const rds = (await client.next(TypeUrl.RouteConfiguration, 10_000)).resources;
  await client.next(TypeUrl.ClusterLoadAssignment, 10_000);
  assert.deepEqual(rds.map((r) => r.name).sort(), routeNames);

  await waitFor('syncz to show every type ACKed', async () => {
    const res = await fetch(`http://127.0.0.1:${daemon.monitoringPort}/debug/syncz`);
    const entry = ((await res.json()) as Json[]).find((c) => c.proxy === PROXY_ID);
    const types = Object.values((entry?.types ?? {}) as Record<string, Json>);
    return types.length === 4 && types.every((ty) => ty.acked !== null && ty.acked === ty.sent) ? entry : undefined;
  }, 10_000);

  const res = await fetch(`http://127.0.0.1:${daemon.monitoringPort}/debug/config_dump?proxyID=${PROXY_ID}`);
  assert.equal(res.status, 200);
  const body = (await res.json()) as Json;
  const byType = new Map<string, Json[]>((body.configs as Json[]).map((c) => [c.type as string, c.resources as Json[]]));
  for (const type of ['lds', 'rds', 'cds', 'eds']) assert.ok((byType.get(type) ?? []).length > 0, `config_dump holds ${type} resources`);
  const dumped = routesOf(byType.get('rds')!);
  assert.ok(dumped.length > 0 && dumped.every((r) => provenance(r) === VS_CONFIG), `every dumped gateway route carries ${VS_CONFIG}`);
});
