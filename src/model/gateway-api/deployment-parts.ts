/**
 * The pieces of Istio's automated gateway deployment (its deployment controller and `kube-gateway`
 * template) that depend only on the Gateway: labels and annotations carried to the generated
 * objects, the owner reference, and the Service ports from the listeners. Pure.
 */

/** Label Istio puts on every object it deploys; an existing object without it is never taken over. */
export const MANAGED_LABEL = 'gateway.istio.io/managed';
/** The controller name with `/` replaced by `-`, as Istio writes it. */
export const MANAGED_VALUE = 'istio.io-gateway-controller';
export const GATEWAY_NAME_LABEL = 'gateway.networking.k8s.io/gateway-name';
export const GATEWAY_CLASS_NAME_LABEL = 'gateway.networking.k8s.io/gateway-class-name';
export const SERVICE_ACCOUNT_ANNOTATION = 'gateway.istio.io/service-account';
export const SERVICE_TYPE_ANNOTATION = 'networking.istio.io/service-type';
export const CONTROLLER_VERSION_ANNOTATION = 'gateway.istio.io/controller-version';
/** Istio's controller version (1.18+): a Gateway claimed by a higher version is left to it. */
export const CONTROLLER_VERSION = 5;
/** Istio's status port, always the Service's first port. */
export const STATUS_PORT = 15021;

/** Annotations Istio never copies onto the generated objects (they steer the controller itself). */
const NOT_COPIED = new Set(['kubectl.kubernetes.io/last-applied-configuration', 'gateway.istio.io/name-override', SERVICE_ACCOUNT_ANNOTATION, CONTROLLER_VERSION_ANNOTATION]);

export type StringMap = Readonly<Record<string, string>>;

/** A JSON map of strings, untrusted: non-string values are dropped. */
export function stringMap(value: unknown): Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
  return Object.fromEntries(Object.entries(value).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

const withoutGatewayApiPrefix = (m: StringMap): Record<string, string> =>
  Object.fromEntries(Object.entries(m).filter(([k]) => !k.startsWith('gateway.networking.k8s.io/')));

/**
 * spec.infrastructure.labels/annotations when set (keys under gateway.networking.k8s.io/ dropped),
 * else the Gateway's own (PILOT_ENABLE_GATEWAY_API_COPY_LABELS_ANNOTATIONS, true by default in Istio).
 */
export function infrastructureMetadata(spec: Record<string, unknown>, own: { labels: StringMap; annotations: StringMap }): { labels: Record<string, string>; annotations: Record<string, string> } {
  const infra = typeof spec.infrastructure === 'object' && spec.infrastructure !== null ? (spec.infrastructure as Record<string, unknown>) : {};
  const pick = (field: 'labels' | 'annotations') => (infra[field] !== undefined && infra[field] !== null ? withoutGatewayApiPrefix(stringMap(infra[field])) : { ...own[field] });
  const annotations = pick('annotations');
  for (const key of NOT_COPIED) delete annotations[key];
  return { labels: pick('labels'), annotations };
}

export interface ServicePort {
  readonly name: string;
  readonly port: number;
  readonly protocol: 'TCP';
  readonly appProtocol: string;
}

/** A listener name as a Service port name: dots become dashes, at most 63 characters. */
const portName = (name: string) => name.replace(/\./g, '-').slice(0, 63);

/**
 * The status port, then one port per distinct listener port (the first listener on a port names
 * it), appProtocol the lowercased listener protocol. No targetPort: the proxy binds the listener
 * port itself (the pod allows unprivileged ports from 0).
 */
export function servicePorts(listeners: unknown): ServicePort[] {
  const ports: ServicePort[] = [{ name: 'status-port', port: STATUS_PORT, protocol: 'TCP', appProtocol: 'tcp' }];
  const seen = new Set<number>();
  (Array.isArray(listeners) ? listeners : []).forEach((raw: unknown, i) => {
    const l = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
    const port = l.port;
    if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535 || seen.has(port)) return;
    seen.add(port);
    const protocol = typeof l.protocol === 'string' ? l.protocol.toLowerCase() : '';
    const name = typeof l.name === 'string' && l.name !== '' ? portName(l.name) : `${protocol}-${i}`;
    ports.push({ name, port, protocol: 'TCP', appProtocol: protocol });
  });
  return ports;
}

/** The owner reference that lets Kubernetes garbage-collect the objects with their Gateway. */
export function gatewayOwnerReference(name: string, uid: string): Record<string, unknown> {
  return { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', name, uid };
}

/** Istio's ManagedGatewayControllerVersion: is this Gateway ours to deploy (no higher or unknown version claims it)? */
export function controllerVersionAllows(annotations: StringMap): boolean {
  const current = annotations[CONTROLLER_VERSION_ANNOTATION];
  if (current === undefined) return true;
  if (!/^[+-]?\d+$/.test(current)) return false;
  return Number(current) <= CONTROLLER_VERSION;
}
