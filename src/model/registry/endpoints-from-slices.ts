/** EndpointSlices → endpoints of the Kubernetes Service named by `kubernetes.io/service-name`. */
import type { ConfigObject } from '../config.js';
import type { EndpointSliceObject, PodObject } from '../types/core.js';
import type { DiagnosticSink } from './diagnostics.js';
import { asArray, asRecord, asString, isIP, isPortNumber } from './read.js';
import type { HealthStatus, MeshEndpoint, MeshService } from './types.js';
import { networkFor, nodeLocality, podAttributes, type WorkloadContext } from './workload.js';

export const LABEL_SERVICE_NAME = 'kubernetes.io/service-name';

export function sliceServiceName(slice: ConfigObject<unknown>): string | undefined {
  return slice.metadata.labels[LABEL_SERVICE_NAME];
}

/** ready (absent = true) → HEALTHY; terminating → DRAINING while still serving, else TERMINATING. */
export function sliceHealth(conditions: unknown): HealthStatus {
  const c = asRecord(conditions);
  if (c.ready === undefined || c.ready === null || c.ready === true) return 'HEALTHY';
  if (c.terminating === true) return c.serving === true ? 'DRAINING' : 'TERMINATING';
  return 'UNHEALTHY';
}

interface SliceContext {
  readonly service: MeshService;
  readonly pods: ReadonlyMap<string, ConfigObject<PodObject>>;
  readonly workloads: WorkloadContext;
  readonly diags: DiagnosticSink;
}

function attributesFor(raw: Record<string, unknown>, namespace: string, ctx: SliceContext) {
  const ref = asRecord(raw.targetRef);
  const podNs = asString(ref.namespace) ?? namespace;
  const pod = ref.kind === 'Pod' ? ctx.pods.get(`${podNs}/${asString(ref.name)}`) : undefined;
  if (pod) return podAttributes(pod, ctx.workloads);
  const nodeName = asString(raw.nodeName);
  return {
    labels: {},
    locality: nodeLocality(nodeName, ctx.workloads, asString(raw.zone)),
    namespace,
    network: networkFor({}, namespace, ctx.workloads),
    tlsMode: 'disabled' as const,
    clusterID: ctx.workloads.clusterID,
    ...(typeof ref.name === 'string' ? { workloadName: ref.name } : {}),
    ...(nodeName ? { nodeName } : {}),
  };
}

function slicePorts(slice: ConfigObject<EndpointSliceObject>, service: MeshService, diags: DiagnosticSink): Array<{ name: string; port: number }> {
  const out: Array<{ name: string; port: number }> = [];
  asArray(slice.spec.ports).forEach((raw, i) => {
    const p = asRecord(raw);
    const name = asString(p.name) ?? '';
    if (!isPortNumber(p.port)) {
      diags.add(slice, `ports[${i}].port`, `port ${JSON.stringify(p.port)} is not a number in 1-65535; skipped`);
      return;
    }
    if (service.ports.some((sp) => sp.name === name)) out.push({ name, port: p.port });
  });
  return out;
}

export function endpointsFromSlice(slice: ConfigObject<EndpointSliceObject>, ctx: SliceContext): MeshEndpoint[] {
  if (slice.spec.addressType === 'FQDN') {
    ctx.diags.add(slice, 'addressType', 'FQDN EndpointSlices are not supported; skipped');
    return [];
  }
  const ports = slicePorts(slice, ctx.service, ctx.diags);
  const out: MeshEndpoint[] = [];
  asArray(slice.spec.endpoints).forEach((rawEp, i) => {
    const ep = asRecord(rawEp);
    const attrs = attributesFor(ep, slice.metadata.namespace, ctx);
    const health = sliceHealth(ep.conditions);
    asArray(ep.addresses).forEach((address, j) => {
      if (typeof address !== 'string' || !isIP(address)) {
        ctx.diags.add(slice, `endpoints[${i}].addresses[${j}]`, `address ${JSON.stringify(address)} is not an IP address; skipped`);
        return;
      }
      // Without a pod, a MeshNetworks CIDR can only be matched per address.
      const network = attrs.network || ctx.workloads.fallbackNetwork?.(address) || '';
      for (const p of ports) out.push({ ...attrs, network, address, port: p.port, servicePortName: p.name, health });
    });
  });
  return out;
}
