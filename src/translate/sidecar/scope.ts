/**
 * SidecarScope: what one proxy may see. Starts from exportTo visibility (services,
 * VirtualServices) and narrows it by the Sidecar resource that applies to the proxy, as Istio
 * does: a Sidecar in the proxy's namespace whose workloadSelector matches its labels (oldest
 * first), else that namespace's Sidecar without a selector, else the root namespace's Sidecar
 * without a selector, else none (everything exportTo allows).
 *
 * Each egress listener imports services and VirtualServices by `namespace/dnsName` hosts; a
 * listener with a port (other than HTTP_PROXY) only carries that port, so its services are
 * trimmed to it. The scope's `services` is the union over listeners plus the services the
 * imported VirtualServices route to (one per hostname); `egressListeners` keeps the
 * per-listener view for LDS and RDS.
 */
import type { MeshConfig } from '../../config/mesh-types.js';
import type { ConfigObject } from '../../model/config.js';
import type { IndexedVirtualService } from '../../model/index/virtual-service-index.js';
import type { Proxy } from '../../model/proxy.js';
import type { MeshService } from '../../model/registry/types.js';
import type { Snapshot } from '../../model/snapshot.js';
import type { Destination } from '../../model/types/common.js';
import type { IstioEgressListener, IstioIngressListener, SidecarSpec } from '../../model/types/sidecar.js';
import type { Diagnostics } from '../common/diagnostics.js';
import { importServices, importVirtualServices, parseEgressHosts, virtualServiceDestinations, type EgressHost } from './scope-egress.js';
import { selectSidecar } from './scope-select.js';

export type { EgressHost } from './scope-egress.js';

/** One egress listener of the applied Sidecar (or the implicit catch-all `*\/*`). */
export interface EgressListenerScope {
  /** The Sidecar's listener; undefined for the implicit catch-all. */
  readonly listener: IstioEgressListener | undefined;
  /** `spec.egress[i]` (for diagnostics); undefined for the implicit catch-all. */
  readonly path: string | undefined;
  /**
   * The only service port this listener carries (its port.number), undefined when it carries
   * every port (no port, a unix socket, or an HTTP_PROXY listener). Its services are trimmed to it.
   */
  readonly port: number | undefined;
  /** The usable hosts, `.` resolved to the proxy's namespace. */
  readonly hosts: readonly EgressHost[];
  /** Services this listener imports (trimmed to `port`), sorted by hostname then namespace. */
  readonly services: readonly MeshService[];
  /** VirtualServices this listener imports, oldest first. */
  readonly virtualServices: readonly IndexedVirtualService[];
}

export interface SidecarScope {
  /** The Sidecar resource that applies to the proxy, if any. */
  readonly sidecar: ConfigObject | undefined;
  /** Services the proxy may reach, sorted by hostname then namespace (one per hostname under a Sidecar). */
  readonly services: readonly MeshService[];
  /** Mesh-bound VirtualServices the proxy sees, oldest first. */
  readonly virtualServices: readonly IndexedVirtualService[];
  readonly outboundTrafficPolicy: 'ALLOW_ANY' | 'REGISTRY_ONLY';
  /** The Sidecar's outboundTrafficPolicy.egressProxy (ALLOW_ANY only), if set. */
  readonly egressProxy?: Destination;
  /** The Sidecar's ingress listeners ([] when none): explicit inbound ports. */
  readonly ingress: readonly IstioIngressListener[];
  /** The Sidecar's egress listeners as written ([] when none). */
  readonly egress: readonly IstioEgressListener[];
  /** Egress listeners with what each imports; never empty (the catch-all `*\/*` when none is written). */
  readonly egressListeners: readonly EgressListenerScope[];
}

export function boundToMesh(vs: IndexedVirtualService): boolean {
  return vs.gateways.length === 0 || vs.gateways.includes('mesh');
}

const CATCH_ALL: readonly EgressHost[] = Object.freeze([{ namespace: '*', host: '*' }]);

function meshMode(mesh: MeshConfig): SidecarScope['outboundTrafficPolicy'] {
  return mesh.outboundTrafficPolicy.mode === 'REGISTRY_ONLY' ? 'REGISTRY_ONLY' : 'ALLOW_ANY';
}

function defaultScope(visible: readonly MeshService[], meshVs: readonly IndexedVirtualService[], mesh: MeshConfig): SidecarScope {
  return {
    sidecar: undefined,
    services: visible,
    virtualServices: meshVs,
    outboundTrafficPolicy: meshMode(mesh),
    ingress: [],
    egress: [],
    egressListeners: [{ listener: undefined, path: undefined, port: undefined, hosts: CATCH_ALL, services: visible, virtualServices: meshVs }],
  };
}

/** The port an egress listener restricts its services to (Istio: not for HTTP_PROXY listeners). */
function listenerPort(listener: IstioEgressListener | undefined): number | undefined {
  const n = listener?.port?.number;
  if (!n || listener?.port?.protocol === 'HTTP_PROXY') return undefined;
  return n;
}

interface Inputs {
  readonly sidecar: ConfigObject;
  readonly proxyNamespace: string;
  readonly visible: readonly MeshService[];
  readonly meshVs: readonly IndexedVirtualService[];
  readonly diags: Diagnostics;
}

function buildListener(inputs: Inputs, listener: IstioEgressListener | undefined, path: string | undefined): EgressListenerScope {
  const hosts = listener ? parseEgressHosts(inputs.sidecar, path!, listener.hosts ?? [], inputs.proxyNamespace, inputs.diags) : CATCH_ALL;
  const port = listenerPort(listener);
  return {
    listener,
    path,
    port,
    hosts,
    services: importServices(inputs.visible, hosts, port, inputs.proxyNamespace),
    virtualServices: importVirtualServices(inputs.meshVs, hosts),
  };
}

const byHostThenNamespace = (a: MeshService, b: MeshService) =>
  a.hostname < b.hostname ? -1 : a.hostname > b.hostname ? 1 : a.namespace < b.namespace ? -1 : a.namespace > b.namespace ? 1 : 0;

/**
 * Istio's union: one service per hostname, the first found wins (explicit imports before
 * VirtualService destinations); a later import of the same service adds the ports it lacks.
 */
class ServiceUnion {
  private readonly byHost = new Map<string, MeshService>();

  add(svc: MeshService | undefined): void {
    if (!svc) return;
    const seen = this.byHost.get(svc.hostname);
    if (!seen) return void this.byHost.set(svc.hostname, svc);
    if (seen.namespace !== svc.namespace) return;
    const missing = svc.ports.filter((p) => !seen.ports.some((q) => q.port === p.port));
    if (missing.length > 0) this.byHost.set(svc.hostname, Object.freeze({ ...seen, ports: Object.freeze([...seen.ports, ...missing]) }));
  }

  sorted(): MeshService[] {
    return [...this.byHost.values()].sort(byHostThenNamespace);
  }
}

/** A VirtualService destination host → the service it means: the proxy's namespace first, else the alphabetically first namespace. */
function destinationService(visible: readonly MeshService[], host: string, proxyNamespace: string, port: number | undefined): MeshService | undefined {
  const candidates = visible.filter((s) => s.hostname === host);
  const svc = candidates.find((s) => s.namespace === proxyNamespace) ?? [...candidates].sort(byHostThenNamespace)[0];
  if (!svc || port === undefined) return svc;
  const p = svc.ports.find((q) => q.port === port);
  return p ? Object.freeze({ ...svc, ports: Object.freeze([p]) }) : undefined;
}

function unionServices(inputs: Inputs, listeners: readonly EgressListenerScope[], domain: string): MeshService[] {
  const union = new ServiceUnion();
  for (const l of listeners) {
    for (const svc of l.services) union.add(svc);
    for (const vs of l.virtualServices) {
      for (const host of virtualServiceDestinations(vs, domain)) union.add(destinationService(inputs.visible, host, inputs.proxyNamespace, l.port));
    }
  }
  return union.sorted();
}

function outboundOf(spec: SidecarSpec, mesh: MeshConfig): Pick<SidecarScope, 'outboundTrafficPolicy' | 'egressProxy'> {
  const policy = spec.outboundTrafficPolicy;
  // The Sidecar's policy replaces the mesh's; its mode defaults to REGISTRY_ONLY (the proto's zero value).
  if (!policy) return { outboundTrafficPolicy: meshMode(mesh) };
  const mode = policy.mode === 'ALLOW_ANY' ? 'ALLOW_ANY' : 'REGISTRY_ONLY';
  return { outboundTrafficPolicy: mode, ...(mode === 'ALLOW_ANY' && policy.egressProxy ? { egressProxy: policy.egressProxy } : {}) };
}

export function buildSidecarScope(snapshot: Snapshot, proxy: Proxy, mesh: MeshConfig, diags: Diagnostics): SidecarScope {
  const visible = snapshot.servicesVisibleTo(proxy.namespace);
  const meshVs = snapshot.virtualServices.visibleTo(proxy.namespace).filter(boundToMesh);
  const sidecar = selectSidecar(snapshot, proxy, diags);
  if (!sidecar) return defaultScope(visible, meshVs, mesh);
  const spec = sidecar.spec as SidecarSpec;
  const inputs: Inputs = { sidecar, proxyNamespace: proxy.namespace, visible, meshVs, diags };
  const egress = spec.egress ?? [];
  const listeners = egress.length > 0
    ? egress.map((l, i) => buildListener(inputs, l, `spec.egress[${i}]`))
    : [buildListener(inputs, undefined, undefined)];
  const imported = new Set(listeners.flatMap((l) => l.virtualServices));
  return {
    sidecar,
    services: unionServices(inputs, listeners, snapshot.options.domain),
    virtualServices: meshVs.filter((vs) => imported.has(vs)),
    ...outboundOf(spec, mesh),
    ingress: spec.ingress ?? [],
    egress,
    egressListeners: listeners,
  };
}
