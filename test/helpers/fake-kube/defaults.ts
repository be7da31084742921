/**
 * The defaulting kube-apiserver applies on every write and clients observe: Namespace phase,
 * Secret type, Service type / clusterIP / port protocol and targetPort, Pod phase, EndpointSlice
 * port protocol. Only fields that are missing are set, so a re-write is unchanged.
 */
import type { ResourceType } from './resource-types.js';
import { isPlainObject, type KubeObject } from './types.js';

type Port = { port?: number; protocol?: string; targetPort?: number | string };

function defaultServiceSpec(spec: Record<string, unknown>, allocateIp: () => string): void {
  spec.type ??= 'ClusterIP';
  if (spec.type !== 'ExternalName') {
    spec.sessionAffinity ??= 'None';
    if (spec.clusterIP === undefined || spec.clusterIP === '') spec.clusterIP = allocateIp();
    spec.clusterIPs ??= [spec.clusterIP];
  }
  for (const port of Array.isArray(spec.ports) ? (spec.ports as Port[]) : []) {
    if (!isPlainObject(port)) continue;
    port.protocol ??= 'TCP';
    if (spec.clusterIP !== 'None' || port.targetPort === undefined) port.targetPort ??= port.port;
  }
}

export function applyDefaults(type: ResourceType, obj: KubeObject, allocateIp: () => string): void {
  if (type.group === '' && type.plural === 'namespaces') obj.status = { phase: 'Active', ...(isPlainObject(obj.status) ? obj.status : {}) };
  if (type.group === '' && type.plural === 'secrets') obj.type ??= 'Opaque';
  if (type.group === '' && type.plural === 'services' && isPlainObject(obj.spec)) defaultServiceSpec(obj.spec, allocateIp);
  if (type.group === '' && type.plural === 'pods') obj.status = { phase: 'Pending', ...(isPlainObject(obj.status) ? obj.status : {}) };
  if (type.plural === 'endpointslices' && Array.isArray(obj.ports)) {
    for (const port of obj.ports as Port[]) if (isPlainObject(port)) port.protocol ??= 'TCP';
  }
}
