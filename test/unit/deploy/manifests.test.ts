// deploy/ must be kubectl-applyable in name order and internally consistent: every name a manifest
// refers to exists, the Service reaches the Deployment's ports, the webhooks reach the Service,
// the container's args are flags the daemon accepts, and RBAC grants exactly what src/ calls.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { parseMeshConfig } from '../../../src/config/mesh-config.js';
import { renderIssue } from '../../../src/lib/issue.js';
import { parseCommand } from '../../../src/cli/parse-args.js';
import { KINDS } from '../../../src/model/kinds.js';
import { watchedKinds } from '../../../src/sources/kubernetes/kube-source.js';
import { apiUses, informerKinds, unaccounted } from './api-uses.js';
import { boundRules, missingGrants, unusedPermissions } from './rbac-check.js';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const DEPLOY_DIR = join(ROOT, 'deploy');
const SRC_DIR = join(ROOT, 'src');
type Doc = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const files = readdirSync(DEPLOY_DIR).filter((f) => f.endsWith('.yaml')).sort();
const docs: Doc[] = files.flatMap((f) =>
  parseAllDocuments(readFileSync(join(DEPLOY_DIR, f), 'utf8')).map((d) => {
    assert.deepEqual(d.errors, [], `${f} must be valid YAML`);
    return d.toJS({ maxAliasCount: 100 }) as Doc;
  }),
);
const find = (kind: string, name: string): Doc => {
  const doc = docs.find((d) => d.kind === kind && d.metadata.name === name);
  assert.ok(doc, `${kind} ${name} should exist in deploy/`);
  return doc;
};
const CLUSTER_SCOPED = ['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration'];
const deployment = () => find('Deployment', 'istiod');
const podSpec = () => deployment().spec.template.spec;
const container = () => podSpec().containers[0];

function sourceFiles(dir: string): { file: string; text: string }[] {
  return readdirSync(dir).flatMap((e) => {
    const full = join(dir, e);
    if (statSync(full).isDirectory()) return sourceFiles(full);
    return full.endsWith('.ts') ? [{ file: relative(SRC_DIR, full), text: readFileSync(full, 'utf8') }] : [];
  });
}

test('every manifest names itself, namespaced ones live in istio-system, and the Namespace applies first', () => {
  for (const d of docs) {
    assert.ok(d.apiVersion && d.kind && d.metadata?.name, JSON.stringify(d).slice(0, 80));
    assert.equal(d.metadata.namespace, CLUSTER_SCOPED.includes(d.kind) ? undefined : 'istio-system', `${d.kind}/${d.metadata.name}`);
  }
  assert.equal(docs[0]!.kind, 'Namespace');
  assert.equal(find('Namespace', 'istio-system').metadata.labels['istio-injection'], 'disabled');
});

test('the istio ConfigMap carries a valid mesh config in key mesh', () => {
  const cm = find('ConfigMap', 'istio');
  const mesh = parseMeshConfig(cm.data.mesh, 'deploy/istio');
  assert.ok(mesh.ok, mesh.ok ? '' : mesh.errors.map(renderIssue).join('; '));
  assert.equal(mesh.value.defaultConfig.discoveryAddress, 'istiod.istio-system.svc:15012');
});

test('the istiod Service reaches ports the Deployment exposes, by the pod labels', () => {
  const svc = find('Service', 'istiod');
  const pod = deployment().spec.template;
  const containerPorts = container().ports.map((p: Doc) => p.containerPort as number).sort((a: number, b: number) => a - b);
  assert.deepEqual(containerPorts, [8080, 15010, 15012, 15014, 15017]);
  assert.deepEqual(svc.spec.ports.map((p: Doc) => [p.name, p.port, p.targetPort]), [
    ['grpc-xds', 15010, 15010], ['https-dns', 15012, 15012], ['https-webhook', 443, 15017], ['http-monitoring', 15014, 15014],
  ]);
  for (const p of svc.spec.ports) assert.ok(containerPorts.includes(p.targetPort), `Service port ${p.name} targets an unexposed port`);
  const labels = pod.metadata.labels;
  for (const selector of [svc.spec.selector, deployment().spec.selector.matchLabels, find('PodDisruptionBudget', 'istiod').spec.selector.matchLabels]) {
    assert.ok(Object.keys(selector).length > 0);
    for (const [k, v] of Object.entries(selector)) assert.equal(labels[k], v, `selector ${k}=${String(v)}`);
  }
});

test('the container runs hardened, probed on /ready, kept alive by a probe that ignores sync state', () => {
  const c = container();
  assert.equal(c.image, 'istiod-ts:latest');
  assert.deepEqual(c.readinessProbe.httpGet, { path: '/ready', port: 8080 });
  assert.equal(c.livenessProbe.httpGet.port, 8080);
  assert.notEqual(c.livenessProbe.httpGet.path, '/ready', 'liveness must not restart a pod that is still syncing');
  assert.ok(c.livenessProbe.failureThreshold * c.livenessProbe.periodSeconds >= 30, 'liveness gives a busy event loop time');
  assert.equal(c.securityContext.runAsNonRoot, true);
  assert.equal(c.securityContext.readOnlyRootFilesystem, true);
  assert.equal(c.securityContext.allowPrivilegeEscalation, false);
  assert.equal(c.securityContext.runAsUser, 1337);
  assert.ok(c.resources.requests.cpu && c.resources.requests.memory && c.resources.limits.memory);
  const env = new Map(c.env.map((e: Doc) => [e.name, e]));
  assert.equal((env.get('POD_NAME') as Doc).valueFrom.fieldRef.fieldPath, 'metadata.name');
  assert.equal((env.get('POD_NAMESPACE') as Doc).valueFrom.fieldRef.fieldPath, 'metadata.namespace');
});

test('the pod mounts the istio-ca token, the mesh config and the optional cacerts where istiod does', () => {
  const pod = podSpec();
  const mounts = new Map(container().volumeMounts.map((m: Doc) => [m.name, m]));
  const volumes = new Map(pod.volumes.map((v: Doc) => [v.name, v]));
  for (const name of mounts.keys()) assert.ok(volumes.has(name), `mount ${String(name)} has no volume`);
  const token = (volumes.get('istio-token') as Doc).projected.sources[0].serviceAccountToken;
  assert.equal(token.audience, 'istio-ca');
  assert.equal(`${(mounts.get('istio-token') as Doc).mountPath}/${token.path}`, '/var/run/secrets/tokens/istio-token');
  assert.deepEqual((volumes.get('cacerts') as Doc).secret, { secretName: 'cacerts', optional: true });
  assert.equal((mounts.get('cacerts') as Doc).mountPath, '/etc/cacerts');
  // The mesh config comes from ConfigMap istio through the API (hot-reloaded), not from a file read once.
  assert.ok(!container().args.some((a: string) => a.startsWith('--meshConfig')), 'a --meshConfig file would turn off the ConfigMap watch');
});

test('every name the Deployment refers to exists, unless the reference is optional', () => {
  const pod = podSpec();
  find('ServiceAccount', pod.serviceAccountName);
  const refs: { kind: string; name: string; optional: boolean }[] = [];
  for (const v of pod.volumes) {
    if (v.configMap) refs.push({ kind: 'ConfigMap', name: v.configMap.name, optional: v.configMap.optional === true });
    if (v.secret) refs.push({ kind: 'Secret', name: v.secret.secretName, optional: v.secret.optional === true });
    for (const s of v.projected?.sources ?? []) {
      if (s.configMap) refs.push({ kind: 'ConfigMap', name: s.configMap.name, optional: s.configMap.optional === true });
      if (s.secret) refs.push({ kind: 'Secret', name: s.secret.name, optional: s.secret.optional === true });
    }
  }
  for (const e of container().env) {
    const from = e.valueFrom ?? {};
    if (from.configMapKeyRef) refs.push({ kind: 'ConfigMap', name: from.configMapKeyRef.name, optional: from.configMapKeyRef.optional === true });
    if (from.secretKeyRef) refs.push({ kind: 'Secret', name: from.secretKeyRef.name, optional: from.secretKeyRef.optional === true });
  }
  assert.ok(refs.length >= 1);
  for (const r of refs.filter((x) => !x.optional)) find(r.kind, r.name);
});

test('the container args are flags the daemon accepts, with the env the pod gets', () => {
  const c = container();
  const env: Record<string, string> = { KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' };
  const fieldValues: Record<string, string> = { 'metadata.name': 'istiod-abc12', 'metadata.namespace': 'istio-system', 'spec.serviceAccountName': 'istiod' };
  for (const e of c.env) env[e.name] = e.value ?? fieldValues[e.valueFrom?.fieldRef?.fieldPath] ?? '';
  const command = parseCommand(c.args, env);
  assert.equal(command.name, 'discovery');
  if (command.name !== 'discovery') return;
  assert.equal(command.options.meshConfigFile, undefined);
  assert.equal(command.options.podNamespace, 'istio-system');
  const cacerts = container().volumeMounts.find((m: Doc) => m.name === 'cacerts');
  assert.equal(command.options.caDir, cacerts.mountPath, 'the plugged-in CA is read where the cacerts Secret is mounted');
  assert.equal(command.options.domain, 'cluster.local');
  assert.equal(command.options.configDir, undefined, 'in a cluster the config comes from the API server');
  assert.throws(() => parseCommand([...c.args, '--noSuchFlag=1'], env), /noSuchFlag/, 'the parser rejects unknown flags');
});

test('every environment variable set on the container is one the daemon (or Node) reads', () => {
  const known = ['cli/parse-args.ts', 'config/options.ts'].map((f) => readFileSync(join(SRC_DIR, f), 'utf8')).join('\n');
  for (const e of container().env) {
    if (e.name === 'NODE_OPTIONS') continue;
    assert.match(known, new RegExp(`\\b${e.name}\\b`), `${e.name} is not read by istiod-ts`);
  }
});

// --- webhooks -----------------------------------------------------------------------------------

type Selector = { matchLabels?: Record<string, string>; matchExpressions?: { key: string; operator: string; values?: string[] }[] };
function selects(selector: Selector | undefined, labels: Record<string, string>): boolean {
  if (!selector) return true;
  const labelsOk = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  return labelsOk && (selector.matchExpressions ?? []).every(({ key, operator, values = [] }) => {
    const has = key in labels;
    if (operator === 'In') return has && values.includes(labels[key]!);
    if (operator === 'NotIn') return !has || !values.includes(labels[key]!);
    if (operator === 'Exists') return has;
    if (operator === 'DoesNotExist') return !has;
    throw new Error(`unknown operator ${operator}`);
  });
}

test('both webhook configurations reach Service istiod on port 443 with v1 reviews and no side effects', () => {
  const svc = find('Service', 'istiod');
  const configs = [find('MutatingWebhookConfiguration', 'istio-sidecar-injector'), find('ValidatingWebhookConfiguration', 'istio-validator-istio-system')];
  for (const config of configs) {
    assert.ok(config.webhooks.length > 0);
    for (const w of config.webhooks) {
      const { service } = w.clientConfig;
      assert.equal(find('Service', service.name).metadata.namespace, service.namespace, w.name);
      assert.ok(svc.spec.ports.some((p: Doc) => p.port === service.port && p.targetPort === 15017), `${w.name}: Service port ${service.port} must reach 15017`);
      assert.equal(service.path, config.kind === 'MutatingWebhookConfiguration' ? '/inject' : '/validate');
      assert.equal(w.clientConfig.caBundle, undefined, 'the leader patches the caBundle in');
      assert.deepEqual(w.admissionReviewVersions, ['v1']);
      assert.equal(w.sideEffects, 'None');
      assert.ok(w.timeoutSeconds > 0 && w.timeoutSeconds <= 30);
    }
  }
});

test('injection: pods are selected by the namespace or pod labels as Istio selects them, by exactly one webhook', () => {
  const injector = find('MutatingWebhookConfiguration', 'istio-sidecar-injector');
  for (const w of injector.webhooks) {
    assert.equal(w.failurePolicy, 'Fail', w.name);
    assert.equal(w.reinvocationPolicy, 'Never', w.name);
    assert.deepEqual(w.rules, [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['pods'], scope: '*' }]);
  }
  const matching = (ns: Record<string, string>, pod: Record<string, string>) =>
    injector.webhooks.filter((w: Doc) => selects(w.namespaceSelector, ns) && selects(w.objectSelector, pod)).length;
  const cases: [Record<string, string>, Record<string, string>, number][] = [
    [{ 'istio-injection': 'enabled' }, {}, 1],
    [{ 'istio-injection': 'enabled' }, { 'sidecar.istio.io/inject': 'false' }, 0],
    [{ 'istio-injection': 'enabled' }, { 'istio.io/rev': 'default' }, 1],
    [{ 'istio-injection': 'disabled' }, { 'sidecar.istio.io/inject': 'true' }, 0],
    [{ 'istio.io/rev': 'default' }, {}, 1],
    [{ 'istio.io/rev': 'canary' }, {}, 0],
    [{}, { 'istio.io/rev': 'default' }, 1],
    [{}, { 'sidecar.istio.io/inject': 'true' }, 1],
    [{}, {}, 0],
  ];
  for (const [ns, pod, expected] of cases) assert.equal(matching(ns, pod), expected, `namespace ${JSON.stringify(ns)} pod ${JSON.stringify(pod)}`);
  const istiod = deployment().spec.template.metadata.labels;
  assert.equal(matching(find('Namespace', 'istio-system').metadata.labels, istiod), 0, 'istiod never injects itself');
});

test('validation: every Istio API group and object is validated on create and update, failing open until ready', () => {
  const validator = find('ValidatingWebhookConfiguration', 'istio-validator-istio-system');
  const groups = [...new Set(KINDS.filter((k) => k.istio).map((k) => k.group))].sort();
  for (const w of validator.webhooks) {
    assert.equal(w.failurePolicy, 'Ignore', `${w.name}: Istio fails open until the caBundle is in`);
    assert.deepEqual([...w.rules[0].apiGroups].sort(), groups);
    assert.deepEqual(w.rules[0].operations, ['CREATE', 'UPDATE']);
    assert.deepEqual(w.rules[0].resources, ['*']);
  }
  for (const labels of [{}, { 'istio.io/rev': 'default' }] as Record<string, string>[]) {
    assert.equal(validator.webhooks.filter((w: Doc) => selects(w.objectSelector, labels)).length, 1, JSON.stringify(labels));
  }
});

// --- RBAC ---------------------------------------------------------------------------------------

const sources = sourceFiles(SRC_DIR);
const uses = apiUses(informerKinds(watchedKinds(), sources));
const needed = uses.flatMap((u) => u.grants());
const SA = { name: 'istiod', namespace: 'istio-system' };

test('RBAC binds the istiod ServiceAccount to roles that exist', () => {
  find('ServiceAccount', podSpec().serviceAccountName);
  const bindings = docs.filter((d) => d.kind === 'ClusterRoleBinding' || d.kind === 'RoleBinding');
  assert.ok(bindings.length >= 2);
  for (const b of bindings) {
    find(b.roleRef.kind, b.roleRef.name);
    assert.equal(b.roleRef.apiGroup, 'rbac.authorization.k8s.io');
    assert.deepEqual(b.subjects, [{ kind: 'ServiceAccount', ...SA }]);
  }
});

test('every Kubernetes API path in src/ is in the RBAC table, with the methods its file sends', () => {
  assert.deepEqual(unaccounted(sources, uses), []);
});

test('RBAC grants every call in the table, and nothing else', () => {
  const rules = boundRules(docs, SA);
  assert.deepEqual(missingGrants(rules, needed), []);
  assert.deepEqual(unusedPermissions(rules, needed), []);
  // Secrets are never written outside istio-system, and only istio-ca-secret is ever replaced.
  assert.ok(!rules.some((r) => r.namespace === undefined && r.resources.includes('secrets') && r.verbs.some((v) => v !== 'list' && v !== 'watch')));
});

test('the RBAC checks fail for a new call without a grant and for a grant without a call', () => {
  const added = [{ file: 'sources/kubernetes/new-writer.ts', text: "export const go = (api: any) => api.request('DELETE', `/apis/apps/v1/namespaces/${'x'}/deployments`);" }];
  const problems = unaccounted(added, uses);
  assert.ok(problems.some((p) => p.includes('/apis/apps/v1/namespaces/{}/deployments')), problems.join('\n'));
  const extraMethod = [{ file: 'sources/kubernetes/lease-client.ts', text: "const c = `/apis/coordination.k8s.io/v1/namespaces/${'n'}/leases`; api.request('DELETE', c);" }];
  assert.ok(unaccounted(extraMethod, uses).some((p) => p.includes('sends DELETE')));
  const rules = boundRules(docs, SA);
  const withoutLeases = rules.filter((r) => !r.resources.includes('leases'));
  assert.ok(missingGrants(withoutLeases, needed).some((g) => g.resource === 'leases' && g.verb === 'update'));
  const tooMuch = [...rules, { apiGroups: [''], resources: ['secrets'], verbs: ['delete'], from: 'ClusterRole/extra' }];
  assert.deepEqual(unusedPermissions(tooMuch, needed), ['ClusterRole/extra core/secrets delete']);
});
