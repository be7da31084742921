/**
 * Virtual host domains for a service, as Istio generates them for sidecars. Sidecar route
 * configurations set ignore_port_in_host_matching, so no `:<port>` variants are added: the
 * FQDN, then the Kubernetes short forms (same namespace as the proxy: `name`, `name.ns.svc`,
 * `name.ns`; another namespace: `name.ns`, `name.ns.svc`; none for hosts outside
 * `*.svc.<domain>`), a `*.` copy of each for headless Kubernetes services, then the VIPs.
 */
import { isIP } from 'node:net';
import type { MeshService } from '../../../model/registry/types.js';

const bracketed = (host: string) => (isIP(host) === 6 ? `[${host}]` : host);

/** The Kubernetes short forms of `fqdn` as seen from `proxyNamespace` (Istio's alt hosts). */
export function altHosts(fqdn: string, proxyNamespace: string, domain: string): string[] {
  const suffix = `.svc.${domain}`;
  if (!fqdn.endsWith(suffix)) return [];
  const local = fqdn.slice(0, -suffix.length).split('.');
  if (local.length !== 2 || local[0] === '' || local[1] === '') return [];
  const [name, ns] = local as [string, string];
  return ns === proxyNamespace ? [name, `${name}.${ns}.svc`, `${name}.${ns}`] : [`${name}.${ns}`, `${name}.${ns}.svc`];
}

export interface ServiceDomains {
  readonly domains: string[];
  /** The short forms among `domains` (dropped when they equal another service's FQDN). */
  readonly alt: readonly string[];
}

export function serviceDomains(service: MeshService, proxyNamespace: string, domain: string): ServiceDomains {
  const alt = altHosts(service.hostname, proxyNamespace, domain);
  const names = [service.hostname, ...alt];
  const headless = service.resolution === 'Passthrough' && service.source === 'Kubernetes';
  const domains = headless ? [...names, ...names.map((n) => `*.${n}`)] : names;
  for (const vip of service.addresses) if (isIP(vip) !== 0 && vip !== '0.0.0.0') domains.push(bracketed(vip));
  return { domains, alt };
}

/** A VirtualService host that is no service (port 80 only): just itself. */
export function hostDomains(host: string): string[] {
  return [bracketed(host)];
}
