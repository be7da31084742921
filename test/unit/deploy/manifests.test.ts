// deploy/ must be kubectl-applyable in name order and internally consistent: the Service reaches
// the Deployment's ports, RBAC binds what exists, and the `istio` ConfigMap holds a valid mesh config.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { parseMeshConfig } from '../../../src/config/mesh-config.js';
import { renderIssue } from '../../../src/lib/issue.js';

const DEPLOY_DIR = fileURLToPath(new URL('../../../../deploy', import.meta.url));
type Doc = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const files = readdirSync(DEPLOY_DIR).filter((f) => f.endsWith('.yaml')).sort();
const docs: Doc[] = files.flatMap((f) =>
  parseAllDocuments(readFileSync(join(DEPLOY_DIR, f), 'utf8')).map((d) => {
    assert.deepEqual(d.errors, [], `${f} must be valid YAML`);
    return d.toJS() as Doc;
  }),
);
const find = (kind: string, name: string): Doc => {
  const doc = docs.find((d) => d.kind === kind && d.metadata.name === name);
  assert.ok(doc, `${kind} ${name} should exist in deploy/`);
  return doc;
};

test('every manifest names itself, namespaced ones live in istio-system, and the Namespace applies first', () => {
  for (const d of docs) {
    assert.ok(d.apiVersion && d.kind && d.metadata?.name, JSON.stringify(d).slice(0, 80));
    const clusterScoped = ['Namespace', 'ClusterRole', 'ClusterRoleBinding'].includes(d.kind);
    assert.equal(d.metadata.namespace, clusterScoped ? undefined : 'istio-system', `${d.kind}/${d.metadata.name}`);
  }
  assert.equal(docs[0]!.kind, 'Namespace');
  find('Namespace', 'istio-system');
});

test('the istio ConfigMap carries a valid mesh config in key mesh', () => {
  const cm = find('ConfigMap', 'istio');
  const mesh = parseMeshConfig(cm.data.mesh, 'deploy/istio');
  assert.ok(mesh.ok, mesh.ok ? '' : mesh.errors.map(renderIssue).join('; '));
  assert.equal(mesh.value.defaultConfig.discoveryAddress, 'istiod.istio-system.svc:15012');
});

test('the istiod Service reaches ports the Deployment exposes, by the pod labels', () => {
  const dep = find('Deployment', 'istiod');
  const svc = find('Service', 'istiod');
  const pod = dep.spec.template;
  const container = pod.spec.containers[0];
  const containerPorts = container.ports.map((p: Doc) => p.containerPort as number).sort((a: number, b: number) => a - b);
  assert.deepEqual(containerPorts, [8080, 15010, 15012, 15014, 15017]);
  assert.deepEqual(svc.spec.ports.map((p: Doc) => [p.name, p.port, p.targetPort]), [
    ['grpc-xds', 15010, 15010], ['https-dns', 15012, 15012], ['https-webhook', 443, 15017], ['http-monitoring', 15014, 15014],
  ]);
  for (const [k, v] of Object.entries(svc.spec.selector)) assert.equal(pod.metadata.labels[k], v);
  for (const [k, v] of Object.entries(dep.spec.selector.matchLabels)) assert.equal(pod.metadata.labels[k], v);
  const pdb = find('PodDisruptionBudget', 'istiod');
  for (const [k, v] of Object.entries(pdb.spec.selector.matchLabels)) assert.equal(pod.metadata.labels[k], v);
});

test('the istiod container runs hardened, is probed on /ready and gets its identity from the downward API', () => {
  const pod = find('Deployment', 'istiod').spec.template.spec;
  const c = pod.containers[0];
  assert.equal(c.image, 'istiod-ts:latest');
  assert.equal(c.args[0], 'discovery');
  assert.deepEqual(c.readinessProbe.httpGet, { path: '/ready', port: 8080 });
  assert.equal(c.securityContext.runAsNonRoot, true);
  assert.equal(c.securityContext.readOnlyRootFilesystem, true);
  assert.equal(c.securityContext.runAsUser, 1337);
  assert.ok(c.resources.requests.cpu && c.resources.limits.memory);
  const env = new Map(c.env.map((e: Doc) => [e.name, e]));
  assert.equal((env.get('POD_NAME') as Doc).valueFrom.fieldRef.fieldPath, 'metadata.name');
  assert.equal((env.get('POD_NAMESPACE') as Doc).valueFrom.fieldRef.fieldPath, 'metadata.namespace');
  assert.ok(env.has('PILOT_DEBOUNCE_AFTER'));
  const volumes = new Set(pod.volumes.map((v: Doc) => v.name));
  for (const m of c.volumeMounts) assert.ok(volumes.has(m.name), `mount ${m.name} has no volume`);
  assert.equal(pod.volumes.find((v: Doc) => v.name === 'config-volume').configMap.name, 'istio');
  find('ServiceAccount', pod.serviceAccountName);
});

test('RBAC binds istiod to roles that exist and grants what the control plane needs', () => {
  const crb = find('ClusterRoleBinding', 'istiod-clusterrole-istio-system');
  const role = find('ClusterRole', crb.roleRef.name);
  assert.deepEqual(crb.subjects, [{ kind: 'ServiceAccount', name: 'istiod', namespace: 'istio-system' }]);
  const rb = find('RoleBinding', 'istiod');
  find('Role', rb.roleRef.name);
  const allows = (group: string, resource: string, verb: string) =>
    role.rules.some((r: Doc) => r.apiGroups.includes(group) && (r.resources.includes(resource) || r.resources.includes('*')) && r.verbs.includes(verb));
  for (const res of ['services', 'endpoints', 'pods', 'nodes', 'namespaces', 'secrets', 'configmaps', 'serviceaccounts']) assert.ok(allows('', res, 'watch'), res);
  assert.ok(allows('discovery.k8s.io', 'endpointslices', 'list'));
  for (const g of ['networking.istio.io', 'security.istio.io', 'telemetry.istio.io', 'extensions.istio.io']) assert.ok(allows(g, 'anything', 'watch'), g);
  assert.ok(allows('networking.istio.io', '*/status', 'update'));
  assert.ok(allows('', 'configmaps', 'update'), 'istio-ca-root-cert is written to every namespace');
  assert.ok(allows('coordination.k8s.io', 'leases', 'update'));
  assert.ok(allows('authentication.k8s.io', 'tokenreviews', 'create'));
  assert.ok(allows('admissionregistration.k8s.io', 'mutatingwebhookconfigurations', 'patch'));
});
