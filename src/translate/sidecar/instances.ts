/**
 * The proxy's own service instances: for each service with an endpoint at one of the proxy's
 * IPs, the service port and the endpoint (whose port is the workload's listening port). These
 * drive the inbound side: virtualInbound filter chains and `inbound|<port>||` clusters.
 */
import type { Proxy } from '../../model/proxy.js';
import type { MeshEndpoint, MeshService, MeshServicePort } from '../../model/registry/types.js';
import type { Snapshot } from '../../model/snapshot.js';

export interface ServiceInstance {
  readonly service: MeshService;
  readonly servicePort: MeshServicePort;
  readonly endpoint: MeshEndpoint;
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function proxyInstances(snapshot: Snapshot, proxy: Proxy): ServiceInstance[] {
  const out: ServiceInstance[] = [];
  for (const ip of new Set(proxy.ipAddresses)) {
    for (const { service, endpoint } of snapshot.endpointsAt(ip)) {
      if (endpoint.namespace !== proxy.namespace && service.source === 'Kubernetes') continue;
      const servicePort = service.ports.find((p) => p.name === endpoint.servicePortName);
      if (servicePort) out.push({ service, servicePort, endpoint });
    }
  }
  // Registry order (by hostname, then namespace), whatever order the proxy lists its IPs in.
  return out.sort((a, b) => compare(a.service.hostname, b.service.hostname) || compare(a.service.namespace, b.service.namespace));
}
