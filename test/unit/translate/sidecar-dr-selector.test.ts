/** DestinationRules with a workloadSelector: they apply to the workloads they select, before host-only rules. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cds } from './sidecar-cds-fixtures.js';

const MESH = `
apiVersion: v1
kind: Service
metadata: { name: echo, namespace: app }
spec:
  ports: [{ name: http, port: 80 }]
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: echo-all, namespace: app, creationTimestamp: "2024-01-01T00:00:00Z" }
spec:
  host: echo
  trafficPolicy: { loadBalancer: { simple: RANDOM } }
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: echo-for-canary, namespace: app, creationTimestamp: "2024-01-02T00:00:00Z" }
spec:
  host: echo
  workloadSelector: { matchLabels: { track: canary } }
  trafficPolicy: { loadBalancer: { simple: ROUND_ROBIN } }
`;

const CLUSTER = 'outbound|80||echo.app.svc.cluster.local';

test('a selected workload gets the workload-selected DestinationRule, with its provenance', () => {
  const cluster = cds(MESH, { labels: { app: 'client', track: 'canary' } }).get(CLUSTER);
  assert.equal(cluster.lb_policy, 'ROUND_ROBIN');
  assert.match(JSON.stringify(cluster.metadata), /destination-rule\/echo-for-canary/);
});

test('other workloads keep the host-only rule', () => {
  const cluster = cds(MESH, { labels: { app: 'client' } }).get(CLUSTER);
  assert.equal(cluster.lb_policy, 'RANDOM');
  assert.match(JSON.stringify(cluster.metadata), /destination-rule\/echo-all/);
});

test('a selector rule in another namespace does not apply', () => {
  const cluster = cds(MESH, { namespace: 'other', labels: { track: 'canary' } }).get(CLUSTER);
  assert.equal(cluster.lb_policy, 'RANDOM');
});
