import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createStore } from '../../../src/model/store/index.js';
import { obj } from './fixtures.js';

test('upsert and remove record changed keys; takeChanges clears them', () => {
  const store = createStore();
  assert.equal(store.upsert(obj('Service', 'ns', 'a', { spec: { ports: [] } })), true);
  assert.equal(store.upsert(obj('Node', '', 'n1', {})), true);
  assert.deepEqual([...store.takeChanges()].sort(), ['Node/n1', 'Service/ns/a']);
  assert.equal(store.hasChanges(), false);
  assert.equal(store.remove({ kind: 'Service', namespace: 'ns', name: 'a' }), true);
  assert.equal(store.remove({ kind: 'Service', namespace: 'ns', name: 'a' }), false);
  assert.deepEqual([...store.takeChanges()], ['Service/ns/a']);
  assert.equal(store.size, 1);
});

test('an identical upsert records no change, a label change does', () => {
  const store = createStore();
  store.upsert(obj('Pod', 'ns', 'p', { status: { podIP: '10.0.0.1' } }, { app: 'x' }));
  store.takeChanges();
  assert.equal(store.upsert(obj('Pod', 'ns', 'p', { status: { podIP: '10.0.0.1' } }, { app: 'x' })), false);
  assert.equal(store.hasChanges(), false);
  assert.equal(store.upsert(obj('Pod', 'ns', 'p', { status: { podIP: '10.0.0.1' } }, { app: 'y' })), true);
  assert.equal(store.get({ kind: 'Pod', namespace: 'ns', name: 'p' })?.metadata.labels.app, 'y');
});

test('list filters by kind and subscribers hear each change', () => {
  const store = createStore();
  const heard: string[] = [];
  const off = store.subscribe((k) => heard.push(k));
  store.upsert(obj('Service', 'ns', 'a', {}));
  store.upsert(obj('Pod', 'ns', 'b', {}));
  off();
  store.upsert(obj('Pod', 'ns', 'c', {}));
  assert.deepEqual(heard, ['Service/ns/a', 'Pod/ns/b']);
  assert.deepEqual(store.list('Pod').map((o) => o.metadata.name), ['b', 'c']);
});
