/**
 * What Istio's gateway deployment controller would create for one Gateway API Gateway: a
 * ServiceAccount, a Deployment and a Service (the order of Istio's `kube-gateway` template), or
 * why it creates nothing. Pure: raw (untrusted) Gateway in, objects to server-side apply out.
 *
 * Istio's facts kept here: only classes handled by istio.io/gateway-controller (a missing
 * GatewayClass `istio` counts as the built-in one); a Gateway with addresses Istio cannot own
 * (a Hostname, or several) is manually deployed and skipped; names `<gateway>-<class>` with the
 * `gateway.istio.io/name-override` and `gateway.istio.io/service-account` annotations; Service
 * type LoadBalancer unless `networking.istio.io/service-type` says otherwise; every object
 * labelled `gateway.istio.io/managed` and owned by the Gateway.
 * One deliberate difference: Istio renders the istio-proxy container itself (pod label
 * `sidecar.istio.io/inject: "false"`); here the pod asks the injection webhook for the `gateway`
 * template (`sidecar.istio.io/inject: "true"`, `inject.istio.io/templates: gateway`, image
 * `auto`), so src/inject stays the only place that knows the proxy container.
 */
import { deployedName, isManaged } from './gateway-addresses.js';
import {
  controllerVersionAllows, GATEWAY_CLASS_NAME_LABEL, GATEWAY_NAME_LABEL, gatewayOwnerReference, infrastructureMetadata, MANAGED_LABEL, MANAGED_VALUE,
  SERVICE_ACCOUNT_ANNOTATION, SERVICE_TYPE_ANNOTATION, servicePorts, stringMap, type StringMap,
} from './deployment-parts.js';
import { ISTIO_CONTROLLER, ISTIO_GATEWAY_CLASS, type GatewaySpec } from './types.js';

export { MANAGED_LABEL, MANAGED_VALUE } from './deployment-parts.js';

/** A Gateway as the API server sends it; nothing in it is trusted. */
export interface RawGateway {
  readonly metadata?: { readonly name?: unknown; readonly namespace?: unknown; readonly uid?: unknown; readonly labels?: unknown; readonly annotations?: unknown };
  readonly spec?: unknown;
}

/** One object to apply: where it lives (API group, version, plural) and its full body. */
export interface DesiredObject {
  readonly group: string;
  readonly version: string;
  readonly plural: string;
  readonly namespace: string;
  readonly name: string;
  readonly body: Readonly<Record<string, unknown>>;
}

export type GatewayDeployment =
  | { readonly deploy: true; readonly gateway: string; readonly objects: readonly DesiredObject[] }
  | { readonly deploy: false; readonly gateway: string; readonly reason: string };

const SERVICE_TYPES = new Set(['ClusterIP', 'NodePort', 'LoadBalancer']);

interface Context {
  readonly name: string;
  readonly namespace: string;
  readonly className: string;
  readonly deploymentName: string;
  readonly serviceAccount: string;
  readonly labels: StringMap;
  readonly annotations: StringMap;
  readonly ownerReferences: readonly Record<string, unknown>[];
}

/** Labels every generated object carries (the Gateway's infrastructure labels first, Istio's win). */
const objectLabels = (c: Context) => ({ ...c.labels, [GATEWAY_NAME_LABEL]: c.name, [GATEWAY_CLASS_NAME_LABEL]: c.className, [MANAGED_LABEL]: MANAGED_VALUE });

const metadata = (c: Context, name: string) => ({
  name,
  namespace: c.namespace,
  labels: objectLabels(c),
  annotations: { ...c.annotations },
  ownerReferences: c.ownerReferences,
});

function serviceAccount(c: Context): DesiredObject {
  const body = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: metadata(c, c.serviceAccount) };
  return { group: '', version: 'v1', plural: 'serviceaccounts', namespace: c.namespace, name: c.serviceAccount, body };
}

function deployment(c: Context): DesiredObject {
  const podLabels = {
    'sidecar.istio.io/inject': 'true',
    'service.istio.io/canonical-name': c.deploymentName,
    'service.istio.io/canonical-revision': 'latest',
    ...objectLabels(c),
  };
  const podAnnotations = {
    ...c.annotations,
    'istio.io/rev': 'default',
    'inject.istio.io/templates': 'gateway',
    'prometheus.io/path': '/stats/prometheus',
    'prometheus.io/port': '15020',
    'prometheus.io/scrape': 'true',
  };
  const spec = {
    selector: { matchLabels: { [GATEWAY_NAME_LABEL]: c.name } },
    template: {
      metadata: { labels: podLabels, annotations: podAnnotations },
      spec: {
        // Lets the unprivileged proxy bind listener ports below 1024 (Istio's kube-gateway does the same).
        securityContext: { sysctls: [{ name: 'net.ipv4.ip_unprivileged_port_start', value: '0' }] },
        serviceAccountName: c.serviceAccount,
        containers: [{ name: 'istio-proxy', image: 'auto' }],
      },
    },
  };
  const body = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: metadata(c, c.deploymentName), spec };
  return { group: 'apps', version: 'v1', plural: 'deployments', namespace: c.namespace, name: c.deploymentName, body };
}

function service(c: Context, spec: GatewaySpec, type: string): DesiredObject {
  const first = spec.addresses?.[0]?.value;
  const serviceSpec = {
    ipFamilyPolicy: 'PreferDualStack',
    ports: servicePorts(spec.listeners),
    selector: { [GATEWAY_NAME_LABEL]: c.name },
    ...(typeof first === 'string' && first !== '' && type === 'LoadBalancer' ? { loadBalancerIP: first } : {}),
    type,
  };
  const body = { apiVersion: 'v1', kind: 'Service', metadata: metadata(c, c.deploymentName), spec: serviceSpec };
  return { group: '', version: 'v1', plural: 'services', namespace: c.namespace, name: c.deploymentName, body };
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** Whether a class is Istio's: its GatewayClass's controllerName, or the built-in `istio` class when none exists. */
function handledClass(className: string, classController: string | undefined): boolean {
  return classController !== undefined ? classController === ISTIO_CONTROLLER : className === ISTIO_GATEWAY_CLASS;
}

/**
 * The objects for one Gateway. `classController` is its GatewayClass's spec.controllerName
 * (undefined when no such GatewayClass exists).
 */
export function gatewayDeployment(gateway: RawGateway, classController: string | undefined): GatewayDeployment {
  const name = str(gateway.metadata?.name);
  const namespace = str(gateway.metadata?.namespace);
  const id = `${namespace ?? '?'}/${name ?? '?'}`;
  const skip = (reason: string): GatewayDeployment => ({ deploy: false, gateway: id, reason });
  if (!name || !namespace) return skip('metadata.name and metadata.namespace are required');
  const spec = (typeof gateway.spec === 'object' && gateway.spec !== null ? gateway.spec : {}) as GatewaySpec & Record<string, unknown>;
  const className = str(spec.gatewayClassName);
  if (!className) return skip('spec.gatewayClassName: required');
  if (!handledClass(className, classController)) return skip(`class ${className} is not handled by ${ISTIO_CONTROLLER}`);
  if (!isManaged({ addresses: Array.isArray(spec.addresses) ? spec.addresses : [] })) return skip('spec.addresses: manually deployed (a Hostname or several addresses)');
  const own = { labels: stringMap(gateway.metadata?.labels), annotations: stringMap(gateway.metadata?.annotations) };
  if (!controllerVersionAllows(own.annotations)) return skip('gateway.istio.io/controller-version: claimed by a newer controller');
  const rev = own.labels['istio.io/rev'];
  if (rev !== undefined && rev !== 'default') return skip(`istio.io/rev: revision ${rev} is not served here`);
  const uid = str(gateway.metadata?.uid);
  if (!uid) return skip('metadata.uid: required for the owner reference');
  const type = own.annotations[SERVICE_TYPE_ANNOTATION] ?? 'LoadBalancer';
  if (!SERVICE_TYPES.has(type)) return skip(`metadata.annotations[${SERVICE_TYPE_ANNOTATION}]: unsupported Service type: "${type}": want ClusterIP, NodePort or LoadBalancer`);
  const defaultName = `${name}-${className}`;
  const infra = infrastructureMetadata(spec, own);
  const context: Context = {
    name,
    namespace,
    className,
    deploymentName: deployedName(name, className, own.annotations),
    serviceAccount: own.annotations[SERVICE_ACCOUNT_ANNOTATION] ?? defaultName,
    labels: infra.labels,
    annotations: infra.annotations,
    ownerReferences: [gatewayOwnerReference(name, uid)],
  };
  return { deploy: true, gateway: id, objects: [serviceAccount(context), deployment(context), service(context, spec, type)] };
}
