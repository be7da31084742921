/**
 * The service registry: the mesh's services and their endpoints, joined from Kubernetes
 * Services, EndpointSlices, Pods, Nodes, Namespaces, ServiceEntries and WorkloadEntries.
 * Plain data, deep-frozen inside a Snapshot.
 */
import type { MeshNetworks } from '../../config/mesh-networks.js';
import type { ObjectRef } from '../config.js';

/**
 * Istio's protocol names. 'UnsupportedProtocol' is Istio's own name for "not declared": the
 * proxy sniffs the protocol (auto-detection). Use `isAutoDetect()` rather than comparing.
 */
export type Protocol =
  | 'HTTP' | 'HTTP2' | 'HTTPS' | 'GRPC' | 'GRPC-Web' | 'HTTP_PROXY'
  | 'TCP' | 'TLS' | 'UDP' | 'Mongo' | 'MySQL' | 'Redis'
  | 'UnsupportedProtocol';

/**
 * How a client reaches the service's endpoints (Istio's model.Resolution):
 * ClientSideLB = EDS over known endpoints; Passthrough = original destination (headless,
 * ServiceEntry NONE); DNSLB / DNSRoundRobinLB = the proxy resolves hostnames.
 */
export type Resolution = 'ClientSideLB' | 'Passthrough' | 'DNSLB' | 'DNSRoundRobinLB' | 'DynamicDNS';

export interface MeshServicePort {
  /** Port name; '' for the single unnamed port of a Kubernetes Service. */
  readonly name: string;
  readonly port: number;
  readonly protocol: Protocol;
  /** Kubernetes targetPort (number or container port name) or ServiceEntry targetPort. */
  readonly targetPort?: number | string;
}

export type ServiceSource = 'Kubernetes' | 'ServiceEntry';

export interface MeshService {
  /** `<namespace>/<hostname>`: unique; two ServiceEntries in different namespaces may share a host. */
  readonly key: string;
  readonly hostname: string;
  readonly namespace: string;
  /** Kubernetes Service name, or ServiceEntry name. */
  readonly name: string;
  readonly source: ServiceSource;
  readonly origin: ObjectRef;
  /** Cluster VIPs / ServiceEntry addresses (may be CIDRs); empty for headless and DNS-only. */
  readonly addresses: readonly string[];
  readonly ports: readonly MeshServicePort[];
  readonly resolution: Resolution;
  /** true for ExternalName Services and ServiceEntries with location MESH_EXTERNAL (default). */
  readonly meshExternal: boolean;
  /** As written (annotation or spec.exportTo) or the configured default: '*', '.', '~' or namespace names. */
  readonly exportTo: readonly string[];
  readonly labels: Readonly<Record<string, string>>;
  /** Kubernetes spec.selector or ServiceEntry spec.workloadSelector.labels; absent = none. */
  readonly selector?: Readonly<Record<string, string>>;
  /** Kubernetes ExternalName target. */
  readonly externalName?: string;
  readonly headless?: boolean;
  readonly subjectAltNames?: readonly string[];
  readonly clusterID: string;
}

export type HealthStatus = 'HEALTHY' | 'UNHEALTHY' | 'DRAINING' | 'TERMINATING';

export interface Locality {
  readonly region: string;
  readonly zone: string;
  readonly subzone: string;
}

export type TlsMode = 'istio' | 'disabled';

export interface MeshEndpoint {
  /** IP literal, or a hostname for DNS-resolved ServiceEntries. */
  readonly address: string;
  /** Port the workload listens on. */
  readonly port: number;
  /** Name of the MeshServicePort this endpoint serves. */
  readonly servicePortName: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly locality: Locality;
  /**
   * Service account name (plain, in `namespace`). The SPIFFE identity is derived where the
   * trust domain is known: `spiffe://<trustDomain>/ns/<namespace>/sa/<serviceAccount>`.
   */
  readonly serviceAccount?: string;
  readonly namespace: string;
  readonly network: string;
  readonly tlsMode: TlsMode;
  /** Pod or WorkloadEntry name. */
  readonly workloadName?: string;
  readonly workloadKind?: 'Pod' | 'WorkloadEntry' | 'ServiceEntry';
  readonly clusterID: string;
  readonly health: HealthStatus;
  readonly weight?: number;
  readonly nodeName?: string;
}

/** Something skipped while building the snapshot; never thrown. */
export interface Diagnostic {
  readonly ref: ObjectRef;
  /** Field path from the object root, e.g. `spec.ports[1].targetPort`. */
  readonly path: string;
  readonly reason: string;
}

/** Where proxies on other networks send traffic for endpoints of `network` (split horizon). */
export interface NetworkGateway {
  readonly network: string;
  /** The cluster whose Service it is; '' for a MeshNetworks `address` gateway. */
  readonly cluster: string;
  /** IP literal. */
  readonly address: string;
  readonly port: number;
}

export interface Registry {
  /** Sorted by hostname, then namespace. */
  readonly services: readonly MeshService[];
  /** MeshService.key → endpoints, sorted by port name, address, port. */
  readonly endpoints: ReadonlyMap<string, readonly MeshEndpoint[]>;
  /** hostname → services with that hostname (several only for ServiceEntries). */
  readonly servicesByHost: ReadonlyMap<string, readonly MeshService[]>;
  /** Network gateways, sorted; absent or empty = single network (no split horizon). */
  readonly networkGateways?: readonly NetworkGateway[];
}

export interface RegistryOptions {
  /** Cluster DNS domain: FQDNs are `name.ns.svc.<domain>`. */
  readonly domain: string;
  readonly rootNamespace: string;
  readonly clusterID: string;
  readonly defaultServiceExportTo: readonly string[];
  readonly defaultVirtualServiceExportTo: readonly string[];
  readonly defaultDestinationRuleExportTo: readonly string[];
  /**
   * File mode: a Service with a selector and no EndpointSlice gets endpoints from matching
   * Pods, as the Kubernetes endpoints controller would. Turn off when slices come from a cluster.
   */
  readonly endpointsFromPods: boolean;
  /** MeshNetworks in force (endpoint networks by registry or CIDR, gateways); absent = none. */
  readonly meshNetworks?: MeshNetworks;
  /** istiod's namespace in each cluster, whose topology.istio.io/network label is the cluster's default network; default rootNamespace. */
  readonly systemNamespace?: string;
}

export const DEFAULT_REGISTRY_OPTIONS: RegistryOptions = Object.freeze({
  domain: 'cluster.local',
  rootNamespace: 'istio-system',
  clusterID: 'Kubernetes',
  defaultServiceExportTo: Object.freeze(['*']),
  defaultVirtualServiceExportTo: Object.freeze(['*']),
  defaultDestinationRuleExportTo: Object.freeze(['*']),
  endpointsFromPods: true,
});

export function isAutoDetect(p: Protocol): boolean {
  return p === 'UnsupportedProtocol';
}

/** `spiffe://<trustDomain>/ns/<ns>/sa/<sa>` for an endpoint with a service account. */
export function spiffeIdentity(trustDomain: string, ep: MeshEndpoint): string | undefined {
  return ep.serviceAccount ? `spiffe://${trustDomain}/ns/${ep.namespace}/sa/${ep.serviceAccount}` : undefined;
}
