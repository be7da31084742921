/**
 * State of the incremental registry (see incremental-registry.ts): the registry inputs by
 * cluster, the indexes that map a changed object to the services it feeds, and the last
 * computed per-service results. Mutable, owned by one chain of snapshots.
 */
import type { ConfigObject } from '../config.js';
import type { EndpointSliceObject, PodObject, ServiceObject } from '../types/core.js';
import type { ServiceEntrySpec, WorkloadEntrySpec } from '../types/workload.js';
import { freezeMap } from '../index/frozen-map.js';
import { byAge } from './build-registry.js';
import { serviceFqdn } from './convert-service.js';
import { networkFallback } from './networks.js';
import type { Diagnostic, MeshEndpoint, MeshService, NetworkGateway, Registry, RegistryOptions } from './types.js';
import type { WorkloadContext } from './workload.js';

/** One Kubernetes Service in one cluster: its definition and the endpoints that cluster gives it. */
export interface ServiceUnit {
  readonly obj: ConfigObject<ServiceObject>;
  readonly service: MeshService;
  readonly convertDiags: readonly Diagnostic[];
  readonly own: readonly MeshEndpoint[];
  readonly endpointDiags: readonly Diagnostic[];
  /** Distinct node names / namespaces of `own`: whose Node or Namespace labels it depends on. */
  readonly nodes: readonly string[];
  readonly namespaces: readonly string[];
}

export interface ClusterState {
  /** '' for the config cluster (objects without `cluster`), else the remote cluster's ID. */
  readonly key: string;
  readonly clusterID: string;
  /** Registry objects held; an empty remote cluster takes no part (as in a from-scratch build). */
  objects: number;
  readonly services: Map<string, ConfigObject<ServiceObject>>;
  /** `namespace/name` → its unit; present exactly when the Service is. */
  readonly units: Map<string, ServiceUnit>;
  readonly slices: Map<string, ConfigObject<EndpointSliceObject>>;
  /** `namespace/<kubernetes.io/service-name>` → slices carrying that label. */
  readonly slicesByService: Map<string, Set<string>>;
  /** Pod `namespace/name` (as the slice's targetRef spells it) → slices referring to it. */
  readonly podRefs: Map<string, Set<string>>;
  readonly pods: Map<string, ConfigObject<PodObject>>;
  /** Pod key → a token replaced only when what endpoints read from the Pod changes (not on readiness flips). */
  readonly podTokens: Map<string, object>;
  readonly podsByNamespace: Map<string, Set<string>>;
  readonly servicesByNamespace: Map<string, Set<string>>;
  readonly nodeLabels: Map<string, Readonly<Record<string, string>>>;
  readonly namespaceLabels: Map<string, Readonly<Record<string, string>>>;
  workloads: WorkloadContext;
  readonly unitsByNode: Map<string, Set<string>>;
  readonly unitsByEndpointNamespace: Map<string, Set<string>>;
  /** Slices skipped for naming no (existing) Service, by slice `namespace/name`. */
  readonly orphanDiags: Map<string, Diagnostic>;
  /** Units with convert or endpoint diagnostics. */
  readonly diagUnits: Set<string>;
  /** Services that may define a network gateway (network label, or a MeshNetworks registryServiceName). */
  readonly gatewayServices: Set<string>;
  /** Per-slice endpoint results, by slice `namespace/name`. */
  readonly sliceCache: Map<string, SliceResult>;
  /** Bumped when a Node's locality or a Namespace's network label changes (invalidates sliceCache). */
  labelsVersion: number;
}

export interface SliceResult {
  readonly slice: ConfigObject<EndpointSliceObject>;
  readonly service: MeshService;
  readonly labelsVersion: number;
  /** The Pod tokens its targetRefs found (or not) when computed. */
  readonly pods: ReadonlyArray<readonly [string, object | undefined]>;
  readonly endpoints: readonly MeshEndpoint[];
  readonly diags: readonly Diagnostic[];
}

/** A hostname's merged Kubernetes service: defined by the first cluster that has it. */
export interface MergedService {
  readonly service: MeshService;
  readonly endpoints: readonly MeshEndpoint[];
  readonly definer: ClusterState;
  readonly name: string;
  readonly weDiags: readonly Diagnostic[];
}

export interface RegistryEntry {
  readonly service: MeshService;
  readonly endpoints: readonly MeshEndpoint[];
}

export interface EngineState {
  readonly opts: RegistryOptions;
  readonly clusters: Map<string, ClusterState>;
  /** Clusters taking part, config cluster first, then remote IDs sorted. */
  order: ClusterState[];
  /** MeshService.key → merged Kubernetes service. */
  readonly kube: Map<string, MergedService>;
  /** namespace → `namespace/name` of Services in any cluster. */
  readonly kubeNamesByNamespace: Map<string, Set<string>>;
  readonly weDiagNames: Set<string>;
  readonly serviceEntries: Map<string, ConfigObject<ServiceEntrySpec>>;
  readonly workloadEntries: Map<string, ConfigObject<WorkloadEntrySpec>>;
  seEntries: Map<string, RegistryEntry>;
  seDiags: readonly Diagnostic[];
  /** Namespaces with a ServiceEntry that selects workloads (its endpoints follow Pods there). */
  seSelectorNamespaces: Set<string>;
  gateways: readonly NetworkGateway[];
  gatewayDiags: readonly Diagnostic[];
  /** What the registry holds: MeshService.key → service + sorted endpoints. */
  readonly entries: Map<string, RegistryEntry>;
  registry: Registry;
  diagnostics: readonly Diagnostic[];
  /** Per-update memo of sorted per-namespace lists (Pods, WorkloadEntries). */
  readonly memo: Map<string, readonly ConfigObject<unknown>[]>;
  readonly registryServiceNames: ReadonlySet<string>;
}

/** What an update must recompute. */
export interface Dirty {
  readonly units: Map<ClusterState, Set<string>>;
  readonly merged: Set<string>;
  serviceEntries: boolean;
  gateways: boolean;
  diagnostics: boolean;
  clustersChanged: boolean;
}

export const newDirty = (): Dirty => ({ units: new Map(), merged: new Set(), serviceEntries: false, gateways: false, diagnostics: false, clustersChanged: false });

export function markUnit(dirty: Dirty, cluster: ClusterState, name: string): void {
  const set = dirty.units.get(cluster);
  if (set) set.add(name);
  else dirty.units.set(cluster, new Set([name]));
}

export function addTo(index: Map<string, Set<string>>, key: string, value: string): void {
  const set = index.get(key);
  if (set) set.add(value);
  else index.set(key, new Set([value]));
}

export function removeFrom(index: Map<string, Set<string>>, key: string, value: string): void {
  const set = index.get(key);
  if (!set) return;
  set.delete(value);
  if (set.size === 0) index.delete(key);
}

export const nameOf = (o: ConfigObject<unknown>): string => `${o.metadata.namespace}/${o.metadata.name}`;

/** MeshService.key of the Kubernetes Service `namespace/name`. */
export function kubeKey(name: string, domain: string): string {
  const slash = name.indexOf('/');
  const ns = name.slice(0, slash);
  return `${ns}/${serviceFqdn(name.slice(slash + 1), ns, domain)}`;
}

export function systemNamespace(opts: RegistryOptions): string {
  return opts.systemNamespace ?? opts.rootNamespace;
}

export function workloadContext(cluster: Pick<ClusterState, 'nodeLabels' | 'namespaceLabels' | 'clusterID'>, opts: RegistryOptions): WorkloadContext {
  const fallbackNetwork = networkFallback(cluster.clusterID, cluster.namespaceLabels.get(systemNamespace(opts)), opts.meshNetworks);
  return { nodeLabels: cluster.nodeLabels, namespaceLabels: cluster.namespaceLabels, clusterID: cluster.clusterID, ...(fallbackNetwork ? { fallbackNetwork } : {}) };
}

export function newCluster(key: string, opts: RegistryOptions): ClusterState {
  const base = { nodeLabels: new Map(), namespaceLabels: new Map(), clusterID: key === '' ? opts.clusterID : key };
  return {
    key, objects: 0, ...base, workloads: workloadContext(base, opts),
    services: new Map(), units: new Map(), slices: new Map(), slicesByService: new Map(), podRefs: new Map(), pods: new Map(), podTokens: new Map(),
    podsByNamespace: new Map(), servicesByNamespace: new Map(), unitsByNode: new Map(), unitsByEndpointNamespace: new Map(),
    orphanDiags: new Map(), diagUnits: new Set(), gatewayServices: new Set(), sliceCache: new Map(), labelsVersion: 0,
  };
}

export function clusterOrder(clusters: ReadonlyMap<string, ClusterState>): ClusterState[] {
  const remotes = [...clusters.values()].filter((c) => c.key !== '' && c.objects > 0).sort((a, b) => (a.key < b.key ? -1 : 1));
  return [clusters.get('')!, ...remotes];
}

/** The cluster's Pods in `namespace`, oldest first (memoized for one update). */
export function podsIn(state: EngineState, cluster: ClusterState, namespace: string): readonly ConfigObject<PodObject>[] {
  const memoKey = `pods\u0000${cluster.key}\u0000${namespace}`;
  let list = state.memo.get(memoKey);
  if (!list) {
    list = [...(cluster.podsByNamespace.get(namespace) ?? [])].map((n) => cluster.pods.get(n)!).sort(byAge);
    state.memo.set(memoKey, list);
  }
  return list as readonly ConfigObject<PodObject>[];
}

/** The WorkloadEntries in `namespace`, oldest first (memoized for one update). */
export function workloadEntriesIn(state: EngineState, namespace: string): readonly ConfigObject<WorkloadEntrySpec>[] {
  const memoKey = `we\u0000${namespace}`;
  let list = state.memo.get(memoKey);
  if (!list) {
    list = [...state.workloadEntries.values()].filter((we) => we.metadata.namespace === namespace).sort(byAge);
    state.memo.set(memoKey, list);
  }
  return list as readonly ConfigObject<WorkloadEntrySpec>[];
}

export function newEngineState(opts: RegistryOptions): EngineState {
  const primary = newCluster('', opts);
  const registryServiceNames = new Set<string>();
  for (const spec of Object.values(opts.meshNetworks?.networks ?? {})) {
    for (const gw of spec.gateways) if (gw.registryServiceName) registryServiceNames.add(gw.registryServiceName);
  }
  return {
    opts, clusters: new Map([['', primary]]), order: [primary], kube: new Map(), kubeNamesByNamespace: new Map(), weDiagNames: new Set(),
    serviceEntries: new Map(), workloadEntries: new Map(), seEntries: new Map(), seDiags: [], seSelectorNamespaces: new Set(),
    gateways: [], gatewayDiags: [], entries: new Map(),
    registry: Object.freeze({ services: Object.freeze([]), endpoints: freezeMap(new Map()), servicesByHost: freezeMap(new Map()) }),
    diagnostics: [], memo: new Map(), registryServiceNames,
  };
}
