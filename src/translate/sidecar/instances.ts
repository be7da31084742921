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

export function proxyInstances(snapshot: Snapshot, proxy: Proxy): ServiceInstance[] {
  const ips = new Set(proxy.ipAddresses);
  const out: ServiceInstance[] = [];
  for (const service of snapshot.registry.services) {
    for (const endpoint of snapshot.endpointsOf(service)) {
      if (!ips.has(endpoint.address)) continue;
      if (endpoint.namespace !== proxy.namespace && service.source === 'Kubernetes') continue;
      const servicePort = service.ports.find((p) => p.name === endpoint.servicePortName);
      if (servicePort) out.push({ service, servicePort, endpoint });
    }
  }
  return out;
}
