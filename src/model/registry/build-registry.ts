/** Joins the registry inputs into MeshServices and their endpoints. Pure; never throws on bad input. */
import type { ConfigObject } from '../config.js';
import type { EndpointSliceObject, PodObject, ServiceObject } from '../types/core.js';
import type { ServiceEntrySpec, WorkloadEntrySpec } from '../types/workload.js';
import { convertService } from './convert-service.js';
import { convertServiceEntry, serviceEntryEndpoints, type ServiceEntryInputs } from './convert-service-entry.js';
import { DiagnosticSink } from './diagnostics.js';
import { networkFallback, networkGateways } from './networks.js';
import { endpointsFromPods } from './endpoints-from-pods.js';
import { endpointsFromSlice, sliceServiceName } from './endpoints-from-slices.js';
import { selectorMatches } from './read.js';
import type { Diagnostic, MeshEndpoint, MeshService, MeshServicePort, Registry, RegistryOptions } from './types.js';
import { entryEndpoints, workloadEntryLabels, workloadEntrySource } from './workload-entry.js';
import type { WorkloadContext } from './workload.js';

/** One cluster's registry inputs: its own Nodes and Namespaces give its endpoints' locality and network. */
interface ClusterInputs extends EndpointInputs {
  clusterID: string;
  services: ConfigObject<ServiceObject>[];
  slices: ConfigObject<EndpointSliceObject>[];
  pods: ConfigObject<PodObject>[];
}

/** What a Service's endpoints in one cluster are computed from (shared with the incremental registry). */
export interface EndpointInputs {
  readonly podsByKey: ReadonlyMap<string, ConfigObject<PodObject>>;
  /** The cluster's Pods in `namespace` (more is fine: callers filter), oldest first. */
  podsIn(namespace: string): readonly ConfigObject<PodObject>[];
  readonly workloads: WorkloadContext;
}

interface Inputs {
  /** The config cluster (objects without `cluster`) first, then remote clusters by ID. */
  clusters: ClusterInputs[];
  serviceEntries: ConfigObject<ServiceEntrySpec>[];
  workloadEntries: ConfigObject<WorkloadEntrySpec>[];
}

/** Oldest first, then by namespace/name: Istio's tie-break when objects conflict. */
export function byAge(a: ConfigObject<unknown>, b: ConfigObject<unknown>): number {
  const ta = a.metadata.creationTimestamp ?? '';
  const tb = b.metadata.creationTimestamp ?? '';
  if (ta !== tb) return ta < tb ? -1 : 1;
  const ka = `${a.metadata.namespace}/${a.metadata.name}`;
  const kb = `${b.metadata.namespace}/${b.metadata.name}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

type Bucket = Record<'Service' | 'EndpointSlice' | 'Pod' | 'Node' | 'Namespace', ConfigObject[]>;
const newBucket = (): Bucket => ({ Service: [], EndpointSlice: [], Pod: [], Node: [], Namespace: [] });

function clusterInputs(clusterID: string, b: Bucket, opts: RegistryOptions): ClusterInputs {
  const labelsOf = (list: ConfigObject[]) => new Map(list.map((o) => [o.metadata.name, o.metadata.labels]));
  const pods = b.Pod.sort(byAge) as unknown as ConfigObject<PodObject>[];
  const namespaceLabels = labelsOf(b.Namespace);
  const fallbackNetwork = networkFallback(clusterID, namespaceLabels.get(opts.systemNamespace ?? opts.rootNamespace), opts.meshNetworks);
  return {
    clusterID,
    services: b.Service.sort(byAge) as unknown as ConfigObject<ServiceObject>[],
    slices: b.EndpointSlice.sort(byAge) as unknown as ConfigObject<EndpointSliceObject>[],
    pods,
    podsByKey: new Map(pods.map((p) => [`${p.metadata.namespace}/${p.metadata.name}`, p])),
    podsIn: () => pods,
    workloads: { nodeLabels: labelsOf(b.Node), namespaceLabels, clusterID, ...(fallbackNetwork ? { fallbackNetwork } : {}) },
  };
}

/** One pass over the objects: registry kinds by cluster; Istio kinds from the config cluster only. */
function partition(objects: readonly ConfigObject[], opts: RegistryOptions): Inputs {
  const primary = newBucket();
  const remotes = new Map<string, Bucket>();
  const serviceEntries: ConfigObject[] = [];
  const workloadEntries: ConfigObject[] = [];
  for (const o of objects) {
    if (o.kind === 'ServiceEntry' || o.kind === 'WorkloadEntry') {
      if (o.cluster === undefined) (o.kind === 'ServiceEntry' ? serviceEntries : workloadEntries).push(o);
      continue;
    }
    if (o.kind !== 'Service' && o.kind !== 'EndpointSlice' && o.kind !== 'Pod' && o.kind !== 'Node' && o.kind !== 'Namespace') continue;
    let bucket = primary;
    if (o.cluster !== undefined) {
      bucket = remotes.get(o.cluster) ?? newBucket();
      remotes.set(o.cluster, bucket);
    }
    bucket[o.kind].push(o);
  }
  const remoteIDs = [...remotes.keys()].sort();
  return {
    clusters: [clusterInputs(opts.clusterID, primary, opts), ...remoteIDs.map((id) => clusterInputs(id, remotes.get(id)!, opts))],
    serviceEntries: serviceEntries.sort(byAge) as unknown as ConfigObject<ServiceEntrySpec>[],
    workloadEntries: workloadEntries.sort(byAge) as unknown as ConfigObject<WorkloadEntrySpec>[],
  };
}

/** WorkloadEntries in the Service's namespace whose labels match its selector (as Istio does). */
export function workloadEntriesForService(service: MeshService, workloadEntries: readonly ConfigObject<WorkloadEntrySpec>[], workloads: WorkloadContext, diags: DiagnosticSink): MeshEndpoint[] {
  const fallback = (sp: MeshServicePort) => (typeof sp.targetPort === 'number' ? sp.targetPort : sp.port);
  return workloadEntries
    .filter((we) => we.metadata.namespace === service.namespace && selectorMatches(service.selector, workloadEntryLabels(we)))
    .flatMap((we) => entryEndpoints(workloadEntrySource(we), service.ports, false, fallback, workloads, diags));
}

/** The service's endpoints in one cluster: its EndpointSlices there (or, in file mode, its Pods). */
export function clusterEndpoints(service: MeshService, slices: readonly ConfigObject<EndpointSliceObject>[] | undefined, cluster: EndpointInputs, opts: RegistryOptions, diags: DiagnosticSink): MeshEndpoint[] {
  if (slices) return slices.flatMap((s) => endpointsFromSlice(s, { service, pods: cluster.podsByKey, workloads: cluster.workloads, diags }));
  if (opts.endpointsFromPods && service.selector) return endpointsFromPods(service, cluster.podsIn(service.namespace), cluster.workloads, diags);
  return [];
}

/** ExternalName and DNS Services have no endpoints of their own. */
export function isDnsService(svc: MeshService): boolean {
  return svc.externalName !== undefined || svc.resolution === 'DNSLB';
}

function groupSlices(cluster: ClusterInputs, known: ReadonlySet<string>, diags: DiagnosticSink): Map<string, ConfigObject<EndpointSliceObject>[]> {
  const groups = new Map<string, ConfigObject<EndpointSliceObject>[]>();
  for (const slice of cluster.slices) {
    const name = sliceServiceName(slice);
    const key = `${slice.metadata.namespace}/${name}`;
    if (!name) diags.add(slice, 'metadata.labels[kubernetes.io/service-name]', 'EndpointSlice names no Service; skipped');
    else if (!known.has(key)) diags.add(slice, 'metadata.labels[kubernetes.io/service-name]', `Service ${key} does not exist; EndpointSlice skipped`);
    else {
      const list = groups.get(key);
      if (list) list.push(slice);
      else groups.set(key, [slice]);
    }
  }
  return groups;
}

/**
 * One cluster's Services: a hostname seen for the first time becomes a MeshService (the config
 * cluster's definition wins, then remote clusters by ID); a hostname already known gets this
 * cluster's endpoints merged in (Istio's multi-cluster service merge).
 */
function addClusterServices(cluster: ClusterInputs, inputs: Inputs, opts: RegistryOptions, diags: DiagnosticSink, services: Map<string, MeshService>, endpoints: Map<string, MeshEndpoint[]>): void {
  const copts = cluster.clusterID === opts.clusterID ? opts : { ...opts, clusterID: cluster.clusterID };
  const kube = cluster.services.map((s) => convertService(s, copts, diags));
  const slices = groupSlices(cluster, new Set(kube.map((s) => `${s.namespace}/${s.name}`)), diags);
  for (const svc of kube) {
    const existing = services.get(svc.key);
    const dns = isDnsService(svc);
    const own = dns ? [] : clusterEndpoints(svc, slices.get(`${svc.namespace}/${svc.name}`), cluster, opts, diags);
    if (existing) {
      endpoints.get(svc.key)!.push(...own);
      continue;
    }
    services.set(svc.key, svc);
    // WorkloadEntries are config-cluster objects: they join the service once, where it is defined.
    endpoints.set(svc.key, dns ? own : own.concat(workloadEntriesForService(svc, inputs.workloadEntries, inputs.clusters[0]!.workloads, diags)));
  }
}

const compareText = (a: string, b: string): number => (a === b ? 0 : a < b ? -1 : 1);

/** By port name, address, port (as 5-digit text), workload name, cluster; allocates nothing. */
export function compareEndpoints(a: MeshEndpoint, b: MeshEndpoint): number {
  return compareText(a.servicePortName, b.servicePortName)
    || compareText(a.address, b.address)
    || (a.port === b.port ? 0 : compareText(String(a.port).padStart(5, '0'), String(b.port).padStart(5, '0')))
    || compareText(a.workloadName ?? '', b.workloadName ?? '')
    || compareText(a.clusterID, b.clusterID);
}

/** Sorted by hostname, then namespace: the registry's service order. */
export function compareServices(a: MeshService, b: MeshService): number {
  return a.hostname === b.hostname ? (a.namespace < b.namespace ? -1 : 1) : a.hostname < b.hostname ? -1 : 1;
}

function addServiceEntries(inputs: Inputs, opts: RegistryOptions, diags: DiagnosticSink, services: Map<string, MeshService>, endpoints: Map<string, MeshEndpoint[]>): void {
  const primary = inputs.clusters[0]!;
  const seInputs: ServiceEntryInputs = { workloadEntries: inputs.workloadEntries, pods: primary.pods, workloads: primary.workloads, diags };
  for (const se of inputs.serviceEntries) {
    convertServiceEntry(se, opts, diags).forEach((svc, i) => {
      const existing = services.get(svc.key);
      if (existing) {
        diags.add(se, 'spec.hosts', `host ${svc.hostname} is already defined in namespace ${svc.namespace} by ${existing.origin.kind} ${existing.origin.name}; ignored here`);
        return;
      }
      services.set(svc.key, svc);
      // Inline endpoints are the same for every host: report their problems once.
      const sink = i === 0 ? seInputs : { ...seInputs, diags: new DiagnosticSink() };
      endpoints.set(svc.key, serviceEntryEndpoints(se, svc, sink));
    });
  }
}

export interface RegistryBuild {
  readonly registry: Registry;
  readonly diagnostics: readonly Diagnostic[];
}

export function buildRegistry(objects: readonly ConfigObject[], opts: RegistryOptions): RegistryBuild {
  const diags = new DiagnosticSink();
  const inputs = partition(objects, opts);
  const services = new Map<string, MeshService>();
  const endpoints = new Map<string, MeshEndpoint[]>();
  for (const cluster of inputs.clusters) addClusterServices(cluster, inputs, opts, diags, services, endpoints);
  addServiceEntries(inputs, opts, diags, services, endpoints);
  const sorted = [...services.values()].sort(compareServices);
  const byHost = new Map<string, MeshService[]>();
  for (const s of sorted) {
    const list = byHost.get(s.hostname);
    if (list) list.push(s);
    else byHost.set(s.hostname, [s]);
  }
  const sortedEndpoints = new Map(sorted.map((s) => [s.key, (endpoints.get(s.key) ?? []).sort(compareEndpoints)]));
  const servicesByCluster = new Map(inputs.clusters.map((c) => [c.clusterID, c.services]));
  const gateways = networkGateways({ servicesByCluster, domain: opts.domain, ...(opts.meshNetworks ? { meshNetworks: opts.meshNetworks } : {}) }, diags);
  const registry: Registry = { services: sorted, endpoints: sortedEndpoints, servicesByHost: byHost, ...(gateways.length > 0 ? { networkGateways: gateways } : {}) };
  return { registry, diagnostics: diags.items };
}
