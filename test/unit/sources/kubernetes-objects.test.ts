import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createValidator } from '../../../src/model/validation/validate.js';
import { kindInfo } from '../../../src/model/kinds.js';
import { KubeObjects } from '../../../src/sources/kubernetes/kube-objects.js';
import { RecordingSink } from '../../helpers/recording-sink.js';

const validator = createValidator();
const VS = kindInfo('VirtualService');

function vs(rv: string, hosts: unknown): Record<string, unknown> {
  return { metadata: { name: 'r', namespace: 'shop', resourceVersion: rv }, spec: { hosts, http: [{ route: [{ destination: { host: 'web' } }] }] } };
}

test('valid objects reach the sink tagged with the cluster; a delete removes them', () => {
  const sink = new RecordingSink();
  const objects = new KubeObjects(validator, sink, 'kube:c1');
  assert.equal(objects.apply(VS, vs('1', ['web'])), undefined);
  assert.equal(sink.objects.get('VirtualService/shop/r')!.source, 'kube:c1');
  assert.equal(sink.objects.get('VirtualService/shop/r')!.apiVersion, 'networking.istio.io/v1');
  objects.remove(VS, vs('2', ['web']));
  assert.deepEqual(sink.calls, ['upsert VirtualService/shop/r', 'remove VirtualService/shop/r']);
});

test('an invalid change keeps the last good version and is reported against the object', () => {
  const sink = new RecordingSink();
  const objects = new KubeObjects(validator, sink, 'kube:c1');
  objects.apply(VS, vs('1', ['web']));
  const good = sink.objects.get('VirtualService/shop/r');
  const report = objects.apply(VS, vs('2', 'not-a-list'));
  assert.ok(report);
  assert.equal(report.object, 'VirtualService/shop/r');
  assert.equal(report.resourceVersion, '2');
  assert.equal(report.keptLastGood, true);
  assert.match(report.errors.join('\n'), /spec\.hosts/);
  assert.equal(sink.objects.get('VirtualService/shop/r'), good, 'the sink still has version 1');
  assert.equal(objects.reports().length, 1);
  // Fixing it clears the report; deleting it after a rejection removes the good version once.
  objects.apply(VS, vs('3', ['web2']));
  assert.deepEqual(objects.reports(), []);
  objects.remove(VS, vs('3', ['web2']));
  objects.remove(VS, vs('3', ['web2']));
  assert.deepEqual(sink.calls, ['upsert VirtualService/shop/r', 'upsert VirtualService/shop/r', 'remove VirtualService/shop/r']);
});

test('an object that was never valid is reported but never reaches the sink; its delete clears the report', () => {
  const sink = new RecordingSink();
  const objects = new KubeObjects(validator, sink, 'kube:c1');
  const report = objects.apply(VS, vs('1', 7));
  assert.equal(report?.keptLastGood, false);
  assert.equal(objects.apply(kindInfo('Service'), 'garbage' as never)?.errors[0], 'the API server sent a Service that is not an object');
  assert.equal(sink.calls.length, 0);
  objects.remove(VS, vs('1', 7));
  assert.deepEqual(objects.reports().map((r) => r.object), ['Service/<unnamed>']);
  assert.equal(sink.calls.length, 0);
});
