import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildRegistry, DEFAULT_REGISTRY_OPTIONS, spiffeIdentity } from '../../../src/model/registry/index.js';
import { obj, pod, service } from './fixtures.js';

const opts = DEFAULT_REGISTRY_OPTIONS;

test('a Service with a selector and no slice takes endpoints from pods, resolving named targetPorts', () => {
  const objects = [
    service('web', 'ns', { clusterIP: '10.0.0.1', selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http-web' }] }),
    pod('web-1', 'ns', { app: 'web' }, '10.1.0.1', { serviceAccountName: 'web-sa' }),
    pod('web-2', 'ns', { app: 'other' }, '10.1.0.2'),
  ];
  const { registry, diagnostics } = buildRegistry(objects, opts);
  const eps = registry.endpoints.get('ns/web.ns.svc.cluster.local') ?? [];
  assert.deepEqual(eps.map((e) => [e.address, e.port, e.servicePortName, e.serviceAccount]), [['10.1.0.1', 8080, 'http', 'web-sa']]);
  assert.equal(spiffeIdentity('td', eps[0]!), 'spiffe://td/ns/ns/sa/web-sa');
  assert.deepEqual(diagnostics, []);
});

test('endpointsFromPods=false leaves selector Services without slices empty', () => {
  const objects = [service('web', 'ns', { selector: { app: 'web' }, ports: [{ name: 'http', port: 80 }] }), pod('web-1', 'ns', { app: 'web' }, '10.1.0.1')];
  const { registry } = buildRegistry(objects, { ...opts, endpointsFromPods: false });
  assert.deepEqual(registry.endpoints.get('ns/web.ns.svc.cluster.local'), []);
});

test('a deleting pod is not an endpoint', () => {
  const deleting = pod('web-1', 'ns', { app: 'web' }, '10.1.0.1');
  const withTs = { ...deleting, metadata: { ...deleting.metadata, deletionTimestamp: '2024-01-01T00:00:00Z' } };
  const { registry } = buildRegistry([service('web', 'ns', { selector: { app: 'web' }, ports: [{ port: 80 }] }), withTs], opts);
  assert.deepEqual(registry.endpoints.get('ns/web.ns.svc.cluster.local'), []);
});

test('bad WorkloadEntry and ServiceEntry addresses become diagnostics, not exceptions', () => {
  const objects = [
    obj('ServiceEntry', 'ns', 'se', { hosts: ['a.example.com'], resolution: 'STATIC', ports: [{ number: 80, name: 'http' }], endpoints: [{ address: 'no way' }, { address: '1.2.3.4' }] }),
    obj('ServiceEntry', 'ns', 'sel', { hosts: ['b.example.com'], resolution: 'STATIC', ports: [{ number: 80, name: 'http' }], workloadSelector: { labels: { app: 'vm' } } }),
    obj('WorkloadEntry', 'ns', 'we', { labels: { app: 'vm' } }),
  ];
  const { registry, diagnostics } = buildRegistry(objects, opts);
  assert.deepEqual(diagnostics.map((d) => `${d.ref.kind}/${d.ref.name} ${d.path}`), ['ServiceEntry/se spec.endpoints[0].address', 'WorkloadEntry/we spec.address']);
  assert.deepEqual(registry.endpoints.get('ns/a.example.com')?.map((e) => e.address), ['1.2.3.4']);
  assert.deepEqual(registry.endpoints.get('ns/b.example.com'), []);
});

test('garbage in core kinds never throws', () => {
  const objects = [
    service('x', 'ns', { ports: 'nope', selector: 7 } as unknown as Record<string, unknown>),
    obj('Service', 'ns', 'y', { spec: null }),
    obj('EndpointSlice', 'ns', 's', { endpoints: [{ addresses: 5 }, null], ports: [{ port: 'x' }] }, { 'kubernetes.io/service-name': 'y' }),
    obj('Pod', 'ns', 'p', { status: { podIPs: 'x', conditions: {} } }),
  ];
  const { registry, diagnostics } = buildRegistry(objects, opts);
  assert.equal(registry.services.length, 2);
  assert.ok(diagnostics.some((d) => d.ref.name === 's' && d.path === 'ports[0].port'));
});

test('a ServiceEntry host already defined by a Kubernetes Service in that namespace is ignored with a diagnostic', () => {
  const objects = [
    service('web', 'ns', { clusterIP: '10.0.0.1', ports: [{ name: 'http', port: 80 }] }),
    obj('ServiceEntry', 'ns', 'dup', { hosts: ['web.ns.svc.cluster.local'], ports: [{ number: 80, name: 'http' }] }),
  ];
  const { registry, diagnostics } = buildRegistry(objects, opts);
  assert.equal(registry.servicesByHost.get('web.ns.svc.cluster.local')?.length, 1);
  assert.equal(registry.services[0]?.source, 'Kubernetes');
  assert.equal(diagnostics[0]?.ref.name, 'dup');
});
