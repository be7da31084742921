/**
 * The model pipeline builds snapshots incrementally (store → changed keys → nextSnapshot).
 * Differential check on random batches: every snapshot equals a from-scratch build of the
 * store's objects (registry, diagnostics, config index, VirtualService/DestinationRule lookups),
 * and its ChangeSet equals the one fingerprinting two from-scratch snapshots would give.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeChangeSet, type ChangeSet } from '../../../src/model/change-set.js';
import type { ConfigObject } from '../../../src/model/config.js';
import { buildSnapshot, nextSnapshot, registryOptions, type Snapshot } from '../../../src/model/snapshot.js';
import { createModelPipeline } from '../../../src/model/store/pipeline.js';
import { obj } from './fixtures.js';
import { RandomMesh, rng } from './random-mesh.js';

const idle = { now: () => 0, setTimeout: () => 0, clearTimeout: () => undefined };

function istioObject(mesh: RandomMesh): ConfigObject {
  const ns = mesh.pick(['a', 'b']);
  if (mesh.chance(0.5)) return obj('VirtualService', ns, mesh.pick(['vs1', 'vs2']), { hosts: [mesh.pick(['s1', 's2.b.svc.cluster.local'])], http: [{ route: [{ destination: { host: 's1' } }] }] });
  return obj('DestinationRule', ns, mesh.pick(['dr1', 'dr2']), { host: mesh.pick(['s1', 's2']), subsets: [{ name: mesh.pick(['v1', 'v2']) }] });
}

function lookups(s: Snapshot): unknown {
  return {
    vs: ['a', 'b'].map((ns) => s.virtualServices.visibleTo(ns).map((v) => [v.config.metadata.name, v.hosts])),
    dr: ['a', 'b'].map((ns) => s.destinationRules.destinationRuleFor(ns, 's1.a.svc.cluster.local', 'a') ?? null),
    visible: s.servicesVisibleTo('a').map((x) => x.key),
    at: s.endpointsAt('10.1.0.1').map((e) => [e.service.key, e.endpoint.port]),
  };
}

function expectSame(incremental: Snapshot, scratch: Snapshot, label: string): void {
  assert.deepStrictEqual(incremental.registry, scratch.registry, `${label}: registry`);
  assert.deepStrictEqual(incremental.diagnostics, scratch.diagnostics, `${label}: diagnostics`);
  assert.deepStrictEqual(incremental.configs.all(), scratch.configs.all(), `${label}: configs`);
  assert.equal(incremental.configs.size, scratch.configs.size, `${label}: configs.size`);
  // Equal content (a same-content upsert is no change, so the chain may hold the older copy).
  for (const o of scratch.configs.all()) assert.deepStrictEqual(incremental.configs.get(o.kind, o.metadata.namespace, o.metadata.name), scratch.configs.get(o.kind, o.metadata.namespace, o.metadata.name), `${label}: configs.get`);
  assert.deepStrictEqual(lookups(incremental), lookups(scratch), `${label}: lookups`);
}

const pick = (c: ChangeSet) => ({ kinds: c.kinds, keys: c.keys, servicesChanged: c.servicesChanged, endpointsChanged: c.endpointsChanged, endpointsOnly: c.endpointsOnly, full: c.full });

test('pipeline snapshots built incrementally equal from-scratch snapshots, with the same ChangeSets', async () => {
  const options = registryOptions({ clusterID: 'east', endpointsFromPods: false });
  for (let seed = 1; seed <= 25; seed++) {
    const mesh = new RandomMesh(rng(seed * 7919));
    const seen: Array<[Snapshot, ChangeSet]> = [];
    const pipeline = createModelPipeline({ registry: options, scheduler: idle, onSnapshot: (s, c) => void seen.push([s, c]) });
    let scratchBefore: Snapshot | undefined;
    for (let batch = 0; batch < 30; batch++) {
      const label = `seed ${seed} batch ${batch}`;
      for (let i = 0, n = 1 + Math.floor(mesh.pick([0, 1, 3, 8])); i < n; i++) {
        const all = pipeline.store.list();
        if (all.length > 0 && mesh.chance(0.25)) {
          const victim = mesh.pick(all);
          pipeline.store.remove({ kind: victim.kind, namespace: victim.metadata.namespace, name: victim.metadata.name, ...(victim.cluster !== undefined ? { cluster: victim.cluster } : {}) });
        } else pipeline.store.upsert(mesh.chance(0.15) ? istioObject(mesh) : mesh.any());
      }
      const count = seen.length;
      await pipeline.flush();
      if (seen.length === count) continue; // nothing recorded a change
      const [snapshot, changes] = seen.at(-1)!;
      const scratch = buildSnapshot(pipeline.store.list(), undefined, options);
      expectSame(snapshot, scratch, label);
      const expected = computeChangeSet(scratchBefore, scratch, changes.keys);
      if (scratchBefore) assert.deepStrictEqual(pick(changes), pick(expected), `${label}: ChangeSet`);
      scratchBefore = scratch;
    }
    pipeline.close();
  }
});

test('a snapshot continued twice: the second continuation is built from scratch, and still right', () => {
  const options = registryOptions({ endpointsFromPods: false });
  const mesh = new RandomMesh(rng(3));
  const objects = Array.from({ length: 40 }, () => mesh.any());
  const first = buildSnapshot(objects, undefined, options);
  const extra = mesh.service();
  const lookup = (list: ConfigObject[]) => ({ keys: [`Service/${extra.metadata.namespace}/${extra.metadata.name}${extra.cluster ? `@${extra.cluster}` : ''}`], get: () => extra, all: () => list });
  const a = nextSnapshot(first, options, lookup([...objects, extra]));
  const b = nextSnapshot(first, options, lookup([...objects, extra]));
  assert.deepStrictEqual(a.registry, b.registry);
  assert.deepStrictEqual(b.registry, buildSnapshot([...objects, extra], undefined, options).registry);
});

test('services and endpoint lists a batch does not touch keep their identity across snapshots', () => {
  const options = registryOptions({ endpointsFromPods: false });
  const mesh = new RandomMesh(rng(11));
  const objects = Array.from({ length: 60 }, () => mesh.any());
  const first = buildSnapshot(objects, undefined, options);
  const vs = obj('VirtualService', 'a', 'vs', { hosts: ['s1'] });
  const next = nextSnapshot(first, options, { keys: ['VirtualService/a/vs'], get: () => vs, all: () => [...objects, vs] });
  assert.equal(next.registry, first.registry);
  assert.equal(next.configs.list('Pod', 'a'), first.configs.list('Pod', 'a'));
  assert.notEqual(next.configs.list('Pod', 'a').length, 0);
  assert.notEqual(next.virtualServices, first.virtualServices);
  assert.equal(next.destinationRules, first.destinationRules);
  const cs = computeChangeSet(first, next, ['VirtualService/a/vs']);
  assert.deepEqual([cs.servicesChanged, cs.endpointsChanged, cs.endpointsOnly], [[], [], false]);
});
