import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseProxy, PROXY_LIMITS, type NodeInput } from '../../../src/model/proxy.js';

const GOOD_ID = 'sidecar~10.244.1.7~reviews-v1-abc.default~default.svc.cluster.local';

function errorsOf(node: NodeInput | undefined): string[] {
  const r = parseProxy(node);
  assert.equal(r.ok, false, `expected ${JSON.stringify(node)?.slice(0, 100)} to be rejected`);
  return r.ok ? [] : r.errors;
}

test('a sidecar node id and istio-agent metadata parse into a Proxy', () => {
  const r = parseProxy({
    id: GOOD_ID,
    metadata: { NAMESPACE: 'default', LABELS: { app: 'reviews', version: 'v1' }, CLUSTER_ID: 'Kubernetes', ISTIO_VERSION: '1.24.0', SERVICE_ACCOUNT: 'bookinfo-reviews', INSTANCE_IPS: '10.244.1.7,fd00::7', WORKLOAD_NAME: 'reviews-v1', GENERATOR: 'grpc', EXTRA: [1] },
    locality: { region: 'r1', zone: 'z1', sub_zone: 's1' },
    user_agent_name: 'gRPC Node',
    user_agent_version: '1.14.7',
  });
  assert.ok(r.ok);
  const p = r.value;
  assert.equal(p.type, 'sidecar');
  assert.equal(p.id, 'reviews-v1-abc.default');
  assert.equal(p.namespace, 'default');
  assert.equal(p.dnsDomain, 'default.svc.cluster.local');
  assert.deepEqual(p.ipAddresses, ['10.244.1.7', 'fd00::7']);
  assert.deepEqual(p.metadata.labels, { app: 'reviews', version: 'v1' });
  assert.equal(p.metadata.generator, 'grpc');
  assert.equal(p.metadata.serviceAccount, 'bookinfo-reviews');
  assert.deepEqual(p.locality, { region: 'r1', zone: 'z1', subzone: 's1' });
  assert.equal(p.userAgent, 'gRPC Node 1.14.7');
  assert.deepEqual(p.metadata.raw.EXTRA, [1]);
});

test('without metadata the IP comes from the node id and the namespace from the DNS domain', () => {
  const r = parseProxy({ id: 'router~10.0.0.9~gw-1.istio-system~istio-system.svc.cluster.local' });
  assert.ok(r.ok);
  assert.equal(r.value.type, 'router');
  assert.deepEqual(r.value.ipAddresses, ['10.0.0.9']);
  assert.equal(r.value.namespace, 'istio-system');
});

test('node ids that are missing or malformed are refused with the expected shape in the message', () => {
  assert.match(errorsOf(undefined)[0]!, /node: missing/);
  assert.match(errorsOf({})[0]!, /node\.id: missing.*<type>~<ip>~<pod>\.<namespace>~<namespace>\.svc\.<domain>/);
  assert.match(errorsOf({ id: 42 })[0]!, /node\.id: missing/);
  assert.match(errorsOf({ id: 'sidecar~1.2.3.4~a.b' })[0]!, /has 3 parts.*expected 4/);
  assert.match(errorsOf({ id: 'sidecar~1.2.3.4~a.b~b.svc.cluster.local~x' })[0]!, /has 5 parts/);
  assert.match(errorsOf({ id: 'ztunnel~1.2.3.4~a.b~b.svc.cluster.local' })[0]!, /invalid node type "ztunnel"; valid types: sidecar, router/);
  assert.match(errorsOf({ id: 'sidecar~1.2.3.4~~b.svc.cluster.local' })[0]!, /third part/);
  assert.match(errorsOf({ id: 'sidecar~not-an-ip~a.b~b.svc.cluster.local' })[0]!, /no valid IP address/);
});

test('metadata of the wrong type names the field and what was sent', () => {
  assert.match(errorsOf({ id: GOOD_ID, metadata: { INSTANCE_IPS: 1 } })[0]!, /node\.metadata\.INSTANCE_IPS: must be a string, got number 1/);
  assert.match(errorsOf({ id: GOOD_ID, metadata: { INSTANCE_IPS: '10.0.0.1,banana' } })[0]!, /INSTANCE_IPS: not an IP address: "banana"/);
  assert.match(errorsOf({ id: GOOD_ID, metadata: { LABELS: ['a'] } })[0]!, /node\.metadata\.LABELS: must be a map of strings, got a list/);
  assert.match(errorsOf({ id: GOOD_ID, metadata: { LABELS: { app: 7 } } })[0]!, /node\.metadata\.LABELS\["app"\]: must be a string/);
  assert.match(errorsOf({ id: GOOD_ID, metadata: { NAMESPACE: { x: 1 } } })[0]!, /node\.metadata\.NAMESPACE: must be a string, got a map/);
  assert.match(errorsOf({ id: GOOD_ID, metadata: 'x' })[0]!, /node\.metadata: must be a map/);
  assert.match(errorsOf({ id: GOOD_ID, locality: { zone: 5 } })[0]!, /node\.locality\.zone/);
});

test('huge inputs are refused, not stored', () => {
  assert.match(errorsOf({ id: `sidecar~1.2.3.4~${'a'.repeat(2_000_000)}.ns~ns.svc.cluster.local` })[0]!, new RegExp(`longer than ${PROXY_LIMITS.nodeIdChars}`));
  assert.match(errorsOf({ id: GOOD_ID, metadata: { WORKLOAD_NAME: 'w'.repeat(PROXY_LIMITS.metadataStringChars + 1) } })[0]!, /WORKLOAD_NAME: longer than/);
  const labels = Object.fromEntries(Array.from({ length: PROXY_LIMITS.mapEntries + 1 }, (_, i) => [`k${i}`, 'v']));
  assert.match(errorsOf({ id: GOOD_ID, metadata: { LABELS: labels } })[0]!, /LABELS: more than 1024 entries/);
});

test('every error is collected, so one reply tells the operator everything', () => {
  const errors = errorsOf({ id: GOOD_ID, metadata: { INSTANCE_IPS: 1, LABELS: 'x', CLUSTER_ID: false } });
  assert.equal(errors.length, 3, errors.join('\n'));
});
