/**
 * The registry, kept up to date from changed objects instead of rebuilt from all of them:
 * cost follows what changed. Results per Kubernetes Service and cluster ("units") are kept;
 * a change marks the units it feeds (indexes: slice → Service by the service-name label, Pod →
 * slices by targetRef, Node/Namespace → units with endpoints there), then only those units,
 * their merged hostnames, the ServiceEntry group (when anything it reads changed) and the
 * network gateways (when a candidate Service changed) are recomputed. Everything else keeps
 * its identity. Output equals buildRegistry() over the same objects, diagnostics included
 * (test/unit/model/incremental-registry.test.ts checks it on random change sequences).
 */
import { objectKey, refOf, type ConfigObject } from '../config.js';
import { applyChange } from './engine-apply.js';
import { mergeDirty, recomputeGateways, recomputeServiceEntries, recomputeUnits } from './engine-compute.js';
import { assembleDiagnostics, nextRegistry, updateEntries, type RegistryDiff } from './engine-output.js';
import { clusterOrder, newDirty, newEngineState, type EngineState } from './engine-state.js';
import type { Diagnostic, Registry, RegistryOptions } from './types.js';

export type { RegistryDiff } from './engine-output.js';

/** One object's change: `before`/`after` absent = it did not exist. `key` is its store key. */
export interface ObjectChange {
  readonly key: string;
  readonly before?: ConfigObject;
  readonly after?: ConfigObject;
}

export interface RegistryUpdate {
  readonly registry: Registry;
  readonly diagnostics: readonly Diagnostic[];
  /** Hostnames whose service definition (incl. its endpoints' service accounts) / endpoint list changed. */
  readonly diff: RegistryDiff;
}

export interface IncrementalRegistry {
  readonly options: RegistryOptions;
  update(changes: Iterable<ObjectChange>): RegistryUpdate;
}

function update(state: EngineState, changes: Iterable<ObjectChange>, initial = false): RegistryUpdate {
  state.memo.clear();
  const dirty = newDirty();
  dirty.gateways = initial; // MeshNetworks `address` gateways need no Service
  for (const c of changes) if (c.before ?? c.after) applyChange(state, c.key, c.before, c.after, dirty);
  if (dirty.clustersChanged) {
    state.order = clusterOrder(state.clusters);
    dirty.gateways = true;
  }
  recomputeUnits(state, dirty);
  const touched = new Set<string>();
  mergeDirty(state, dirty, touched);
  if (dirty.serviceEntries) {
    recomputeServiceEntries(state, touched);
    dirty.diagnostics = true;
  }
  let gatewaysChanged = false;
  if (dirty.gateways) {
    const before = state.gateways;
    recomputeGateways(state);
    gatewaysChanged = before !== state.gateways;
    dirty.diagnostics = true;
  }
  const { diff, changed, servicesMoved } = updateEntries(state, touched);
  state.registry = nextRegistry(state, changed, servicesMoved, gatewaysChanged);
  if (dirty.diagnostics) state.diagnostics = Object.freeze(assembleDiagnostics(state));
  state.memo.clear();
  return { registry: state.registry, diagnostics: state.diagnostics, diff };
}

export function createIncrementalRegistry(opts: RegistryOptions): IncrementalRegistry {
  const state = newEngineState(opts);
  update(state, [], true);
  return { options: opts, update: (changes) => update(state, changes) };
}

/** A new incremental registry holding `objects` (a from-scratch build). */
export function incrementalRegistryOf(objects: readonly ConfigObject[], opts: RegistryOptions): { engine: IncrementalRegistry; first: RegistryUpdate } {
  const engine = createIncrementalRegistry(opts);
  const first = engine.update(objects.map((o) => ({ key: objectKey(refOf(o)), after: o })));
  return { engine, first };
}
