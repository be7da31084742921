/** pushPlan: which types a push refreshes on one stream, full vs endpoints-only. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ChangeSet } from '../../../src/model/change-set.js';
import type { ConnectionHandle } from '../../../src/serve/connection.js';
import type { ResourceCache } from '../../../src/serve/resource-cache.js';
import { pushPlan } from '../../../src/serve/subscription-resolver.js';
import { CDS, EDS, LDS, RDS } from './harness.js';

const change = (over: Partial<ChangeSet>): ChangeSet => ({ fromVersion: 1, toVersion: 2, full: false, kinds: [], keys: [], servicesChanged: [], endpointsChanged: ['a'], endpointsOnly: true, ...over });
const cache = { snapshot: {} } as unknown as ResourceCache;
const handle = (also?: readonly string[]) => ({ proxy: {}, generator: also ? { alsoAffectedByEndpoints: () => also } : {} }) as unknown as ConnectionHandle;
const held = [RDS, LDS, EDS, CDS];

test('a full change refreshes every held type, in push order', () => {
  assert.deepEqual(pushPlan(handle(), cache, change({ endpointsOnly: false }), held), [CDS, EDS, LDS, RDS].map((typeUrl) => ({ typeUrl, endpointsOnly: false })));
});

test('an endpoints-only change refreshes affected EDS names only, unless the generator names more types', () => {
  assert.deepEqual(pushPlan(handle(), cache, change({}), held), [{ typeUrl: EDS, endpointsOnly: true }]);
  assert.deepEqual(pushPlan(handle([CDS, LDS]), cache, change({}), held), [
    { typeUrl: CDS, endpointsOnly: false }, { typeUrl: EDS, endpointsOnly: true }, { typeUrl: LDS, endpointsOnly: false },
  ]);
});

test('types the stream does not hold are never pushed', () => {
  assert.deepEqual(pushPlan(handle([LDS]), cache, change({}), [CDS]), []);
});
