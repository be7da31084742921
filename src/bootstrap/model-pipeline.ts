/**
 * Wires sources to the model: the sources' ConfigSink writes into the store, the store's
 * debounced batches become Snapshots, and the daemon is ready once every source synced and
 * the first snapshot exists. Options and MeshConfig are mapped onto RegistryOptions here.
 */
import type { MeshConfig } from '../config/mesh-types.js';
import type { Options } from '../config/options.js';
import type { Logger } from '../lib/logger.js';
import type { ChangeSet } from '../model/change-set.js';
import { registryOptions, type RegistryOptions, type Snapshot } from '../model/snapshot.js';
import { createModelPipeline as createStorePipeline } from '../model/store/index.js';
import type { ConfigSink } from '../sources/file/config-files.js';

export interface ModelPipeline {
  readonly sink: ConfigSink;
  current(): Snapshot | undefined;
  /** Called once every source has loaded: builds the first snapshot now, without debounce. */
  sourcesSynced(): Promise<void>;
  ready(): boolean;
  close(): void;
}

export function toRegistryOptions(options: Options, mesh: MeshConfig): RegistryOptions {
  return registryOptions({
    domain: options.domain,
    clusterID: options.clusterID,
    rootNamespace: mesh.rootNamespace,
    defaultServiceExportTo: mesh.defaultServiceExportTo,
    defaultVirtualServiceExportTo: mesh.defaultVirtualServiceExportTo,
    defaultDestinationRuleExportTo: mesh.defaultDestinationRuleExportTo,
    endpointsFromPods: options.kubeconfig === undefined,
  });
}

function logSnapshot(log: Logger, snapshot: Snapshot, changes: ChangeSet): void {
  log.info({
    version: snapshot.version,
    objects: snapshot.configs.size,
    services: snapshot.registry.services.length,
    changedKinds: changes.kinds,
    changedKeys: changes.keys.length,
    endpointsOnly: changes.endpointsOnly,
    diagnostics: snapshot.diagnostics.length,
  }, 'new snapshot');
  for (const d of snapshot.diagnostics) log.debug({ diagnostic: d }, 'snapshot diagnostic');
}

export function createModelPipeline(deps: { options: Options; mesh: MeshConfig; logger: Logger }): ModelPipeline {
  const log = deps.logger;
  let synced = false;
  const pipeline = createStorePipeline({
    registry: toRegistryOptions(deps.options, deps.mesh),
    debounceAfterMs: deps.options.debounceAfterMs,
    debounceMaxMs: deps.options.debounceMaxMs,
    onSnapshot: (snapshot, changes) => logSnapshot(log, snapshot, changes),
    onError: (err) => log.error({ err }, 'snapshot build failed; the previous snapshot stays in force'),
  });
  return {
    sink: {
      upsert: (obj) => void pipeline.store.upsert(obj),
      remove: (ref) => void pipeline.store.remove(ref),
    },
    current: () => pipeline.current(),
    async sourcesSynced() {
      await pipeline.flush();
      synced = true;
    },
    ready: () => synced && pipeline.current() !== undefined,
    close: () => pipeline.close(),
  };
}
