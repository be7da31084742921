/**
 * Where a Gateway is exposed, as Istio reports it in `status.addresses` and the Programmed
 * condition: the gateway Service(s) — `<name>-<class>` (or the `gateway.istio.io/name-override`
 * annotation) when Istio would deploy it (no addresses, or a single IP address), else each
 * `Hostname` address (short names expanded in the Gateway's namespace). A Service's load
 * balancer addresses win; without them Istio reports the Service hostname (class `istio`
 * reports Hostname addresses; `networking.istio.io/address-type` overrides), never a pending
 * load balancer's. The Service is deployed by the leader (deployment.ts, unless
 * PILOT_ENABLE_GATEWAY_API_DEPLOYMENT_CONTROLLER=false); while it does not exist Programmed is
 * left as the listeners decide (Istio would say AddressNotAssigned).
 */
import type { ConfigObject } from '../config.js';
import type { ServiceObject } from '../types/core.js';
import type { GatewaySpec, GatewayStatusAddress } from './types.js';
import type { GatewayApiWorld } from './world.js';

export const NAME_OVERRIDE_ANNOTATION = 'gateway.istio.io/name-override';
export const ADDRESS_TYPE_ANNOTATION = 'networking.istio.io/address-type';

export interface GatewayAddressing {
  readonly addresses: readonly GatewayStatusAddress[];
  /** Set when spec.addresses holds addresses Istio cannot use (Accepted=False). */
  readonly unsupported?: string;
  /** Undefined when no gateway Service is known: nothing to say about addresses. */
  readonly programmed?: { readonly ok: boolean; readonly reason: string; readonly message: string };
}

interface Resolved {
  internal: string[];
  internalIPs: string[];
  external: string[];
  pending: string[];
  warnings: string[];
  found: number;
}

/** Istio deploys the Gateway itself when it has no address or one IP address (Istio's IsManaged). */
export function isManaged(spec: GatewaySpec): boolean {
  const addrs = spec.addresses ?? [];
  if (addrs.length === 0) return true;
  return addrs.length === 1 && (addrs[0]!.type === undefined || addrs[0]!.type === 'IPAddress');
}

/** The name of the Deployment and Service Istio creates for a Gateway: `<name>-<class>`, or the name-override annotation. */
export function deployedName(gatewayName: string, className: string | undefined, annotations: Readonly<Record<string, string>>): string {
  return annotations[NAME_OVERRIDE_ANNOTATION] ?? `${gatewayName}-${className ?? ''}`;
}

function serviceHosts(gateway: ConfigObject, domain: string): { hosts: string[]; skipped: string[] } {
  const spec = gateway.spec as GatewaySpec;
  const ns = gateway.metadata.namespace;
  if (isManaged(spec)) {
    const name = deployedName(gateway.metadata.name, spec.gatewayClassName, gateway.metadata.annotations);
    return { hosts: [`${name}.${ns}.svc.${domain}`], skipped: [] };
  }
  const hosts: string[] = [];
  const skipped: string[] = [];
  for (const a of spec.addresses ?? []) {
    if (a.type !== undefined && a.type !== 'Hostname') skipped.push(a.value ?? '');
    else if (a.value) hosts.push(a.value.includes('.') ? a.value : `${a.value}.${ns}.svc.${domain}`);
  }
  return { hosts, skipped };
}

function lookup(world: GatewayApiWorld, host: string, namespace: string): ServiceObject | undefined {
  const suffix = `.${namespace}.svc.${world.domain}`;
  return host.endsWith(suffix) ? world.serviceObjects.get(`${namespace}/${host.slice(0, -suffix.length)}`) : undefined;
}

function resolve(world: GatewayApiWorld, namespace: string, hosts: readonly string[], ports: readonly number[]): Resolved {
  const r: Resolved = { internal: [], internalIPs: [], external: [], pending: [], warnings: [], found: 0 };
  for (const host of hosts) {
    const svc = lookup(world, host, namespace);
    if (!svc) {
      r.warnings.push(`hostname "${host}" not found`);
      continue;
    }
    r.found++;
    const svcPorts = (svc.spec?.ports ?? []).map((p) => p.port);
    for (const port of [...new Set(ports)].sort((a, b) => a - b)) {
      if (svcPorts.includes(port)) r.internal.push(`${host}:${port}`);
      else r.warnings.push(`port ${port} not found for hostname "${host}"`);
    }
    const ingress = (svc.status?.loadBalancer?.ingress ?? []).flatMap((i) => [i.ip, i.hostname]).filter((v): v is string => !!v);
    r.external.push(...ingress, ...(svc.spec?.externalIPs ?? []));
    if (svc.spec?.type === 'LoadBalancer' && ingress.length === 0) {
      r.pending.push(host);
      r.warnings.push(`address pending for hostname "${host}"`);
    }
    const ips = svc.spec?.clusterIPs ?? (svc.spec?.clusterIP ? [svc.spec.clusterIP] : []);
    r.internalIPs.push(...ips.filter((ip) => ip && ip !== 'None'));
  }
  return r;
}

const isIp = (v: string) => /^\d{1,3}(\.\d{1,3}){3}$/.test(v) || v.includes(':');
const joinHuman = (ss: readonly string[]) => (ss.length <= 2 ? ss.join(' and ') : `${ss.slice(0, -1).join(', ')}, and ${ss[ss.length - 1]}`);

function reportable(gateway: ConfigObject, r: Resolved, hosts: readonly string[]): string[] {
  if (r.external.length > 0) return [...new Set(r.external)];
  const want = gateway.metadata.annotations[ADDRESS_TYPE_ANNOTATION] ?? 'Hostname';
  const out = want !== 'Hostname' ? [...r.internalIPs] : [];
  if (want !== 'IPAddress') out.push(...hosts.filter((h) => !r.pending.includes(h) && r.internal.some((i) => i.startsWith(`${h}:`))));
  return [...new Set(out)];
}

/** The Gateway's addresses and what they say about Programmed, given its programmed listener ports. */
export function gatewayAddressing(world: GatewayApiWorld, gateway: ConfigObject, ports: readonly number[]): GatewayAddressing {
  const { hosts, skipped } = serviceHosts(gateway, world.domain);
  const unsupported = skipped.length > 0 ? `only Hostname is supported, ignoring [${skipped.join(' ')}]` : undefined;
  const r = resolve(world, gateway.metadata.namespace, hosts, ports);
  const addresses = reportable(gateway, r, hosts).map((value): GatewayStatusAddress => ({ type: isIp(value) ? 'IPAddress' : 'Hostname', value }));
  const base = { addresses, ...(unsupported ? { unsupported } : {}) };
  if (hosts.length === 0) return { ...base, programmed: { ok: false, reason: 'UnsupportedAddress', message: 'Failed to assign to any requested addresses' } };
  if (r.found === 0) return base;
  const assigned = r.internal.length > 0 ? `assigned to service(s) ${joinHuman(r.internal)}` : '';
  if (r.warnings.length === 0) return { ...base, programmed: { ok: true, reason: 'Programmed', message: assigned ? `Resource programmed, ${assigned}` : 'Resource programmed' } };
  const why = [...r.warnings].sort().join('; ');
  const message = assigned ? `Assigned to service(s) ${joinHuman(r.internal)}, but failed to assign to all requested addresses: ${why}` : `Failed to assign to any requested addresses: ${why}`;
  return { ...base, programmed: { ok: false, reason: 'AddressNotAssigned', message } };
}
