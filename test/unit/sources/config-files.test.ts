import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigFiles } from '../../../src/sources/file/config-files.js';
import { createValidator } from '../../../src/model/validation/validate.js';
import { RecordingSink } from '../../helpers/recording-sink.js';

const validator = createValidator();

function svc(name: string, port = 80, ns = 'default'): string {
  return `apiVersion: v1\nkind: Service\nmetadata:\n  name: ${name}\n  namespace: ${ns}\nspec:\n  ports:\n  - name: http\n    port: ${port}\n`;
}

test('objects from a file reach the sink; removing the file removes them', () => {
  const sink = new RecordingSink();
  const files = new ConfigFiles(validator, sink);
  files.applyFile('/a.yaml', `${svc('one')}---\n${svc('two')}`);
  assert.deepEqual(sink.keys(), ['Service/default/one', 'Service/default/two']);
  files.removeFile('/a.yaml');
  assert.deepEqual(sink.keys(), []);
});

test('re-applying identical text upserts nothing', () => {
  const sink = new RecordingSink();
  const files = new ConfigFiles(validator, sink);
  files.applyFile('/a.yaml', svc('one'));
  const before = sink.calls.length;
  files.applyFile('/a.yaml', svc('one'));
  // A new validation produces a new frozen object: it is upserted, which the store dedupes by content.
  assert.ok(sink.calls.length - before <= 1);
});

test('an invalid edit keeps the last good version of that object and reports it', () => {
  const sink = new RecordingSink();
  const files = new ConfigFiles(validator, sink);
  files.applyFile('/a.yaml', `${svc('one')}---\n${svc('two')}`);
  const good = sink.objects.get('Service/default/one');
  const reports = files.applyFile('/a.yaml', `apiVersion: v1\nkind: Service\nmetadata:\n  name: one\n  labels: {bad key!: x}\n---\n${svc('two', 81)}`);
  assert.equal(sink.objects.get('Service/default/one'), good, 'last good version stays');
  assert.equal((sink.objects.get('Service/default/two')!.spec as { spec: { ports: { port: number }[] } }).spec.ports[0]!.port, 81);
  assert.equal(reports.length, 1);
  assert.equal(reports[0]!.index, '0');
  assert.equal(reports[0]!.object, 'Service/default/one');
  assert.equal(reports[0]!.keptLastGood, true);
  assert.match(reports[0]!.errors[0]!, /metadata\.labels/);
});

test('a file that stops parsing keeps all of its previous objects', () => {
  const sink = new RecordingSink();
  const files = new ConfigFiles(validator, sink);
  files.applyFile('/a.yaml', svc('one'));
  const reports = files.applyFile('/a.yaml', 'kind: [unterminated\n');
  assert.deepEqual(sink.keys(), ['Service/default/one']);
  assert.equal(reports[0]!.code, 'MESH_ERR_FILE_PARSE');
  assert.equal(files.reports().length, 1);
});

test('a document removed from a file removes its object', () => {
  const sink = new RecordingSink();
  const files = new ConfigFiles(validator, sink);
  files.applyFile('/a.yaml', `${svc('one')}---\n${svc('two')}`);
  files.applyFile('/a.yaml', svc('two'));
  assert.deepEqual(sink.keys(), ['Service/default/two']);
});

test('duplicates: the first file wins, the copy is reported, and takes over when the first goes', () => {
  const sink = new RecordingSink();
  const files = new ConfigFiles(validator, sink);
  files.applyFile('/a.yaml', svc('one', 80));
  const reports = files.applyFile('/b.yaml', svc('one', 90));
  assert.equal(reports[0]!.code, 'MESH_ERR_CONFIG_DUPLICATE');
  assert.match(reports[0]!.errors[0]!, /already defined in \/a\.yaml/);
  files.removeFile('/a.yaml');
  const port = (sink.objects.get('Service/default/one')!.spec as { spec: { ports: { port: number }[] } }).spec.ports[0]!.port;
  assert.equal(port, 90);
  assert.deepEqual(files.reports(), []);
});

test('duplicate within one file is reported with its index', () => {
  const sink = new RecordingSink();
  const files = new ConfigFiles(validator, sink);
  const reports = files.applyFile('/a.yaml', `${svc('one')}---\n${svc('one', 81)}`);
  assert.equal(reports.length, 1);
  assert.equal(reports[0]!.index, '1');
  assert.match(reports[0]!.errors[0]!, /earlier in this file/);
});

test('bad input of every shape is reported per document and never throws', () => {
  const sink = new RecordingSink();
  const files = new ConfigFiles(validator, sink);
  const docs = [
    'just a string',
    '[1, 2, 3]',
    'apiVersion: v1\nkind: Frobnicator\nmetadata: {name: x}',
    'apiVersion: networking.istio.io/v9\nkind: VirtualService\nmetadata: {name: x}\nspec: {}',
    'apiVersion: v1\nkind: Service\nmetadata: {}',
    'apiVersion: 7\nkind: {a: 1}\nmetadata: 3',
    svc('fine'),
  ];
  const reports = files.applyFile('/bad.yaml', docs.join('\n---\n'));
  assert.deepEqual(sink.keys(), ['Service/default/fine']);
  assert.deepEqual(reports.map((r) => r.index), ['0', '1', '2', '3', '4', '5']);
  assert.match(reports[2]!.errors[0]!, /kind: Unsupported value: "Frobnicator"/);
  assert.match(reports[3]!.errors[0]!, /apiVersion: Unsupported value: "networking.istio.io\/v9".*accepted: networking.istio.io\/v1/);
  assert.match(reports[4]!.errors[0]!, /metadata\.name: Required value/);
});
