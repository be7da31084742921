/**
 * networking.istio.io ServiceEntry, WorkloadEntry, WorkloadGroup and the selector types they
 * share, in the proto3-JSON shape users write (camelCase; enums as strings).
 */
export type Resolution = 'NONE' | 'STATIC' | 'DNS' | 'DNS_ROUND_ROBIN' | 'DYNAMIC_DNS';
export type Location = 'MESH_EXTERNAL' | 'MESH_INTERNAL';

export interface WorkloadSelector {
  labels?: Record<string, string>;
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
}

export interface PolicyTargetReference {
  group?: string;
  kind: string;
  name: string;
  namespace?: string;
}

export interface ServicePort {
  number: number;
  protocol?: string;
  name: string;
  targetPort?: number;
}

export interface WorkloadEntrySpec {
  address?: string;
  ports?: Record<string, number>;
  labels?: Record<string, string>;
  network?: string;
  locality?: string;
  weight?: number;
  serviceAccount?: string;
}

export interface ServiceEntrySpec {
  hosts: string[];
  addresses?: string[];
  ports?: ServicePort[];
  location?: Location;
  resolution?: Resolution;
  endpoints?: WorkloadEntrySpec[];
  workloadSelector?: WorkloadSelector;
  exportTo?: string[];
  subjectAltNames?: string[];
}

export interface WorkloadGroupSpec {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  template: WorkloadEntrySpec;
  probe?: Record<string, unknown>;
}
