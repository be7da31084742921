import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultMeshConfig } from '../../../src/config/mesh-config.js';
import type { MeshConfig } from '../../../src/config/mesh-types.js';
import type { ConfigObject } from '../../../src/model/config.js';
import { parseProxy, type Proxy } from '../../../src/model/proxy.js';
import { buildSnapshot, type Snapshot } from '../../../src/model/snapshot.js';
import { Diagnostics } from '../../../src/translate/common/diagnostics.js';
import { buildSidecarScope, type SidecarScope } from '../../../src/translate/sidecar/scope.js';
import { objectsFrom } from './grpc-fixtures.js';

const svc = (name: string, ns: string, ports: number[], extra = '') => `
---
apiVersion: v1
kind: Service
metadata: {name: ${name}, namespace: ${ns}${extra}}
spec:
  clusterIP: 10.96.${ports[0]! % 250}.${name.charCodeAt(0)}
  ports: [${ports.map((p) => `{name: http-${p}, port: ${p}}`).join(', ')}]`;

const MESH = [
  svc('a', 'app', [80]),
  svc('b', 'app', [80, 8080]),
  svc('c', 'other', [80]),
  svc('d', 'other', [80], ', annotations: {networking.istio.io/exportTo: "."}'),
  svc('e', 'istio-system', [80]),
  svc('f', 'other', [90]),
].join('');

const sidecar = (name: string, ns: string, spec: string, created = '2024-01-01T00:00:00Z') => `
---
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: ${name}, namespace: ${ns}, creationTimestamp: "${created}"}
spec:
${spec}`;

function proxy(ns = 'app', labels: Record<string, string> = { app: 'client' }): Proxy {
  const parsed = parseProxy({ id: `sidecar~10.0.0.99~client-0.${ns}~${ns}.svc.cluster.local`, metadata: { NAMESPACE: ns, LABELS: labels } });
  assert.ok(parsed.ok);
  return parsed.value;
}

function scopeOf(objects: ConfigObject[] | string, p = proxy(), mesh: MeshConfig = defaultMeshConfig()): { scope: SidecarScope; diags: Diagnostics; snapshot: Snapshot } {
  const snapshot = buildSnapshot(typeof objects === 'string' ? objectsFrom(objects) : objects, undefined);
  const diags = new Diagnostics();
  return { scope: buildSidecarScope(snapshot, p, mesh, diags), diags, snapshot };
}

const hosts = (s: SidecarScope) => s.services.map((x) => x.hostname.split('.svc')[0]);

test('no Sidecar: everything exportTo allows, one catch-all listener', () => {
  const { scope } = scopeOf(MESH);
  assert.equal(scope.sidecar, undefined);
  assert.deepEqual(hosts(scope), ['a.app', 'b.app', 'c.other', 'e.istio-system', 'f.other'], 'd is exported only to its own namespace');
  assert.deepEqual(scope.egressListeners.map((l) => l.hosts), [[{ namespace: '*', host: '*' }]]);
});

test('selection: a matching workloadSelector beats the namespace default, which beats the root default', () => {
  const yaml = MESH
    + sidecar('root', 'istio-system', '  egress: [{hosts: ["istio-system/*"]}]')
    + sidecar('ns-default', 'app', '  egress: [{hosts: ["./*"]}]')
    + sidecar('newer', 'app', '  workloadSelector: {labels: {app: client}}\n  egress: [{hosts: ["other/*"]}]', '2024-03-01T00:00:00Z')
    + sidecar('older', 'app', '  workloadSelector: {labels: {app: client}}\n  egress: [{hosts: ["*/e.istio-system.svc.cluster.local"]}]', '2024-02-01T00:00:00Z')
    + sidecar('elsewhere', 'app', '  workloadSelector: {labels: {app: server}}\n  egress: [{hosts: ["./*"]}]');
  const selected = scopeOf(yaml);
  assert.equal(selected.scope.sidecar?.metadata.name, 'older');
  assert.deepEqual(hosts(selected.scope), ['e.istio-system']);
  assert.deepEqual(selected.diags.items.map((d) => d.source), ['Sidecar/app/newer'], 'the other matching Sidecar is reported');
  assert.equal(scopeOf(yaml, proxy('app', { app: 'web' })).scope.sidecar?.metadata.name, 'ns-default');
  const rooted = scopeOf(yaml, proxy('other'));
  assert.equal(rooted.scope.sidecar?.metadata.name, 'root');
  assert.deepEqual(hosts(rooted.scope), ['e.istio-system']);
});

test('root-namespace Sidecar: "." means the proxy namespace', () => {
  const { scope } = scopeOf(MESH + sidecar('root', 'istio-system', '  egress: [{hosts: ["./*"]}]'), proxy('other'));
  assert.deepEqual(hosts(scope), ['c.other', 'd.other', 'f.other']);
});

test('egress host forms: namespace imports take precedence over */..., ~ imports nothing, wildcard dnsNames', () => {
  const yaml = MESH + sidecar('s', 'app', '  egress: [{hosts: ["*/*", "other/c.other.svc.cluster.local"]}]');
  assert.deepEqual(hosts(scopeOf(yaml).scope), ['a.app', 'b.app', 'c.other', 'e.istio-system'], 'f.other is not imported: other/ hosts replace */ for namespace other');
  const explicit = MESH + sidecar('s', 'app', '  egress: [{hosts: ["*/*.istio-system.svc.cluster.local", "app/a.app.svc.cluster.local"]}]');
  assert.deepEqual(hosts(scopeOf(explicit).scope), ['a.app', 'e.istio-system']);
  assert.deepEqual(hosts(scopeOf(MESH + sidecar('s', 'app', '  egress: [{hosts: ["~/*"]}]')).scope), []);
});

test('exportTo still applies: an explicit import cannot reach a private service', () => {
  const { scope } = scopeOf(MESH + sidecar('s', 'app', '  egress: [{hosts: ["other/*"]}]'));
  assert.deepEqual(hosts(scope), ['c.other', 'f.other']);
});

test('a listener with a port carries only that port; the union merges ports of one service', () => {
  const yaml = MESH + sidecar('s', 'app', '  egress:\n  - {port: {number: 8080, protocol: HTTP, name: h}, hosts: ["./*"]}\n  - {hosts: ["./a.app.svc.cluster.local"]}');
  const { scope } = scopeOf(yaml);
  const [first, last] = scope.egressListeners;
  assert.equal(first!.port, 8080);
  assert.deepEqual(first!.services.map((s) => [s.name, s.ports.map((p) => p.port)]), [['b', [8080]]]);
  assert.equal(last!.port, undefined);
  assert.deepEqual(scope.services.map((s) => [s.name, s.ports.map((p) => p.port)]), [['a', [80]], ['b', [8080]]]);
});

test('VirtualServices: imported by their namespace or host; their destinations join the services', () => {
  const vs = (name: string, ns: string, host: string, dest: string) => `
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: ${name}, namespace: ${ns}}
spec:
  hosts: [${host}]
  http: [{route: [{destination: {host: ${dest}}}]}]`;
  const yaml = MESH + vs('to-c', 'app', 'a', 'c.other.svc.cluster.local') + vs('in-other', 'other', 'c', 'c')
    + sidecar('s', 'app', '  egress: [{hosts: ["./*"]}]');
  const { scope } = scopeOf(yaml);
  assert.deepEqual(scope.virtualServices.map((v) => v.config.metadata.name), ['to-c']);
  assert.deepEqual(hosts(scope), ['a.app', 'b.app', 'c.other'], 'c.other is reachable through the imported VirtualService');
  assert.deepEqual(scope.egressListeners[0]!.services.map((s) => s.name), ['a', 'b'], 'per-listener services are only the explicit imports');
});

test('outboundTrafficPolicy: the Sidecar overrides MeshConfig; an empty policy means REGISTRY_ONLY', () => {
  const mesh = defaultMeshConfig();
  assert.equal(mesh.outboundTrafficPolicy.mode, 'ALLOW_ANY');
  assert.equal(scopeOf(MESH + sidecar('s', 'app', '  egress: [{hosts: ["./*"]}]'), proxy(), mesh).scope.outboundTrafficPolicy, 'ALLOW_ANY');
  assert.equal(scopeOf(MESH + sidecar('s', 'app', '  outboundTrafficPolicy: {mode: REGISTRY_ONLY}'), proxy(), mesh).scope.outboundTrafficPolicy, 'REGISTRY_ONLY');
  assert.equal(scopeOf(MESH + sidecar('s', 'app', '  outboundTrafficPolicy: {}'), proxy(), mesh).scope.outboundTrafficPolicy, 'REGISTRY_ONLY');
  const registryOnly: MeshConfig = { ...mesh, outboundTrafficPolicy: { mode: 'REGISTRY_ONLY' } };
  assert.equal(scopeOf(MESH + sidecar('s', 'app', '  outboundTrafficPolicy: {mode: ALLOW_ANY}'), proxy(), registryOnly).scope.outboundTrafficPolicy, 'ALLOW_ANY');
  assert.equal(scopeOf(MESH, proxy(), registryOnly).scope.outboundTrafficPolicy, 'REGISTRY_ONLY');
});

test('unusable egress hosts are skipped with a diagnostic naming the field', () => {
  const objects = objectsFrom(MESH + sidecar('s', 'app', '  egress: [{hosts: ["./*"]}]'));
  const bad = objects.map((o) => (o.kind === 'Sidecar' ? { ...o, spec: { egress: [{ hosts: ['nohost', 'other/c', 'other/c*.x.com', './*'] }] } } : o));
  const { scope, diags } = scopeOf(bad);
  assert.deepEqual(hosts(scope), ['a.app', 'b.app']);
  assert.deepEqual(diags.items.map((d) => [d.source, d.path]), [
    ['Sidecar/app/s', 'spec.egress[0].hosts[0]'],
    ['Sidecar/app/s', 'spec.egress[0].hosts[1]'],
    ['Sidecar/app/s', 'spec.egress[0].hosts[2]'],
  ]);
  assert.match(diags.items[1]!.message, /short names/);
});
