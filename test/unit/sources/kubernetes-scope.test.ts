/**
 * MeshConfig discoverySelectors: Kubernetes label selector semantics (AND within a selector,
 * ANY selector across the list, empty list = every namespace) and the live scope: namespaces
 * entering and leaving it move their cached objects in and out of the sink.
 */
import { test } from 'node:test';
import type { LabelSelector } from '../../../src/config/mesh-types.js';
import assert from 'node:assert/strict';
import { selectedByAny, selectorMatches } from '../../../src/sources/kubernetes/label-selector.js';
import { DiscoveryScope } from '../../../src/sources/kubernetes/discovery-scope.js';
import { ScopedDelivery, type CachedKind } from '../../../src/sources/kubernetes/scoped-delivery.js';
import { KubeObjects } from '../../../src/sources/kubernetes/kube-objects.js';
import type { KubeObject } from '../../../src/sources/kubernetes/object-cache.js';
import { kindInfo, type KindName } from '../../../src/model/kinds.js';
import { createValidator } from '../../../src/model/validation/validate.js';
import { RecordingSink } from '../../helpers/recording-sink.js';

test('a selector ANDs matchLabels and every matchExpressions operator', () => {
  const labels = { env: 'prod', team: 'a' };
  assert.equal(selectorMatches({ matchLabels: { env: 'prod' } }, labels), true);
  assert.equal(selectorMatches({ matchLabels: { env: 'prod', team: 'b' } }, labels), false);
  assert.equal(selectorMatches({ matchExpressions: [{ key: 'env', operator: 'In', values: ['dev', 'prod'] }] }, labels), true);
  assert.equal(selectorMatches({ matchExpressions: [{ key: 'env', operator: 'In', values: ['dev'] }] }, labels), false);
  assert.equal(selectorMatches({ matchExpressions: [{ key: 'zone', operator: 'In', values: ['x'] }] }, labels), false, 'In needs the key');
  assert.equal(selectorMatches({ matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['prod'] }] }, labels), false);
  assert.equal(selectorMatches({ matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['x'] }] }, labels), true, 'NotIn holds without the key');
  assert.equal(selectorMatches({ matchExpressions: [{ key: 'team', operator: 'Exists' }] }, labels), true);
  assert.equal(selectorMatches({ matchExpressions: [{ key: 'zone', operator: 'Exists' }] }, labels), false);
  assert.equal(selectorMatches({ matchExpressions: [{ key: 'zone', operator: 'DoesNotExist' }] }, labels), true);
  assert.equal(selectorMatches({ matchLabels: { env: 'prod' }, matchExpressions: [{ key: 'team', operator: 'DoesNotExist' }] }, labels), false, 'both parts must hold');
  assert.equal(selectorMatches({}, {}), true, 'an empty selector matches everything');
  assert.equal(selectorMatches({ matchLabels: { toString: 'x' } }, {}), false, 'inherited properties are not labels');
});

test('a list selects a namespace when ANY selector matches; no selectors select every namespace', () => {
  const list: LabelSelector[] = [{ matchLabels: { a: '1' } }, { matchLabels: { b: '2' } }];
  assert.equal(selectedByAny(list, { b: '2' }), true);
  assert.equal(selectedByAny(list, { a: '2', b: '1' }), false);
  assert.equal(selectedByAny([], {}), true);
  assert.equal(selectedByAny(undefined, { x: 'y' }), true);
});

test('DiscoveryScope: unknown namespaces are out with selectors, always-in ones stay in, changes are reported', () => {
  const scope = new DiscoveryScope(new Set(['istio-system']), [{ matchLabels: { mesh: 'on' } }]);
  assert.equal(scope.inScope('shop'), false, 'not delivered yet → out');
  assert.equal(scope.inScope('istio-system'), true);
  assert.equal(scope.inScope(''), true, 'cluster-scoped objects');
  assert.deepEqual(scope.setNamespace('shop', { mesh: 'on' }), { entered: ['shop'], left: [] });
  assert.deepEqual(scope.setNamespace('shop', { mesh: 'on', other: 'x' }), { entered: [], left: [] });
  assert.deepEqual(scope.setNamespace('shop', {}), { entered: [], left: ['shop'] });
  assert.deepEqual(scope.setNamespace('istio-system', {}), { entered: [], left: [] });
  scope.setNamespace('shop', { mesh: 'on' });
  assert.deepEqual(scope.removeNamespace('shop'), { entered: [], left: ['shop'] });
  assert.deepEqual(scope.setSelectors([], ['orphan']), { entered: ['orphan'], left: [] }, 'no selectors: everything, even without a Namespace object');
  assert.deepEqual(scope.setSelectors([{ matchLabels: { mesh: 'on' } }], ['orphan'], ['mesh-root']), { entered: [], left: ['istio-system', 'orphan'] });
  assert.equal(scope.inScope('istio-system'), false, 'the always-in set was replaced');
  assert.equal(scope.inScope('mesh-root'), true);
});

function service(name: string, namespace: string): KubeObject {
  return { metadata: { name, namespace, resourceVersion: '1' }, spec: { ports: [{ name: 'http', port: 80 }] } };
}
function namespace(name: string, labels: Record<string, string> = {}): KubeObject {
  return { metadata: { name, labels, resourceVersion: '1' } };
}

/** ScopedDelivery over a real KubeObjects and a recording sink, with informer caches the test fills. */
function harness(selectors: { matchLabels: Record<string, string> }[]) {
  const sink = new RecordingSink();
  const caches = new Map<KindName, KubeObject[]>([['Service', []], ['Namespace', []]]);
  const cached: CachedKind[] = [...caches.keys()].map((k) => ({ info: kindInfo(k), objects: () => caches.get(k)! }));
  const delivery = new ScopedDelivery(new DiscoveryScope(new Set(['istio-system']), selectors), new KubeObjects(createValidator(), sink, 'kube:test'), () => cached);
  const deliver = (kind: KindName, obj: KubeObject) => {
    const list = caches.get(kind)!.filter((o) => o.metadata?.name !== obj.metadata?.name || o.metadata?.namespace !== obj.metadata?.namespace);
    caches.set(kind, [...list, obj]);
    delivery.upsert(kindInfo(kind), obj);
  };
  return { sink, delivery, deliver };
}

test('objects of out-of-scope namespaces stay out; labelling brings them in, unlabelling removes them', () => {
  const { sink, delivery, deliver } = harness([{ matchLabels: { mesh: 'on' } }]);
  deliver('Service', service('web', 'shop'));
  deliver('Service', service('istiod', 'istio-system'));
  deliver('Namespace', namespace('shop'));
  assert.deepEqual(sink.keys(), ['Namespace/shop', 'Service/istio-system/istiod'], 'namespace objects always pass; shop is out');
  deliver('Namespace', namespace('shop', { mesh: 'on' }));
  assert.ok(sink.objects.has('Service/shop/web'), 'labelled: its cached Service enters');
  deliver('Service', service('api', 'shop'));
  assert.ok(sink.objects.has('Service/shop/api'), 'new objects in a selected namespace pass');
  deliver('Namespace', namespace('shop', { mesh: 'off' }));
  assert.deepEqual(sink.keys(), ['Namespace/shop', 'Service/istio-system/istiod'], 'unlabelled: both leave');
  delivery.remove(kindInfo('Service'), service('api', 'shop'));
  assert.equal(sink.calls.filter((c) => c === 'remove Service/shop/api').length, 1, 'no second delete for an object already out of scope');
  delivery.setSelectors([]);
  assert.ok(sink.objects.has('Service/shop/web'), 'no selectors: every namespace');
  delivery.setSelectors([{ matchLabels: { mesh: 'off' } }]);
  assert.ok(sink.objects.has('Service/shop/web'), 'new selectors matching the current labels keep it');
  delivery.setSelectors([{ matchLabels: { other: 'x' } }]);
  assert.equal(sink.objects.has('Service/shop/web'), false);
  assert.ok(sink.objects.has('Service/istio-system/istiod'), 'the always-in namespace never leaves');
});
