/**
 * Differential test of the incremental registry: random batches of upserts and removes over
 * every registry kind (config cluster and a remote one); after each batch the incrementally
 * updated registry and diagnostics must deep-equal a from-scratch buildRegistry() of the same
 * objects, the reported diff must cover every hostname whose definition or endpoints changed,
 * and every hostname it does not report must keep its objects' identity.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildMeshNetworks } from '../../../src/config/mesh-networks.js';
import { objectKey, refOf, type ConfigObject } from '../../../src/model/config.js';
import { buildRegistry } from '../../../src/model/registry/build-registry.js';
import { accountsOf } from '../../../src/model/registry/engine-output.js';
import { createIncrementalRegistry, type ObjectChange, type RegistryUpdate } from '../../../src/model/registry/incremental-registry.js';
import { DEFAULT_REGISTRY_OPTIONS, type Registry, type RegistryOptions } from '../../../src/model/registry/types.js';
import { RandomMesh, rng } from './random-mesh.js';

const keyOf = (o: ConfigObject) => objectKey(refOf(o));

function meshNetworks() {
  const r = buildMeshNetworks({
    networks: {
      n1: { endpoints: [{ fromRegistry: 'west' }], gateways: [{ registryServiceName: 's2.a.svc.cluster.local', port: 15443 }] },
      n2: { endpoints: [{ fromCidr: '10.1.0.0/24' }], gateways: [{ address: '36.0.0.1', port: 15443 }] },
    },
  });
  assert.ok(r.ok);
  return r.value;
}

const VARIANTS: Array<[string, RegistryOptions]> = [
  ['kubernetes mode', { ...DEFAULT_REGISTRY_OPTIONS, clusterID: 'east', endpointsFromPods: false }],
  ['file mode (endpoints from pods)', { ...DEFAULT_REGISTRY_OPTIONS, endpointsFromPods: true }],
  ['mesh networks', { ...DEFAULT_REGISTRY_OPTIONS, clusterID: 'east', endpointsFromPods: false, meshNetworks: meshNetworks() }],
];

/** One random batch: returns the changes as the engine must see them (first before, last after). */
function randomBatch(mesh: RandomMesh, objects: Map<string, ConfigObject>): ObjectChange[] {
  const changes = new Map<string, { before?: ConfigObject; after?: ConfigObject }>();
  const ops = 1 + Math.floor(mesh.pick([0, 1, 2, 3, 6, 10]));
  for (let i = 0; i < ops; i++) {
    const removing = objects.size > 0 && mesh.chance(0.25);
    const obj = removing ? objects.get(mesh.pick([...objects.keys()]))! : mesh.any();
    const key = keyOf(obj);
    if (!changes.has(key)) changes.set(key, objects.has(key) ? { before: objects.get(key)! } : {});
    if (removing) objects.delete(key);
    else objects.set(key, obj);
    const change = changes.get(key)!;
    changes.set(key, { ...(change.before ? { before: change.before } : {}), ...(objects.has(key) ? { after: objects.get(key)! } : {}) });
  }
  return [...changes].map(([key, c]) => ({ key, ...c }));
}

function fingerprints(registry: Registry): Map<string, { host: string; service: string; endpoints: string }> {
  const out = new Map<string, { host: string; service: string; endpoints: string }>();
  for (const s of registry.services) {
    const eps = registry.endpoints.get(s.key) ?? [];
    out.set(s.key, { host: s.hostname, service: `${JSON.stringify(s)}|${accountsOf(eps)}`, endpoints: JSON.stringify(eps) });
  }
  return out;
}

function checkDiff(before: Registry, after: Registry, update: RegistryUpdate, label: string): void {
  const a = fingerprints(before);
  const b = fingerprints(after);
  for (const key of new Set([...a.keys(), ...b.keys()])) {
    const x = a.get(key);
    const y = b.get(key);
    const host = (x ?? y)!.host;
    if (x?.service !== y?.service) assert.ok(update.diff.services.has(host), `${label}: service ${key} changed but is not reported`);
    if (x?.endpoints !== y?.endpoints) assert.ok(update.diff.endpoints.has(host), `${label}: endpoints of ${key} changed but are not reported`);
    if (!x || !y) continue;
    const ix = before.services.find((s) => s.key === key);
    const iy = after.services.find((s) => s.key === key);
    if (!update.diff.services.has(host)) assert.equal(ix, iy, `${label}: unchanged service ${key} lost its identity`);
    if (!update.diff.endpoints.has(host)) assert.equal(before.endpoints.get(key), after.endpoints.get(key), `${label}: unchanged endpoints of ${key} lost their identity`);
  }
}

for (const [name, opts] of VARIANTS) {
  test(`incremental registry equals a from-scratch build after every random batch (${name})`, () => {
    for (let seed = 1; seed <= 40; seed++) {
      const mesh = new RandomMesh(rng(seed));
      const objects = new Map<string, ConfigObject>();
      const engine = createIncrementalRegistry(opts);
      let previous = engine.update([]).registry;
      for (let batch = 0; batch < 40; batch++) {
        const label = `seed ${seed} batch ${batch}`;
        const changes = randomBatch(mesh, objects);
        const update = engine.update(changes);
        const full = buildRegistry([...objects.values()], opts);
        assert.deepStrictEqual(update.registry, full.registry, `${label}: registry differs from a full build`);
        assert.deepStrictEqual(update.diagnostics, full.diagnostics, `${label}: diagnostics differ from a full build`);
        checkDiff(previous, update.registry, update, label);
        previous = update.registry;
      }
    }
  });
}

test('a batch that changes nothing the registry reads keeps the whole registry', () => {
  const opts = { ...DEFAULT_REGISTRY_OPTIONS, endpointsFromPods: false };
  const engine = createIncrementalRegistry(opts);
  const mesh = new RandomMesh(rng(7));
  const objects = new Map<string, ConfigObject>();
  for (let i = 0; i < 30; i++) engine.update(randomBatch(mesh, objects));
  const before = engine.update([]);
  const vs: ConfigObject = { kind: 'VirtualService', apiVersion: 'v1', metadata: { name: 'vs', namespace: 'a', labels: {}, annotations: {} }, spec: { hosts: ['x'] } };
  const after = engine.update([{ key: keyOf(vs), after: vs }]);
  assert.equal(after.registry, before.registry);
  assert.equal(after.diff.services.size + after.diff.endpoints.size, 0);
});
