import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChangeSet } from '../../../src/model/change-set.js';
import { createModelPipeline } from '../../../src/model/store/index.js';
import { registryOptions, type Snapshot } from '../../../src/model/snapshot.js';
import { pod, service } from './fixtures.js';

test('pipeline: store writes → one snapshot per flushed batch with its ChangeSet', async () => {
  const seen: Array<[Snapshot, ChangeSet]> = [];
  const p = createModelPipeline({ registry: registryOptions(), debounceAfterMs: 60_000, onSnapshot: (s, c) => void seen.push([s, c]) });
  p.store.upsert(service('web', 'ns', { selector: { app: 'web' }, ports: [{ name: 'http', port: 80 }] }));
  p.store.upsert(pod('w1', 'ns', { app: 'web' }, '10.1.0.1'));
  await p.flush();
  p.store.upsert(pod('w2', 'ns', { app: 'web' }, '10.1.0.2'));
  await p.flush();
  await p.flush(); // nothing pending: no new snapshot
  p.close();
  assert.equal(seen.length, 2);
  assert.deepEqual(seen[0]?.[1].keys, ['Pod/ns/w1', 'Service/ns/web']);
  assert.equal(seen[1]?.[1].endpointsOnly, true);
  assert.equal(p.current()?.version, 2);
  assert.equal(p.current()?.endpointsOf('ns/web.ns.svc.cluster.local').length, 2);
});
