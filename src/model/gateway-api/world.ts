/**
 * The inputs of the Gateway API conversion, indexed once per conversion: the Gateway API
 * objects (oldest first, as Istio orders them), Namespace labels (allowedRoutes selectors) and
 * the Kubernetes Services (backend and GAMMA parent existence, ports).
 */
import { objectKey, refOf, type ConfigObject } from '../config.js';
import type { KindName } from '../kinds.js';
import type { KubeServicePort, ServiceObject } from '../types/core.js';

export interface GatewayApiWorld {
  readonly domain: string;
  readonly classes: ReadonlyMap<string, ConfigObject>;
  /** KubernetesGateway by `ns/name`. */
  readonly gateways: ReadonlyMap<string, ConfigObject>;
  /** HTTPRoute, GRPCRoute, TCPRoute, TLSRoute: oldest first, then namespace/name. */
  readonly routes: readonly ConfigObject[];
  readonly grants: readonly ConfigObject[];
  readonly backendTLSPolicies: readonly ConfigObject[];
  readonly namespaceLabels: ReadonlyMap<string, Readonly<Record<string, string>>>;
  /** Kubernetes Services by `ns/name`: their ports. */
  readonly services: ReadonlyMap<string, readonly KubeServicePort[]>;
  /** The same Services whole (type, cluster IPs, load balancer status): Gateway addresses. */
  readonly serviceObjects: ReadonlyMap<string, ServiceObject>;
}

export const ROUTE_KINDS: readonly KindName[] = ['HTTPRoute', 'GRPCRoute', 'TCPRoute', 'TLSRoute'];
/** Every kind the conversion reads: a change to any other kind cannot change its output. */
export const GATEWAY_API_INPUT_KINDS: ReadonlySet<string> = new Set<string>([
  'GatewayClass', 'KubernetesGateway', ...ROUTE_KINDS, 'ReferenceGrant', 'BackendTLSPolicy', 'Namespace', 'Service',
]);
export const GATEWAY_API_OWN_KINDS: ReadonlySet<string> = new Set<string>(['GatewayClass', 'KubernetesGateway', ...ROUTE_KINDS, 'ReferenceGrant', 'BackendTLSPolicy']);

/** Istio's order: creation time, then namespace/name. */
export function oldestFirst(a: ConfigObject, b: ConfigObject): number {
  const ta = a.metadata.creationTimestamp ?? '';
  const tb = b.metadata.creationTimestamp ?? '';
  if (ta !== tb) return ta < tb ? -1 : 1;
  const ka = `${a.metadata.namespace}/${a.metadata.name}`;
  const kb = `${b.metadata.namespace}/${b.metadata.name}`;
  return ka === kb ? 0 : ka < kb ? -1 : 1;
}

export const nsName = (obj: ConfigObject): string => `${obj.metadata.namespace}/${obj.metadata.name}`;
export const keyOf = (obj: ConfigObject): string => objectKey(refOf(obj));

export function buildWorld(objects: readonly ConfigObject[], domain: string): GatewayApiWorld {
  const classes = new Map<string, ConfigObject>();
  const gateways = new Map<string, ConfigObject>();
  const routes: ConfigObject[] = [];
  const grants: ConfigObject[] = [];
  const policies: ConfigObject[] = [];
  const namespaceLabels = new Map<string, Readonly<Record<string, string>>>();
  const services = new Map<string, readonly KubeServicePort[]>();
  const serviceObjects = new Map<string, ServiceObject>();
  for (const obj of objects) {
    if (obj.cluster !== undefined) continue; // config comes from the config cluster only
    switch (obj.kind) {
      case 'GatewayClass': classes.set(obj.metadata.name, obj); break;
      case 'KubernetesGateway': gateways.set(nsName(obj), obj); break;
      case 'ReferenceGrant': grants.push(obj); break;
      case 'BackendTLSPolicy': policies.push(obj); break;
      case 'Namespace': namespaceLabels.set(obj.metadata.name, obj.metadata.labels); break;
      case 'Service':
        services.set(nsName(obj), (obj.spec as ServiceObject).spec?.ports ?? []);
        serviceObjects.set(nsName(obj), obj.spec as ServiceObject);
        break;
      default: if (ROUTE_KINDS.includes(obj.kind)) routes.push(obj);
    }
  }
  return { domain, classes, gateways, routes: routes.sort(oldestFirst), grants, backendTLSPolicies: policies.sort(oldestFirst), namespaceLabels, services, serviceObjects };
}
