import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigFiles } from '../../../src/sources/file/config-files.js';
import { createValidator } from '../../../src/model/validation/validate.js';
import { kindInfo } from '../../../src/model/kinds.js';
import { collectionPath, LAST_APPLIED_ANNOTATION, toConfigDocument, transformFor, trimForCache, watchedApiVersion } from '../../../src/sources/kubernetes/convert.js';
import { RecordingSink } from '../../helpers/recording-sink.js';

const validator = createValidator();

/** What the file source makes of a manifest, minus the source tag (which says where it came from). */
function fromFile(yaml: string): unknown {
  const sink = new RecordingSink();
  new ConfigFiles(validator, sink).applyFile('/m.yaml', yaml);
  const [obj] = [...sink.objects.values()];
  assert.ok(obj, `the file source accepted ${yaml}`);
  const { source: _s, ...rest } = obj;
  return rest;
}

function fromKube(kind: Parameters<typeof kindInfo>[0], raw: unknown): unknown {
  const converted = toConfigDocument(raw, kindInfo(kind));
  assert.ok(converted.ok);
  const outcome = validator.validate(converted.document, { source: 'kube:Kubernetes' });
  assert.deepEqual(outcome.errors, []);
  const { source, ...rest } = outcome.object!;
  assert.equal(source, 'kube:Kubernetes');
  return rest;
}

test('a Service list item (no apiVersion/kind, server metadata) becomes the file source object', () => {
  const yaml = 'apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  namespace: shop\n  labels: {app: web}\nspec:\n  selector: {app: web}\n  ports:\n  - {name: http, port: 80, targetPort: 8080}\n';
  const listItem = {
    metadata: {
      name: 'web', namespace: 'shop', labels: { app: 'web' }, resourceVersion: '42', uid: 'u-1',
      managedFields: [{ manager: 'kubectl', operation: 'Apply' }],
      annotations: { [LAST_APPLIED_ANNOTATION]: '{"big":"copy"}' },
    },
    spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
  };
  const kube = fromKube('Service', listItem) as { metadata: Record<string, unknown> };
  const file = fromFile(yaml) as { metadata: Record<string, unknown> };
  assert.deepEqual({ ...kube, metadata: { ...kube.metadata, resourceVersion: undefined, uid: undefined } }, { ...file, metadata: { ...file.metadata, resourceVersion: undefined, uid: undefined } });
  assert.equal(kube.metadata.resourceVersion, '42', 'server metadata the model can use is kept');
  assert.deepEqual(kube.metadata.annotations, {}, 'the last-applied copy is dropped');
});

test('a Pod keeps its status (podIP, phase): the registry reads it', () => {
  const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'shop' }, spec: { containers: [{ name: 'c', image: 'x' }] }, status: { phase: 'Running', podIP: '10.1.0.5' } };
  const obj = fromKube('Pod', pod) as { spec: { status: { podIP: string } } };
  assert.equal(obj.spec.status.podIP, '10.1.0.5');
});

test('an Istio object loses its status and equals the file source object', () => {
  const yaml = 'apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: r\n  namespace: shop\nspec:\n  hosts: [web]\n  http:\n  - route:\n    - destination: {host: web}\n';
  const raw = {
    apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'r', namespace: 'shop', generation: 3 },
    spec: { hosts: ['web'], http: [{ route: [{ destination: { host: 'web' } }] }] },
    status: { observedGeneration: 3, validationMessages: [{ type: { code: 'IST0101' } }] },
  };
  const kube = fromKube('VirtualService', raw) as { metadata: Record<string, unknown>; spec: unknown };
  const file = fromFile(yaml) as { metadata: Record<string, unknown>; spec: unknown };
  assert.deepEqual(kube.spec, file.spec);
  assert.equal(kube.metadata.generation, 3);
  assert.equal('status' in (toConfigDocument(raw, kindInfo('VirtualService')) as { document: object }).document, false);
});

test('an object that is not an object, or has no metadata, is a conversion error naming the kind', () => {
  assert.deepEqual(toConfigDocument('nope', kindInfo('Service')), { ok: false, error: 'the API server sent a Service that is not an object' });
  assert.deepEqual(toConfigDocument({ spec: {} }, kindInfo('Gateway')), { ok: false, error: 'the API server sent a Gateway without metadata' });
});

test('paths and versions come from the kind table', () => {
  assert.equal(collectionPath(kindInfo('Pod')), '/api/v1/pods');
  assert.equal(collectionPath(kindInfo('EndpointSlice')), '/apis/discovery.k8s.io/v1/endpointslices');
  assert.equal(collectionPath(kindInfo('EnvoyFilter')), '/apis/networking.istio.io/v1alpha3/envoyfilters');
  assert.equal(watchedApiVersion(kindInfo('Namespace')), 'v1');
  assert.equal(watchedApiVersion(kindInfo('AuthorizationPolicy')), 'security.istio.io/v1');
});

test('trimForCache drops managedFields and leaves everything else', () => {
  const raw = { metadata: { name: 'a', managedFields: [{}], labels: { x: 'y' } }, spec: { a: 1 } };
  assert.deepEqual(trimForCache(raw), { metadata: { name: 'a', labels: { x: 'y' } }, spec: { a: 1 } });
  const clean = { metadata: { name: 'a' } };
  assert.equal(trimForCache(clean), clean, 'nothing to trim: the same object');
});

test('Pods and Nodes are trimmed to what the control plane reads (as istiod\'s informers do)', () => {
  const raw = {
    metadata: { name: 'p', namespace: 'ns', labels: { app: 'a' }, managedFields: [{}], ownerReferences: [{ kind: 'ReplicaSet', name: 'rs' }] },
    spec: { serviceAccountName: 'sa', nodeName: 'n1', hostNetwork: false, volumes: [{ name: 'v' }], containers: [{ name: 'app', image: 'img', env: [{ name: 'X' }], ports: [{ name: 'http', containerPort: 8080 }] }, { name: 'side', image: 'x' }], initContainers: [{ name: 'init' }] },
    status: { phase: 'Running', podIP: '10.0.0.1', podIPs: [{ ip: '10.0.0.1' }], conditions: [{ type: 'Ready', status: 'True' }], containerStatuses: [{ name: 'app', restartCount: 3 }] },
  };
  assert.deepEqual(transformFor(kindInfo('Pod'))(raw), {
    metadata: { name: 'p', namespace: 'ns', labels: { app: 'a' }, ownerReferences: [{ kind: 'ReplicaSet', name: 'rs' }] },
    spec: { serviceAccountName: 'sa', nodeName: 'n1', hostNetwork: false, containers: [{ name: 'app', ports: [{ name: 'http', containerPort: 8080 }] }, { name: 'side' }] },
    status: { phase: 'Running', podIP: '10.0.0.1', podIPs: [{ ip: '10.0.0.1' }], conditions: [{ type: 'Ready', status: 'True' }] },
  });
  const node = { metadata: { name: 'n1', labels: { 'topology.kubernetes.io/zone': 'z' } }, status: { addresses: [{ type: 'InternalIP', address: '192.168.0.1' }], images: [{ names: ['x'] }], conditions: [{}], capacity: {}, allocatable: {} } };
  assert.deepEqual(transformFor(kindInfo('Node'))(node), { metadata: node.metadata, status: { addresses: node.status.addresses } });
  const svc = { metadata: { name: 's', managedFields: [] }, spec: { ports: [] } };
  assert.deepEqual(transformFor(kindInfo('Service'))(svc), { metadata: { name: 's' }, spec: { ports: [] } });
});
