/** Kubernetes Service → MeshService. */
import type { ConfigObject } from '../config.js';
import type { ServiceObject } from '../types/core.js';
import type { DiagnosticSink } from './diagnostics.js';
import { parseExportToAnnotation } from './export-to.js';
import { kubePortProtocol } from './protocol.js';
import { asArray, asRecord, asString, asStringMap, isPortNumber, isRecord } from './read.js';
import type { MeshService, MeshServicePort, RegistryOptions, Resolution } from './types.js';

export const EXPORT_TO_ANNOTATION = 'networking.istio.io/exportTo';

export function serviceFqdn(name: string, namespace: string, domain: string): string {
  return `${name}.${namespace}.svc.${domain}`;
}

function convertTargetPort(raw: unknown, port: number, path: string, obj: ConfigObject<unknown>, diags: DiagnosticSink): number | string | null {
  if (raw === undefined || raw === null || raw === 0) return port;
  if (isPortNumber(raw)) return raw;
  if (typeof raw === 'string' && /^\d+$/.test(raw) && isPortNumber(Number(raw))) return Number(raw);
  if (typeof raw === 'string' && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/i.test(raw) && raw.length <= 15 && /[a-z]/i.test(raw)) return raw;
  diags.add(obj, path, `targetPort ${JSON.stringify(raw)} is neither a port number (1-65535) nor a container port name; port skipped`);
  return null;
}

function convertPorts(obj: ConfigObject<ServiceObject>, diags: DiagnosticSink): MeshServicePort[] {
  const ports: MeshServicePort[] = [];
  asArray(asRecord(obj.spec.spec).ports).forEach((raw, i) => {
    const path = `spec.ports[${i}]`;
    const p = asRecord(raw);
    if (!isPortNumber(p.port)) {
      diags.add(obj, `${path}.port`, `port ${JSON.stringify(p.port)} is not a number in 1-65535; port skipped`);
      return;
    }
    const targetPort = convertTargetPort(p.targetPort, p.port, `${path}.targetPort`, obj, diags);
    if (targetPort === null) return;
    const name = asString(p.name) ?? '';
    const protocol = kubePortProtocol(p.port, name, asString(p.protocol), asString(p.appProtocol));
    ports.push({ name, port: p.port, protocol, targetPort });
  });
  return ports;
}

function resolutionOf(type: string | undefined, headless: boolean): Resolution {
  if (type === 'ExternalName') return 'DNSLB';
  return headless ? 'Passthrough' : 'ClientSideLB';
}

function clusterAddresses(spec: Record<string, unknown>): string[] {
  const ips = asArray(spec.clusterIPs).filter((s): s is string => typeof s === 'string' && s !== '' && s !== 'None');
  if (ips.length > 0) return ips;
  const ip = asString(spec.clusterIP);
  return ip && ip !== 'None' ? [ip] : [];
}

export function convertService(obj: ConfigObject<ServiceObject>, opts: RegistryOptions, diags: DiagnosticSink): MeshService {
  const spec = asRecord(obj.spec.spec);
  const { name, namespace, labels, annotations } = obj.metadata;
  const type = asString(spec.type);
  const headless = spec.clusterIP === 'None';
  const externalName = type === 'ExternalName' ? asString(spec.externalName) : undefined;
  if (type === 'ExternalName' && !externalName) diags.add(obj, 'spec.externalName', 'an ExternalName Service needs spec.externalName');
  const selector = isRecord(spec.selector) ? asStringMap(spec.selector) : undefined;
  const hostname = serviceFqdn(name, namespace, opts.domain);
  return {
    key: `${namespace}/${hostname}`,
    hostname,
    namespace,
    name,
    source: 'Kubernetes',
    origin: { kind: 'Service', namespace, name },
    addresses: type === 'ExternalName' ? [] : clusterAddresses(spec),
    ports: convertPorts(obj, diags),
    resolution: resolutionOf(type, headless),
    meshExternal: type === 'ExternalName',
    exportTo: parseExportToAnnotation(annotations[EXPORT_TO_ANNOTATION]) ?? [...opts.defaultServiceExportTo],
    labels: { ...labels },
    ...(selector && Object.keys(selector).length > 0 ? { selector } : {}),
    ...(externalName ? { externalName } : {}),
    ...(headless ? { headless: true } : {}),
    clusterID: opts.clusterID,
  };
}
