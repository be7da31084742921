/**
 * Wires sources to the model: the sources' ConfigSink writes into the store, the store's
 * debounced batches become Snapshots, and the daemon is ready once every source synced and
 * the first snapshot exists. Options and MeshConfig are mapped onto RegistryOptions here.
 */
import type { MeshConfig } from '../config/mesh-types.js';
import type { MeshNetworks } from '../config/mesh-networks.js';
import type { Options } from '../config/options.js';
import type { Logger } from '../lib/logger.js';
import { computeChangeSet, type ChangeSet } from '../model/change-set.js';
import { registryOptions, type RegistryOptions, type Snapshot } from '../model/snapshot.js';
import { withGatewayApi } from '../model/gateway-api/derived-store.js';
import { createModelPipeline as createStorePipeline, createStore, type BatchTiming } from '../model/store/index.js';
import type { ConfigSink } from '../sources/file/config-files.js';
import { chooseKubeClient } from '../sources/kubernetes/client-choice.js';
import type { MeshHolder } from './load-mesh-config.js';

/** Gets every snapshot once all sources have synced; the first call carries a full ChangeSet. */
export type SnapshotListener = (snapshot: Snapshot, changes: ChangeSet, timing: BatchTiming) => void;

export interface ModelPipeline {
  readonly sink: ConfigSink;
  /** Adds a consumer of synced snapshots (ADS, metrics). */
  subscribe(listener: SnapshotListener): void;
  /** New MeshNetworks (multi-network): rebuilds the snapshot for a full push. */
  setMeshNetworks(networks: MeshNetworks): void;
  current(): Snapshot | undefined;
  /** Called once every source has loaded: builds the first snapshot now, without debounce. */
  sourcesSynced(): Promise<void>;
  ready(): boolean;
  close(): void;
}

export function toRegistryOptions(options: Options, mesh: MeshConfig, meshNetworks?: MeshNetworks): RegistryOptions {
  return registryOptions({
    ...(meshNetworks ? { meshNetworks } : {}),
    systemNamespace: options.podNamespace,
    domain: options.domain,
    clusterID: options.clusterID,
    rootNamespace: mesh.rootNamespace,
    defaultServiceExportTo: mesh.defaultServiceExportTo,
    defaultVirtualServiceExportTo: mesh.defaultVirtualServiceExportTo,
    defaultDestinationRuleExportTo: mesh.defaultDestinationRuleExportTo,
    // With Kubernetes, EndpointSlices are the endpoints' truth; without it, Pods stand in for them.
    endpointsFromPods: chooseKubeClient(options).mode === 'none',
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

function notify(listeners: readonly SnapshotListener[], log: Logger, snapshot: Snapshot, changes: ChangeSet, timing: BatchTiming): void {
  for (const listener of listeners) {
    try {
      listener(snapshot, changes, timing);
    } catch (err) {
      log.error({ err, version: snapshot.version }, 'snapshot consumer failed');
    }
  }
}

/**
 * `mesh` may be a MeshHolder: each new mesh config then rebuilds the snapshot with the new
 * registry options and hands it to every consumer as a full push (the generators read the
 * holder, so the push carries the new mesh config everywhere).
 */
export function createModelPipeline(deps: { options: Options; mesh: MeshConfig | MeshHolder; logger: Logger }): ModelPipeline {
  const log = deps.logger;
  let synced = false;
  const listeners: SnapshotListener[] = [];
  const pipeline = createStorePipeline({
    registry: toRegistryOptions(deps.options, 'current' in deps.mesh ? deps.mesh.current() : deps.mesh),
    // The Gateway API becomes synthetic Istio Gateways and VirtualServices before each snapshot.
    store: withGatewayApi(createStore(), { domain: deps.options.domain }),
    debounceAfterMs: deps.options.debounceAfterMs,
    debounceMaxMs: deps.options.debounceMaxMs,
    // Partial snapshots during the initial sync are never served: build the first at sourcesSynced().
    holdUntilFlush: true,
    onSnapshot: (snapshot, changes, timing) => {
      logSnapshot(log, snapshot, changes);
      // Before every source synced a snapshot may be partial: consumers (ADS) never see it.
      if (synced) notify(listeners, log, snapshot, changes, timing);
    },
    onError: (err) => log.error({ err }, 'snapshot build failed; the previous snapshot stays in force'),
  });
  let meshNetworks: MeshNetworks | undefined;
  if ('current' in deps.mesh) {
    deps.mesh.subscribe((mesh) => {
      log.info({ rootNamespace: mesh.rootNamespace }, 'mesh config changed; rebuilding the snapshot for a full push');
      pipeline.rebuild(toRegistryOptions(deps.options, mesh, meshNetworks)).catch((err: unknown) => log.error({ err }, 'snapshot rebuild after a mesh config change failed'));
    });
  }
  const currentMesh = (): MeshConfig => ('current' in deps.mesh ? deps.mesh.current() : deps.mesh);
  return {
    setMeshNetworks(next) {
      meshNetworks = next;
      log.info({ networks: Object.keys(next.networks).length }, 'mesh networks changed; rebuilding the snapshot for a full push');
      pipeline.rebuild(toRegistryOptions(deps.options, currentMesh(), next)).catch((err: unknown) => log.error({ err }, 'snapshot rebuild after a mesh networks change failed'));
    },
    sink: {
      upsert: (obj) => void pipeline.store.upsert(obj),
      remove: (ref) => void pipeline.store.remove(ref),
    },
    subscribe: (listener) => void listeners.push(listener),
    current: () => pipeline.current(),
    async sourcesSynced() {
      await pipeline.flush();
      synced = true;
      const first = pipeline.current();
      const now = Date.now();
      if (first) notify(listeners, log, first, computeChangeSet(undefined, first, []), { firstEventAt: now, firedAt: now });
    },
    ready: () => synced && pipeline.current() !== undefined,
    close: () => pipeline.close(),
  };
}
