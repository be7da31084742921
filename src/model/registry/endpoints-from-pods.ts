/**
 * File mode: endpoints of a selector Service that has no EndpointSlice, computed from Pods the
 * way the Kubernetes endpoints controller would (same namespace, labels match the selector,
 * Running with an IP and not being deleted; ready from the PodReady condition).
 */
import type { ConfigObject } from '../config.js';
import type { PodObject } from '../types/core.js';
import type { DiagnosticSink } from './diagnostics.js';
import { selectorMatches } from './read.js';
import type { MeshEndpoint, MeshService } from './types.js';
import { podAttributes, podIP, podReady, podServes, resolveContainerPort, type WorkloadContext } from './workload.js';

export function selectedPods(selector: MeshService['selector'], namespace: string, pods: readonly ConfigObject<PodObject>[]): ConfigObject<PodObject>[] {
  return pods.filter((p) => p.metadata.namespace === namespace && selectorMatches(selector, p.metadata.labels) && podServes(p));
}

export function endpointsFromPods(service: MeshService, pods: readonly ConfigObject<PodObject>[], ctx: WorkloadContext, diags: DiagnosticSink): MeshEndpoint[] {
  const out: MeshEndpoint[] = [];
  for (const pod of selectedPods(service.selector, service.namespace, pods)) {
    const attrs = podAttributes(pod, ctx);
    const address = podIP(pod) as string;
    const health = podReady(pod) ? 'HEALTHY' : 'UNHEALTHY';
    for (const sp of service.ports) {
      const port = resolveContainerPort(pod, sp.targetPort ?? sp.port);
      if (port === undefined) {
        diags.add(pod, 'spec.containers', `no container port named "${String(sp.targetPort)}" for ${service.hostname} port ${sp.port}; pod not an endpoint of that port`);
        continue;
      }
      out.push({ ...attrs, address, port, servicePortName: sp.name, health });
    }
  }
  return out;
}
