/** Joins the registry inputs into MeshServices and their endpoints. Pure; never throws on bad input. */
import type { ConfigObject } from '../config.js';
import type { EndpointSliceObject, PodObject, ServiceObject } from '../types/core.js';
import type { ServiceEntrySpec, WorkloadEntrySpec } from '../types/workload.js';
import { convertService } from './convert-service.js';
import { convertServiceEntry, serviceEntryEndpoints, type ServiceEntryInputs } from './convert-service-entry.js';
import { DiagnosticSink } from './diagnostics.js';
import { endpointsFromPods } from './endpoints-from-pods.js';
import { endpointsFromSlice, sliceServiceName } from './endpoints-from-slices.js';
import { selectorMatches } from './read.js';
import type { Diagnostic, MeshEndpoint, MeshService, MeshServicePort, Registry, RegistryOptions } from './types.js';
import { entryEndpoints, workloadEntryLabels, workloadEntrySource } from './workload-entry.js';
import type { WorkloadContext } from './workload.js';

interface Inputs {
  services: ConfigObject<ServiceObject>[];
  slices: ConfigObject<EndpointSliceObject>[];
  pods: ConfigObject<PodObject>[];
  podsByKey: Map<string, ConfigObject<PodObject>>;
  serviceEntries: ConfigObject<ServiceEntrySpec>[];
  workloadEntries: ConfigObject<WorkloadEntrySpec>[];
  workloads: WorkloadContext;
}

/** Oldest first, then by namespace/name: Istio's tie-break when objects conflict. */
export function byAge(a: ConfigObject, b: ConfigObject): number {
  const ta = a.metadata.creationTimestamp ?? '';
  const tb = b.metadata.creationTimestamp ?? '';
  if (ta !== tb) return ta < tb ? -1 : 1;
  const ka = `${a.metadata.namespace}/${a.metadata.name}`;
  const kb = `${b.metadata.namespace}/${b.metadata.name}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

function partition(objects: readonly ConfigObject[], opts: RegistryOptions): Inputs {
  const of = <T>(kind: string) => objects.filter((o) => o.kind === kind).sort(byAge) as unknown as ConfigObject<T>[];
  const labelsOf = (kind: string) => new Map(objects.filter((o) => o.kind === kind).map((o) => [o.metadata.name, o.metadata.labels]));
  const pods = of<PodObject>('Pod');
  return {
    services: of<ServiceObject>('Service'),
    slices: of<EndpointSliceObject>('EndpointSlice'),
    pods,
    podsByKey: new Map(pods.map((p) => [`${p.metadata.namespace}/${p.metadata.name}`, p])),
    serviceEntries: of<ServiceEntrySpec>('ServiceEntry'),
    workloadEntries: of<WorkloadEntrySpec>('WorkloadEntry'),
    workloads: { nodeLabels: labelsOf('Node'), namespaceLabels: labelsOf('Namespace'), clusterID: opts.clusterID },
  };
}

/** WorkloadEntries in the Service's namespace whose labels match its selector (as Istio does). */
function workloadEntriesForService(service: MeshService, inputs: Inputs, diags: DiagnosticSink): MeshEndpoint[] {
  const fallback = (sp: MeshServicePort) => (typeof sp.targetPort === 'number' ? sp.targetPort : sp.port);
  return inputs.workloadEntries
    .filter((we) => we.metadata.namespace === service.namespace && selectorMatches(service.selector, workloadEntryLabels(we)))
    .flatMap((we) => entryEndpoints(workloadEntrySource(we), service.ports, false, fallback, inputs.workloads, diags));
}

function kubeEndpoints(service: MeshService, slices: ConfigObject<EndpointSliceObject>[] | undefined, inputs: Inputs, opts: RegistryOptions, diags: DiagnosticSink): MeshEndpoint[] {
  if (service.externalName !== undefined || service.resolution === 'DNSLB') return [];
  const pods = inputs.podsByKey;
  let out: MeshEndpoint[] = [];
  if (slices) out = slices.flatMap((s) => endpointsFromSlice(s, { service, pods, workloads: inputs.workloads, diags }));
  else if (opts.endpointsFromPods && service.selector) out = endpointsFromPods(service, inputs.pods, inputs.workloads, diags);
  return out.concat(workloadEntriesForService(service, inputs, diags));
}

function groupSlices(inputs: Inputs, known: ReadonlySet<string>, diags: DiagnosticSink): Map<string, ConfigObject<EndpointSliceObject>[]> {
  const groups = new Map<string, ConfigObject<EndpointSliceObject>[]>();
  for (const slice of inputs.slices) {
    const name = sliceServiceName(slice);
    const key = `${slice.metadata.namespace}/${name}`;
    if (!name) diags.add(slice, 'metadata.labels[kubernetes.io/service-name]', 'EndpointSlice names no Service; skipped');
    else if (!known.has(key)) diags.add(slice, 'metadata.labels[kubernetes.io/service-name]', `Service ${key} does not exist; EndpointSlice skipped`);
    else groups.set(key, [...(groups.get(key) ?? []), slice]);
  }
  return groups;
}

function compareEndpoints(a: MeshEndpoint, b: MeshEndpoint): number {
  const ka = [a.servicePortName, a.address, String(a.port).padStart(5, '0'), a.workloadName ?? ''];
  const kb = [b.servicePortName, b.address, String(b.port).padStart(5, '0'), b.workloadName ?? ''];
  for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return (ka[i] as string) < (kb[i] as string) ? -1 : 1;
  return 0;
}

function addServiceEntries(inputs: Inputs, opts: RegistryOptions, diags: DiagnosticSink, services: Map<string, MeshService>, endpoints: Map<string, MeshEndpoint[]>): void {
  const seInputs: ServiceEntryInputs = { workloadEntries: inputs.workloadEntries, pods: inputs.pods, workloads: inputs.workloads, diags };
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
  const kube = inputs.services.map((s) => convertService(s, opts, diags));
  const slices = groupSlices(inputs, new Set(kube.map((s) => `${s.namespace}/${s.name}`)), diags);
  for (const svc of kube) {
    services.set(svc.key, svc);
    endpoints.set(svc.key, kubeEndpoints(svc, slices.get(`${svc.namespace}/${svc.name}`), inputs, opts, diags));
  }
  addServiceEntries(inputs, opts, diags, services, endpoints);
  const sorted = [...services.values()].sort((a, b) => (a.hostname === b.hostname ? (a.namespace < b.namespace ? -1 : 1) : a.hostname < b.hostname ? -1 : 1));
  const byHost = new Map<string, MeshService[]>();
  for (const s of sorted) byHost.set(s.hostname, [...(byHost.get(s.hostname) ?? []), s]);
  const sortedEndpoints = new Map(sorted.map((s) => [s.key, (endpoints.get(s.key) ?? []).sort(compareEndpoints)]));
  return { registry: { services: sorted, endpoints: sortedEndpoints, servicesByHost: byHost }, diagnostics: diags.items };
}
