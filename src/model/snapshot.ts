/**
 * The immutable, pre-indexed view of the mesh that translate/ reads; deep-frozen. The first is
 * built from all objects (`buildSnapshot()`); each debounced batch then derives the next from
 * the changed keys (`nextSnapshot()`), sharing every unchanged part with the previous one.
 */
import { rememberRegistryDiff } from './change-set.js';
import { objectKey, refOf, type ConfigObject } from './config.js';
import { buildConfigIndex, updateConfigIndex, type ConfigIndex } from './index/config-index.js';
import { buildDestinationRuleIndex, type DestinationRuleIndex } from './index/destination-rule-index.js';
import { servicesVisibleTo } from './index/service-visibility.js';
import { buildVirtualServiceIndex, type VirtualServiceIndex } from './index/virtual-service-index.js';
import type { KindName } from './kinds.js';
import { byAge } from './registry/build-registry.js';
import { incrementalRegistryOf, type IncrementalRegistry, type ObjectChange } from './registry/incremental-registry.js';
import { DEFAULT_REGISTRY_OPTIONS, type Diagnostic, type MeshEndpoint, type MeshService, type Registry, type RegistryOptions } from './registry/types.js';
import { deepFreeze } from './validation/validate.js';

export type { Diagnostic, MeshEndpoint, MeshService, Registry, RegistryOptions } from './registry/types.js';
export { DEFAULT_REGISTRY_OPTIONS } from './registry/types.js';

export interface Snapshot {
  /** Monotonic: previous.version + 1 (1 for the first). */
  readonly version: number;
  readonly options: RegistryOptions;
  readonly configs: ConfigIndex;
  readonly registry: Registry;
  readonly virtualServices: VirtualServiceIndex;
  readonly destinationRules: DestinationRuleIndex;
  /** What was skipped while building, naming the source object and field. */
  readonly diagnostics: readonly Diagnostic[];
  /** Services whose exportTo lets `namespace` see them. */
  servicesVisibleTo(namespace: string): readonly MeshService[];
  /** Services named `hostname` (several only for ServiceEntries in different namespaces). */
  servicesForHost(hostname: string): readonly MeshService[];
  endpointsOf(service: MeshService | string): readonly MeshEndpoint[];
  /** Endpoints at IP `address`, with their services (a proxy's own instances). */
  endpointsAt(address: string): readonly { readonly service: MeshService; readonly endpoint: MeshEndpoint }[];
}

type EndpointAt = { readonly service: MeshService; readonly endpoint: MeshEndpoint };

function indexByAddress(registry: Registry): Map<string, EndpointAt[]> {
  const byAddress = new Map<string, EndpointAt[]>();
  for (const service of registry.services) {
    for (const endpoint of registry.endpoints.get(service.key) ?? []) {
      const list = byAddress.get(endpoint.address);
      if (list) list.push({ service, endpoint });
      else byAddress.set(endpoint.address, [{ service, endpoint }]);
    }
  }
  return byAddress;
}

export function registryOptions(partial: Partial<RegistryOptions> = {}): RegistryOptions {
  return Object.freeze({ ...DEFAULT_REGISTRY_OPTIONS, ...partial });
}

/** How a snapshot chain carries its incremental state (moved to the next snapshot on update). */
interface ChainState {
  readonly options: RegistryOptions;
  readonly engine: IncrementalRegistry;
  /** Store key → the object as this chain last saw it. */
  readonly objects: Map<string, ConfigObject>;
  /** The registry diagnostics of the snapshot holding this state. */
  registryDiagnostics: readonly Diagnostic[];
}

const chainStates = new WeakMap<Snapshot, ChainState>();
const visibleCaches = new WeakMap<Snapshot, Map<string, readonly MeshService[]>>();

interface SnapshotParts {
  readonly options: RegistryOptions;
  readonly configs: ConfigIndex;
  readonly registry: Registry;
  readonly virtualServices: VirtualServiceIndex;
  readonly destinationRules: DestinationRuleIndex;
  readonly diagnostics: readonly Diagnostic[];
}

function assemble(parts: SnapshotParts, previous: Snapshot | undefined): Snapshot {
  const { registry } = parts;
  // Visibility is a pure function of the service list: shared while the list is the same.
  const sharedCache = previous && previous.registry.services === registry.services && previous.options === parts.options ? visibleCaches.get(previous) : undefined;
  const visibleCache = sharedCache ?? new Map<string, readonly MeshService[]>();
  let byAddress: Map<string, EndpointAt[]> | undefined;
  const snapshot: Snapshot = Object.freeze({
    version: (previous?.version ?? 0) + 1,
    ...parts,
    servicesVisibleTo(namespace: string) {
      // Memoized per namespace: a pure function of this snapshot's services.
      let found = visibleCache.get(namespace);
      if (!found) visibleCache.set(namespace, (found = Object.freeze(servicesVisibleTo(registry.services, namespace))));
      return found;
    },
    servicesForHost: (hostname: string) => registry.servicesByHost.get(hostname) ?? [],
    endpointsOf: (service: MeshService | string) => registry.endpoints.get(typeof service === 'string' ? service : service.key) ?? [],
    // Built on first use: a pure function of this snapshot's registry.
    endpointsAt: (address: string) => (byAddress ??= indexByAddress(registry)).get(address) ?? [],
  });
  visibleCaches.set(snapshot, visibleCache);
  return snapshot;
}

const byAgeOf = (configs: ConfigIndex, kind: KindName) => [...configs.list(kind)].sort(byAge);

function virtualServiceIndex(configs: ConfigIndex, options: RegistryOptions): VirtualServiceIndex {
  return buildVirtualServiceIndex(byAgeOf(configs, 'VirtualService'), { domain: options.domain, defaultExportTo: options.defaultVirtualServiceExportTo });
}

function destinationRuleIndex(configs: ConfigIndex, options: RegistryOptions): DestinationRuleIndex {
  return buildDestinationRuleIndex(byAgeOf(configs, 'DestinationRule'), {
    domain: options.domain, rootNamespace: options.rootNamespace, defaultExportTo: options.defaultDestinationRuleExportTo,
  });
}

/** A snapshot of `objects` built from scratch (a later `nextSnapshot` continues from it incrementally). */
export function buildSnapshot(objects: readonly ConfigObject[], previous: Snapshot | undefined, options: RegistryOptions = DEFAULT_REGISTRY_OPTIONS): Snapshot {
  // Keyed as the store keys them (a repeated object: the last one wins, as in the store).
  const byKey = new Map(objects.map((o) => [objectKey(refOf(o)), o]));
  const unique = [...byKey.values()];
  const { engine, first } = incrementalRegistryOf(unique, options);
  const configs = buildConfigIndex(unique);
  const destinationRules = destinationRuleIndex(configs, options);
  const snapshot = assemble({
    options, configs, registry: first.registry, virtualServices: virtualServiceIndex(configs, options), destinationRules,
    diagnostics: deepFreeze([...first.diagnostics, ...destinationRules.diagnostics]),
  }, previous);
  chainStates.set(snapshot, { options, engine, objects: byKey, registryDiagnostics: first.diagnostics });
  return snapshot;
}

/** What changed since the previous snapshot, and where to read the current objects. */
export interface SnapshotChanges {
  /** Store keys of the changed objects (the store's takeChanges()). */
  readonly keys: Iterable<string>;
  /** The current object under a store key; undefined if removed. */
  get(key: string): ConfigObject | undefined;
  /** Every current object: for a from-scratch build when no incremental state is at hand. */
  all(): readonly ConfigObject[];
}

/**
 * The snapshot after `changes`, at a cost that follows what changed: only the affected
 * services are recomputed, indexes of unchanged kinds are shared, and the previous snapshot's
 * unchanged services and endpoint lists keep their identity. Falls back to a full build when
 * there is no previous snapshot of the same options (or it was already continued).
 */
export function nextSnapshot(previous: Snapshot | undefined, options: RegistryOptions, changes: SnapshotChanges): Snapshot {
  const state = previous && chainStates.get(previous);
  if (!previous || !state || state.options !== options) return buildSnapshot(changes.all(), previous, options);
  // The state moves on (and is lost if this throws: the next build then starts from scratch).
  chainStates.delete(previous);
  const diffs: ObjectChange[] = [];
  for (const key of changes.keys) {
    const before = state.objects.get(key);
    const after = changes.get(key);
    if (before === after) continue;
    if (after) state.objects.set(key, after);
    else state.objects.delete(key);
    diffs.push({ key, ...(before ? { before } : {}), ...(after ? { after } : {}) });
  }
  const update = state.engine.update(diffs);
  const configs = updateConfigIndex(previous.configs, diffs);
  const kinds = new Set(diffs.map((d) => (d.before ?? d.after)!.kind));
  const virtualServices = kinds.has('VirtualService') ? virtualServiceIndex(configs, options) : previous.virtualServices;
  const destinationRules = kinds.has('DestinationRule') ? destinationRuleIndex(configs, options) : previous.destinationRules;
  const sameDiagnostics = update.diagnostics === state.registryDiagnostics && destinationRules === previous.destinationRules;
  const snapshot = assemble({
    options, configs, registry: update.registry, virtualServices, destinationRules,
    diagnostics: sameDiagnostics ? previous.diagnostics : deepFreeze([...update.diagnostics, ...destinationRules.diagnostics]),
  }, previous);
  state.registryDiagnostics = update.diagnostics;
  chainStates.set(snapshot, state);
  rememberRegistryDiff(previous, snapshot, update.diff);
  return snapshot;
}
