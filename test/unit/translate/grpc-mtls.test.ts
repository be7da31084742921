/**
 * mTLS in the proxyless gRPC generator beyond the golden cases: the golden mtls-* answers are
 * referentially whole; SANs come from the shared identity helper (ServiceEntry
 * subjectAltNames included); a tls block without a mode disables automatic mTLS; pushes after
 * an endpoint-only change reach CDS (SANs and automatic mTLS follow endpoints) and the proxy's
 * own server listeners.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { defaultMeshConfig } from '../../../src/config/mesh-config.js';
import type { ChangeSet } from '../../../src/model/change-set.js';
import { serviceIdentities } from '../../../src/translate/common/service-identities.js';
import type { XdsResource } from '../../../src/translate/types.js';
import { checkIntegrity } from '../../helpers/xds-integrity.js';
import { byName, gen, generator, grpcProxy, snapshotFrom, T } from './grpc-fixtures.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
const testdata = join(root, 'test/golden/translate-grpc/testdata');

type Json = Record<string, any>;
const asResources = (bodies: Json[] | undefined): XdsResource[] => (bodies ?? []).map((body) => ({ name: String(body.name ?? body.cluster_name), body }));

test('every mtls-* golden answer passes the referential-integrity check', () => {
  const cases = readdirSync(testdata).filter((n) => n.startsWith('mtls-') && existsSync(join(testdata, n, 'out.yaml')));
  assert.ok(cases.length >= 7, `only ${cases.length} mtls-* cases`);
  for (const name of cases) {
    const out = parse(readFileSync(join(testdata, name, 'out.yaml'), 'utf8')) as Record<string, Json[]>;
    const set = { listeners: asResources(out.lds), routes: asResources(out.rds), clusters: asResources(out.cds), endpoints: asResources(out.eds) };
    assert.deepEqual(checkIntegrity(set), [], `${name}: integrity problems`);
  }
});

const MESH = `
apiVersion: v1
kind: Service
metadata: {name: echo, namespace: app}
spec:
  clusterIP: 10.96.0.10
  selector: {app: echo}
  ports: [{name: grpc, port: 7070, targetPort: 17070}]
---
apiVersion: v1
kind: Pod
metadata: {name: echo-1, namespace: app, labels: {app: echo, security.istio.io/tlsMode: istio}}
spec:
  serviceAccountName: echo-sa
  containers: [{name: c, ports: [{containerPort: 17070}]}]
status: {phase: Running, podIP: 10.0.0.1, conditions: [{type: Ready, status: "True"}]}
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: db, namespace: app}
spec:
  hosts: [db.example.com]
  location: MESH_INTERNAL
  ports: [{number: 7070, name: grpc, protocol: GRPC}]
  resolution: STATIC
  subjectAltNames: [spiffe://other.example/ns/db/sa/db]
  endpoints: [{address: 192.0.2.7, serviceAccount: db-sa}]
`;

const ECHO = 'outbound|7070||echo.app.svc.cluster.local';
const DB = 'outbound|7070||db.example.com';

function sansOf(cluster: Json): string[] | undefined {
  const vc = cluster.transport_socket?.typed_config?.common_tls_context?.validation_context;
  return vc ? (vc.match_subject_alt_names ?? []).map((m: Json) => m.exact as string) : undefined;
}

test('ISTIO_MUTUAL SANs are the shared identities: endpoint SPIFFE ids plus ServiceEntry subjectAltNames', () => {
  const rule = `
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: db-mtls, namespace: app}
spec:
  host: db.example.com
  trafficPolicy: {tls: {mode: ISTIO_MUTUAL}}
`;
  const snapshot = snapshotFrom(MESH + rule);
  const out = gen(snapshot, grpcProxy(), T.Cluster, [DB]);
  const service = snapshot.servicesForHost('db.example.com')[0]!;
  const expected = serviceIdentities(snapshot, 'cluster.local', service);
  assert.deepEqual(expected, ['spiffe://cluster.local/ns/app/sa/db-sa', 'spiffe://other.example/ns/db/sa/db']);
  assert.deepEqual(sansOf(byName(out, DB)), expected);
});

test('automatic mTLS follows the mesh trust domain, and a tls block without a mode turns it off (DISABLE by default)', () => {
  const snapshot = snapshotFrom(MESH);
  const mesh = { ...defaultMeshConfig(), trustDomain: 'corp.example' };
  const auto = gen(snapshot, grpcProxy(), T.Cluster, [ECHO], mesh);
  assert.deepEqual(sansOf(byName(auto, ECHO)), ['spiffe://corp.example/ns/app/sa/echo-sa']);

  const withSni = snapshotFrom(`${MESH}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: echo-sni, namespace: app}
spec:
  host: echo
  trafficPolicy: {tls: {sni: echo.example}}
`);
  const off = gen(withSni, grpcProxy(), T.Cluster, [ECHO]);
  assert.equal(byName(off, ECHO).transport_socket, undefined);
});

function endpointChange(hosts: string[]): ChangeSet {
  return { fromVersion: 1, toVersion: 2, full: false, kinds: ['Pod'], keys: ['Pod/app/echo-1'], servicesChanged: [], endpointsChanged: hosts, endpointsOnly: true } as unknown as ChangeSet;
}

test('an endpoint-only change reaches CDS for every proxy, and LDS only for the proxy whose own workload moved', () => {
  const snapshot = snapshotFrom(MESH);
  const g = generator();
  assert.ok(g.alsoAffectedByEndpoints, 'the grpc generator declares what endpoint moves reach');
  const host = 'echo.app.svc.cluster.local';
  assert.deepEqual([...g.alsoAffectedByEndpoints(snapshot, endpointChange([host]), grpcProxy({ ip: '10.0.0.99' }))], [T.Cluster]);
  assert.deepEqual([...g.alsoAffectedByEndpoints(snapshot, endpointChange([host]), grpcProxy({ ip: '10.0.0.1' }))].sort(), [T.Cluster, T.Listener].sort());
  assert.deepEqual([...g.alsoAffectedByEndpoints(snapshot, endpointChange([]), grpcProxy({ ip: '10.0.0.1' }))], []);
});

test('a new endpoint with another service account changes the cluster (its SANs), so the CDS push is not a no-op', () => {
  const before = gen(snapshotFrom(MESH), grpcProxy(), T.Cluster, [ECHO]);
  const after = gen(snapshotFrom(`${MESH}
---
apiVersion: v1
kind: Pod
metadata: {name: echo-2, namespace: app, labels: {app: echo, security.istio.io/tlsMode: istio}}
spec:
  serviceAccountName: echo-next
  containers: [{name: c, ports: [{containerPort: 17070}]}]
status: {phase: Running, podIP: 10.0.0.2, conditions: [{type: Ready, status: "True"}]}
`), grpcProxy(), T.Cluster, [ECHO]);
  assert.deepEqual(sansOf(byName(before, ECHO)), ['spiffe://cluster.local/ns/app/sa/echo-sa']);
  assert.deepEqual(sansOf(byName(after, ECHO)), ['spiffe://cluster.local/ns/app/sa/echo-next', 'spiffe://cluster.local/ns/app/sa/echo-sa']);
});
