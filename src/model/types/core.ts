/**
 * Kubernetes core kinds as the registry reads them. For core kinds ConfigObject.spec is the
 * whole object minus apiVersion/kind/metadata, so `ConfigObject<PodObject>.spec.status.podIP`.
 * Only the fields the control plane reads are listed. Core kinds get envelope validation only,
 * so every field is optional and readers must still check runtime types (see registry/read.ts).
 */

export type StringMap = Record<string, string>;

export interface KubeServicePort {
  name?: string;
  /** L4 protocol: TCP (default), UDP or SCTP. */
  protocol?: string;
  appProtocol?: string;
  port: number;
  /** A number, or the name of a container port. Absent means "same as port". */
  targetPort?: number | string;
  nodePort?: number;
}

export interface KubeServiceSpec {
  type?: 'ClusterIP' | 'NodePort' | 'LoadBalancer' | 'ExternalName';
  clusterIP?: string;
  clusterIPs?: string[];
  selector?: StringMap;
  ports?: KubeServicePort[];
  externalName?: string;
  externalIPs?: string[];
  publishNotReadyAddresses?: boolean;
}

export interface ServiceObject {
  spec?: KubeServiceSpec;
  status?: { loadBalancer?: { ingress?: Array<{ ip?: string; hostname?: string }> } };
}

export interface EndpointConditions {
  ready?: boolean;
  serving?: boolean;
  terminating?: boolean;
}

export interface ObjectReferenceLite {
  kind?: string;
  namespace?: string;
  name?: string;
  uid?: string;
}

export interface SliceEndpoint {
  addresses: string[];
  conditions?: EndpointConditions;
  hostname?: string;
  targetRef?: ObjectReferenceLite;
  nodeName?: string;
  zone?: string;
}

export interface SlicePort {
  name?: string;
  protocol?: string;
  port?: number;
  appProtocol?: string;
}

/** discovery.k8s.io/v1 EndpointSlice: its fields sit at the top level, not under `spec`. */
export interface EndpointSliceObject {
  addressType?: 'IPv4' | 'IPv6' | 'FQDN';
  endpoints?: SliceEndpoint[];
  ports?: SlicePort[];
}

export interface ContainerPort {
  name?: string;
  containerPort: number;
  protocol?: string;
}

export interface Container {
  name: string;
  image?: string;
  ports?: ContainerPort[];
}

export interface PodCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
}

export interface PodObject {
  spec?: {
    nodeName?: string;
    serviceAccountName?: string;
    serviceAccount?: string;
    hostname?: string;
    subdomain?: string;
    hostNetwork?: boolean;
    containers?: Container[];
    initContainers?: Container[];
  };
  status?: {
    phase?: 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Unknown';
    podIP?: string;
    podIPs?: Array<{ ip: string }>;
    hostIP?: string;
    conditions?: PodCondition[];
  };
}

export interface NamespaceObject {
  spec?: { finalizers?: string[] };
  status?: { phase?: string };
}

export interface NodeObject {
  spec?: { podCIDR?: string; unschedulable?: boolean };
  status?: { addresses?: Array<{ type: string; address: string }> };
}

export interface SecretObject {
  type?: string;
  /** base64-encoded values. */
  data?: StringMap;
  stringData?: StringMap;
}

export interface ConfigMapObject {
  data?: StringMap;
  binaryData?: StringMap;
}

export interface ServiceAccountObject {
  secrets?: ObjectReferenceLite[];
  automountServiceAccountToken?: boolean;
}
