/** ServiceEntry → one MeshService per host, plus its endpoints (inline, selected, or DNS host). */
import type { ConfigObject } from '../config.js';
import type { PodObject } from '../types/core.js';
import type { ServiceEntrySpec, WorkloadEntrySpec } from '../types/workload.js';
import type { DiagnosticSink } from './diagnostics.js';
import { parseProtocol } from './protocol.js';
import { asArray, asRecord, asString, asStringMap, isPortNumber, isRecord, selectorMatches } from './read.js';
import type { MeshEndpoint, MeshService, MeshServicePort, RegistryOptions, Resolution } from './types.js';
import { entryEndpoints, workloadEntryLabels, workloadEntrySource } from './workload-entry.js';
import { podAttributes, podIP, podReady, podServes, type WorkloadContext } from './workload.js';

const RESOLUTIONS: Readonly<Record<string, Resolution>> = {
  NONE: 'Passthrough', STATIC: 'ClientSideLB', DNS: 'DNSLB', DNS_ROUND_ROBIN: 'DNSRoundRobinLB', DYNAMIC_DNS: 'DynamicDNS',
};

function isDnsResolution(r: Resolution): boolean {
  return r === 'DNSLB' || r === 'DNSRoundRobinLB' || r === 'DynamicDNS';
}

function convertPorts(obj: ConfigObject<ServiceEntrySpec>, diags: DiagnosticSink): MeshServicePort[] {
  const ports: MeshServicePort[] = [];
  asArray(asRecord(obj.spec).ports).forEach((raw, i) => {
    const p = asRecord(raw);
    if (!isPortNumber(p.number)) {
      diags.add(obj, `spec.ports[${i}].number`, `port ${JSON.stringify(p.number)} is not a number in 1-65535; port skipped`);
      return;
    }
    const targetPort = isPortNumber(p.targetPort) ? p.targetPort : undefined;
    ports.push({ name: asString(p.name) ?? '', port: p.number, protocol: parseProtocol(asString(p.protocol)), ...(targetPort ? { targetPort } : {}) });
  });
  return ports;
}

export function serviceEntryResolution(obj: ConfigObject<ServiceEntrySpec>): Resolution {
  return RESOLUTIONS[asString(asRecord(obj.spec).resolution) ?? 'NONE'] ?? 'Passthrough';
}

export function convertServiceEntry(obj: ConfigObject<ServiceEntrySpec>, opts: RegistryOptions, diags: DiagnosticSink): MeshService[] {
  const spec = asRecord(obj.spec);
  const { name, namespace, labels } = obj.metadata;
  const ports = convertPorts(obj, diags);
  const exportTo = asArray(spec.exportTo).filter((s): s is string => typeof s === 'string');
  const selector = isRecord(spec.workloadSelector) ? asStringMap(asRecord(spec.workloadSelector).labels) : undefined;
  const sans = asArray(spec.subjectAltNames).filter((s): s is string => typeof s === 'string');
  const hosts = asArray(spec.hosts).filter((h): h is string => typeof h === 'string' && h !== '');
  return hosts.map((hostname) => ({
    key: `${namespace}/${hostname}`,
    hostname,
    namespace,
    name,
    source: 'ServiceEntry' as const,
    origin: { kind: 'ServiceEntry', namespace, name },
    addresses: asArray(spec.addresses).filter((s): s is string => typeof s === 'string'),
    ports,
    resolution: serviceEntryResolution(obj),
    meshExternal: spec.location !== 'MESH_INTERNAL',
    exportTo: exportTo.length > 0 ? exportTo : [...opts.defaultServiceExportTo],
    labels: { ...labels },
    ...(selector && Object.keys(selector).length > 0 ? { selector } : {}),
    ...(sans.length > 0 ? { subjectAltNames: sans } : {}),
    clusterID: opts.clusterID,
  }));
}

export interface ServiceEntryInputs {
  readonly workloadEntries: readonly ConfigObject<WorkloadEntrySpec>[];
  readonly pods: readonly ConfigObject<PodObject>[];
  readonly workloads: WorkloadContext;
  readonly diags: DiagnosticSink;
}

const defaultPort = (sp: MeshServicePort): number => (typeof sp.targetPort === 'number' ? sp.targetPort : sp.port);

function inlineEndpoints(obj: ConfigObject<ServiceEntrySpec>, service: MeshService, inputs: ServiceEntryInputs): MeshEndpoint[] {
  const dns = isDnsResolution(service.resolution);
  return asArray(asRecord(obj.spec).endpoints).flatMap((raw, i) => {
    const src = { owner: obj, path: `spec.endpoints[${i}]`, spec: asRecord(raw) as WorkloadEntrySpec, namespace: service.namespace };
    return entryEndpoints(src, service.ports, dns, defaultPort, inputs.workloads, inputs.diags);
  });
}

function selectedEndpoints(service: MeshService, inputs: ServiceEntryInputs): MeshEndpoint[] {
  const out: MeshEndpoint[] = [];
  for (const we of inputs.workloadEntries) {
    if (we.metadata.namespace !== service.namespace || !selectorMatches(service.selector, workloadEntryLabels(we))) continue;
    out.push(...entryEndpoints(workloadEntrySource(we), service.ports, false, defaultPort, inputs.workloads, inputs.diags));
  }
  for (const pod of inputs.pods) {
    if (pod.metadata.namespace !== service.namespace || !selectorMatches(service.selector, pod.metadata.labels) || !podServes(pod)) continue;
    const attrs = podAttributes(pod, inputs.workloads);
    const health = podReady(pod) ? 'HEALTHY' : 'UNHEALTHY';
    for (const sp of service.ports) out.push({ ...attrs, address: podIP(pod) as string, port: defaultPort(sp), servicePortName: sp.name, health });
  }
  return out;
}

/** DNS ServiceEntries without endpoints or selector resolve the host itself. */
function hostEndpoints(service: MeshService, workloads: WorkloadContext): MeshEndpoint[] {
  if (!isDnsResolution(service.resolution) || service.hostname.startsWith('*')) return [];
  return service.ports.map((sp) => ({
    address: service.hostname, port: defaultPort(sp), servicePortName: sp.name, labels: {}, locality: { region: '', zone: '', subzone: '' },
    namespace: service.namespace, network: '', tlsMode: 'disabled' as const, clusterID: workloads.clusterID, health: 'HEALTHY' as const,
    workloadKind: 'ServiceEntry' as const,
  }));
}

export function serviceEntryEndpoints(obj: ConfigObject<ServiceEntrySpec>, service: MeshService, inputs: ServiceEntryInputs): MeshEndpoint[] {
  if (service.selector) return selectedEndpoints(service, inputs);
  const inline = asArray(asRecord(obj.spec).endpoints);
  if (inline.length > 0) return inlineEndpoints(obj, service, inputs);
  return hostEndpoints(service, inputs.workloads);
}
