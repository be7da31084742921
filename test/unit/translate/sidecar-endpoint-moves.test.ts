/** Which types an endpoints-only change reaches for a sidecar besides EDS. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultMeshConfig } from '../../../src/config/mesh-config.js';
import type { ChangeSet } from '../../../src/model/change-set.js';
import { buildSnapshot } from '../../../src/model/snapshot.js';
import { createSidecarGenerator } from '../../../src/translate/sidecar/index.js';
import { TypeUrl } from '../../../src/translate/type-urls.js';
import { sidecarProxy } from './sidecar-cds-fixtures.js';
import { objectsFrom } from './grpc-fixtures.js';

const snapshot = buildSnapshot(objectsFrom(`
apiVersion: v1
kind: Service
metadata: { name: echo, namespace: app }
spec: { selector: { app: echo }, ports: [{ name: http, port: 80 }] }
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: { name: ext, namespace: app }
spec:
  hosts: [ext.example.com]
  ports: [{ number: 443, name: tls, protocol: TLS }]
  resolution: DNS
`), undefined);

const moved = (host: string): ChangeSet => ({ fromVersion: 1, toVersion: 2, full: false, kinds: ['Pod'], keys: [], servicesChanged: [], endpointsChanged: [host], endpointsOnly: true });
const also = (host: string, labels: Record<string, string>) =>
  createSidecarGenerator({ mesh: defaultMeshConfig() }).alsoAffectedByEndpoints!(snapshot, moved(host), sidecarProxy({ labels }));

test('a move in a service that selects the proxy reaches its listeners and clusters (its inbound side)', () => {
  assert.deepEqual([...also('echo.app.svc.cluster.local', { app: 'echo' })].sort(), [TypeUrl.Cluster, TypeUrl.Listener].sort());
});

test('a move in an unrelated EDS service reaches only EDS', () => {
  assert.deepEqual(also('echo.app.svc.cluster.local', { app: 'client' }), []);
});

test('a move in a DNS service reaches clusters and listeners (endpoints are inline)', () => {
  assert.deepEqual([...also('ext.example.com', { app: 'client' })].sort(), [TypeUrl.Cluster, TypeUrl.Listener].sort());
});
