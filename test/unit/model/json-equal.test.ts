import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isDeepStrictEqual } from 'node:util';
import { jsonEqual } from '../../../src/model/store/json-equal.js';
import { createStore } from '../../../src/model/store/index.js';
import { obj } from './fixtures.js';

test('jsonEqual agrees with isDeepStrictEqual on JSON-like data', () => {
  const cases: Array<[unknown, unknown]> = [
    [{ a: 1, b: [1, { c: 'x' }] }, { b: [1, { c: 'x' }], a: 1 }],
    [{ a: 1 }, { a: 1, b: undefined }],
    [{ a: undefined }, { b: undefined }],
    [[1, 2], [1, 2, 3]],
    [[], {}],
    [{ a: null }, { a: {} }],
    [NaN, NaN],
    ['1', 1],
    [{ a: { b: { c: [true] } } }, { a: { b: { c: [false] } } }],
    [Object.create(null) as unknown, {}],
  ];
  for (const [a, b] of cases) assert.equal(jsonEqual(a, b), isDeepStrictEqual(a, b), `${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
});

test('the store records a change of creation or deletion time (the registry reads both)', () => {
  const store = createStore();
  const base = obj('Pod', 'ns', 'p', { status: { podIP: '10.0.0.1' } });
  store.upsert(base);
  store.takeChanges();
  assert.equal(store.upsert({ ...base, metadata: { ...base.metadata, resourceVersion: '7' } }), false);
  assert.equal(store.upsert({ ...base, metadata: { ...base.metadata, deletionTimestamp: '2024-01-01T00:00:00Z' } }), true);
  assert.equal(store.upsert({ ...base, metadata: { ...base.metadata, creationTimestamp: '2024-01-01T00:00:00Z' } }), true);
  assert.equal(store.getByKey('Pod/ns/p')?.metadata.creationTimestamp, '2024-01-01T00:00:00Z');
});
