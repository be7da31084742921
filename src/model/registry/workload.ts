/** Endpoint attributes derived from a Pod (labels, locality, network, identity, readiness). */
import type { ConfigObject } from '../config.js';
import type { PodObject } from '../types/core.js';
import { asArray, asRecord, asString } from './read.js';
import type { Locality, TlsMode } from './types.js';

export const LABEL_REGION = 'topology.kubernetes.io/region';
export const LABEL_ZONE = 'topology.kubernetes.io/zone';
export const LABEL_SUBZONE = 'topology.istio.io/subzone';
export const LABEL_NETWORK = 'topology.istio.io/network';
export const LABEL_TLS_MODE = 'security.istio.io/tlsMode';
/** Pod label overriding the node's locality; '.'-separated since label values cannot hold '/'. */
export const LABEL_ISTIO_LOCALITY = 'istio-locality';

/** Labels of cluster-scoped objects the registry joins against, by name. */
export interface WorkloadContext {
  readonly nodeLabels: ReadonlyMap<string, Readonly<Record<string, string>>>;
  readonly namespaceLabels: ReadonlyMap<string, Readonly<Record<string, string>>>;
  readonly clusterID: string;
  /** The network of an endpoint without a network label (system namespace label, MeshNetworks), by IP. */
  readonly fallbackNetwork?: (ip: string | undefined) => string;
}

export const NO_LOCALITY: Locality = { region: '', zone: '', subzone: '' };

/** `region/zone/subzone` (WorkloadEntry.locality) or with '.' separators (istio-locality label). */
export function parseLocality(value: string, separator: '/' | '.'): Locality {
  const [region = '', zone = '', subzone = ''] = value.split(separator);
  return { region, zone, subzone };
}

export function nodeLocality(nodeName: string | undefined, ctx: WorkloadContext, sliceZone?: string): Locality {
  const labels = nodeName ? ctx.nodeLabels.get(nodeName) : undefined;
  if (!labels) return sliceZone ? { region: '', zone: sliceZone, subzone: '' } : NO_LOCALITY;
  return { region: labels[LABEL_REGION] ?? '', zone: labels[LABEL_ZONE] ?? sliceZone ?? '', subzone: labels[LABEL_SUBZONE] ?? '' };
}

export function podLocality(pod: ConfigObject<PodObject>, ctx: WorkloadContext): Locality {
  const override = pod.metadata.labels[LABEL_ISTIO_LOCALITY];
  if (override) return parseLocality(override, '.');
  return nodeLocality(asString(asRecord(pod.spec.spec).nodeName), ctx);
}

export function networkFor(labels: Readonly<Record<string, string>>, namespace: string, ctx: WorkloadContext, ip?: string): string {
  return labels[LABEL_NETWORK] || ctx.namespaceLabels.get(namespace)?.[LABEL_NETWORK] || ctx.fallbackNetwork?.(ip) || '';
}

export function tlsModeFromLabels(labels: Readonly<Record<string, string>>): TlsMode {
  return labels[LABEL_TLS_MODE] === 'istio' ? 'istio' : 'disabled';
}

export function podServiceAccount(pod: ConfigObject<PodObject>): string {
  const spec = asRecord(pod.spec.spec);
  return asString(spec.serviceAccountName) || asString(spec.serviceAccount) || 'default';
}

export function podIP(pod: ConfigObject<PodObject>): string | undefined {
  const status = asRecord(pod.spec.status);
  const ip = asString(status.podIP);
  if (ip) return ip;
  return asString(asRecord(asArray(status.podIPs)[0]).ip) || undefined;
}

export function podReady(pod: ConfigObject<PodObject>): boolean {
  return asArray(asRecord(pod.spec.status).conditions).some((c) => asRecord(c).type === 'Ready' && asRecord(c).status === 'True');
}

/** A Pod being deleted no longer serves as an endpoint. */
export function podDeleting(pod: ConfigObject<unknown>): boolean {
  return typeof pod.metadata.deletionTimestamp === 'string';
}

/** Running, has an IP, not being deleted: the pods the endpoints controller would list. */
export function podServes(pod: ConfigObject<PodObject>): boolean {
  return asRecord(pod.spec.status).phase === 'Running' && podIP(pod) !== undefined && !podDeleting(pod);
}

/** Resolves a named targetPort against the pod's container ports. */
export function resolveContainerPort(pod: ConfigObject<PodObject>, target: number | string): number | undefined {
  if (typeof target === 'number') return target;
  for (const c of asArray(asRecord(pod.spec.spec).containers)) {
    for (const p of asArray(asRecord(c).ports)) {
      const port = asRecord(p);
      if (port.name === target && typeof port.containerPort === 'number') return port.containerPort;
    }
  }
  return undefined;
}

/** Attributes shared by every endpoint of one pod. */
export function podAttributes(pod: ConfigObject<PodObject>, ctx: WorkloadContext) {
  const { labels, namespace, name } = pod.metadata;
  const nodeName = asString(asRecord(pod.spec.spec).nodeName);
  return {
    labels: { ...labels },
    locality: podLocality(pod, ctx),
    serviceAccount: podServiceAccount(pod),
    namespace,
    network: networkFor(labels, namespace, ctx, podIP(pod)),
    tlsMode: tlsModeFromLabels(labels),
    workloadName: name,
    workloadKind: 'Pod' as const,
    clusterID: ctx.clusterID,
    ...(nodeName ? { nodeName } : {}),
  };
}
