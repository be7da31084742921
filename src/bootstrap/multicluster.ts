/**
 * Multi-cluster and multi-network wiring: MeshNetworks from --meshNetworks and (in Kubernetes)
 * the `istio` ConfigMap's meshNetworks key, handed to the model; remote clusters from
 * istio/multiCluster secrets, each a registry-only Kubernetes source into the same sink; and
 * the debug views /debug/clusterz (remote clusters and their sync status, as istiod names it)
 * and /debug/networkz (the network gateways in force).
 */
import { readFile } from 'node:fs/promises';
import { EMPTY_MESH_NETWORKS, meshNetworksFromConfigMap, parseMeshNetworks, type MeshNetworks } from '../config/mesh-networks.js';
import type { Options } from '../config/options.js';
import { ErrorCodes, UserError } from '../lib/errors.js';
import { renderIssue } from '../lib/issue.js';
import type { Logger } from '../lib/logger.js';
import { KINDS } from '../model/kinds.js';
import type { Validator } from '../model/validation/validate.js';
import type { RouteHandler } from '../debug/http-server.js';
import type { ConfigSink } from '../sources/file/config-files.js';
import { chooseKubeClient } from '../sources/kubernetes/client-choice.js';
import type { RemoteClusters } from '../sources/kubernetes/remote-clusters.js';
import type { ListWatchTransport } from '../sources/kubernetes/transport.js';
import type { MeshHolder } from './load-mesh-config.js';
import type { ModelPipeline } from './model-pipeline.js';

/** The only kinds a remote cluster contributes: Istio config comes from the config cluster. */
const REMOTE_KINDS = ['Service', 'EndpointSlice', 'Pod', 'Namespace', 'Node'];

export interface MulticlusterDeps {
  readonly options: Options;
  readonly validator: Validator;
  readonly sink: ConfigSink;
  readonly pipeline: ModelPipeline;
  readonly mesh: MeshHolder;
  readonly logger: Logger;
}

export interface Multicluster {
  /** Resolves once the secrets are listed and every remote cluster synced or timed out. */
  start(): Promise<void>;
  readonly synced: boolean;
  readonly routes: Readonly<Record<string, RouteHandler>>;
  close(): Promise<void>;
}

async function loadNetworksFile(file: string | undefined): Promise<MeshNetworks> {
  if (file === undefined) return EMPTY_MESH_NETWORKS;
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new UserError(ErrorCodes.CLI_FLAG, `cannot read --meshNetworks ${file}: ${(err as Error).message}`);
  }
  const parsed = parseMeshNetworks(text, file);
  if (!parsed.ok) throw new UserError(ErrorCodes.MESHCONFIG_INVALID, `invalid --meshNetworks ${file}:\n  ${parsed.errors.map(renderIssue).join('\n  ')}`);
  return parsed.value;
}

/** ConfigMap `istio` key meshNetworks, hot-reloaded; the file's networks when the key is absent. */
async function watchNetworksConfigMap(transport: ListWatchTransport, deps: MulticlusterDeps, fromFile: MeshNetworks) {
  const { createInformer } = await import('../sources/kubernetes/informer.js');
  const { meshConfigMapPath, MESH_CONFIGMAP_NAME } = await import('../sources/kubernetes/mesh-config-watch.js');
  const log = deps.logger;
  let current = JSON.stringify(fromFile);
  const apply = (networks: MeshNetworks) => {
    const text = JSON.stringify(networks);
    if (text === current) return;
    current = text;
    deps.pipeline.setMeshNetworks(networks);
  };
  const object = `ConfigMap/${deps.options.podNamespace}/${MESH_CONFIGMAP_NAME}`;
  return createInformer({
    name: 'MeshNetworks',
    path: meshConfigMapPath(deps.options.podNamespace),
    transport,
    logger: log.child({ kind: 'ConfigMap', name: MESH_CONFIGMAP_NAME }),
    handlers: {
      upsert(cm) {
        if (cm.metadata?.name !== MESH_CONFIGMAP_NAME) return;
        const data = (cm as { data?: Record<string, unknown> }).data;
        if (data?.meshNetworks === undefined) return apply(fromFile);
        const parsed = meshNetworksFromConfigMap(cm, `${object} key meshNetworks`);
        if (parsed.ok) apply(parsed.value);
        else log.warn({ code: ErrorCodes.MESHCONFIG_INVALID, object, errors: parsed.errors.map(renderIssue) }, 'mesh networks rejected; the last good ones stay in force');
      },
      remove: (cm) => void (cm.metadata?.name === MESH_CONFIGMAP_NAME && apply(fromFile)),
    },
  });
}

async function remoteClusters(transport: ListWatchTransport, deps: MulticlusterDeps): Promise<RemoteClusters> {
  const { createRemoteClusters } = await import('../sources/kubernetes/remote-clusters.js');
  const { connectRemote } = await import('../sources/kubernetes/remote-kubeconfig.js');
  const { createKubernetesSource } = await import('../sources/kubernetes/kube-source.js');
  const { options, mesh } = deps;
  const kinds = KINDS.filter((k) => REMOTE_KINDS.includes(k.kind));
  const scope = () => {
    const m = mesh.current();
    return { ...(m.discoverySelectors ? { discoverySelectors: m.discoverySelectors } : {}), alwaysInScope: [options.podNamespace, m.rootNamespace] };
  };
  const remotes = createRemoteClusters({
    transport,
    namespace: options.podNamespace,
    localClusterID: options.clusterID,
    sink: deps.sink,
    logger: deps.logger,
    ...(options.remoteClusterTimeoutMs !== undefined ? { syncTimeoutMs: options.remoteClusterTimeoutMs } : {}),
    connect: connectRemote,
    createSource: (clusterID, remote, sink) => createKubernetesSource({
      transport: remote, validator: deps.validator, sink, clusterID, kinds, caches: false,
      logger: deps.logger.child({ cluster: clusterID }),
      ...scope(),
    }),
  });
  mesh.subscribe((m) => remotes.setDiscoverySelectors(m.discoverySelectors, [options.podNamespace, m.rootNamespace]));
  return remotes;
}

export async function createMulticluster(deps: MulticlusterDeps): Promise<Multicluster> {
  const fromFile = await loadNetworksFile(deps.options.meshNetworksFile);
  if (Object.keys(fromFile.networks).length > 0) deps.pipeline.setMeshNetworks(fromFile);
  const choice = chooseKubeClient(deps.options);
  let remotes: RemoteClusters | undefined;
  let networksWatch: Awaited<ReturnType<typeof watchNetworksConfigMap>> | undefined;
  if (choice.mode !== 'none') {
    const { connectKube } = await import('../sources/kubernetes/client-config.js');
    const transport = connectKube(choice);
    // As istiod: ConfigMap `istio` is read only when no file gives the mesh config or the networks.
    const fromConfigMap = deps.options.meshConfigFile === undefined && deps.options.meshNetworksFile === undefined;
    if (fromConfigMap) networksWatch = await watchNetworksConfigMap(transport, deps, fromFile);
    remotes = await remoteClusters(transport, deps);
  }
  return {
    async start() {
      networksWatch?.start();
      await Promise.all([networksWatch?.whenSynced(), remotes?.start()]);
    },
    get synced() {
      return (networksWatch?.synced ?? true) && (remotes?.synced ?? true);
    },
    routes: {
      '/debug/clusterz': () => remotes?.clusters() ?? [],
      '/debug/networkz': () => deps.pipeline.current()?.registry.networkGateways ?? [],
    },
    async close() {
      networksWatch?.close();
      await remotes?.close();
    },
  };
}
