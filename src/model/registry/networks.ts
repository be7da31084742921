/**
 * Which network an endpoint is on, and the gateways that reach each network, as Istio decides:
 * - an endpoint's network: its pod/WorkloadEntry label topology.istio.io/network (or, as the
 *   injector would copy it, its namespace's label), else the label on the cluster's system
 *   namespace (istio-system), else MeshNetworks: a network whose endpoints say
 *   `fromRegistry: <this cluster>`, else the most specific `fromCidr` holding the IP;
 * - gateways: Services labelled topology.istio.io/network (the east-west gateway; port from
 *   label networking.istio.io/gatewayPort, default 15443) at their load balancer / external IPs,
 *   plus MeshNetworks gateways (`address`, or `registryServiceName` looked up in the clusters
 *   the network names with fromRegistry).
 * Gateways with a DNS name instead of an IP are skipped with a diagnostic (no DNS here).
 */
import { isIP } from 'node:net';
import type { MeshNetworks } from '../../config/mesh-networks.js';
import type { ConfigObject } from '../config.js';
import type { ServiceObject } from '../types/core.js';
import type { DiagnosticSink } from './diagnostics.js';
import { asArray, asRecord, asString } from './read.js';
import type { NetworkGateway } from './types.js';
import { LABEL_NETWORK } from './workload.js';

export const LABEL_GATEWAY_PORT = 'networking.istio.io/gatewayPort';
export const DEFAULT_GATEWAY_PORT = 15443;

interface Cidr {
  readonly network: string;
  readonly bits: number;
  readonly family: 4 | 6;
  readonly base: bigint;
}

function ipToBigInt(ip: string): { family: 4 | 6; value: bigint } | undefined {
  const family = isIP(ip);
  if (family === 4) return { family, value: ip.split('.').reduce((n, part) => (n << 8n) | BigInt(Number(part)), 0n) };
  if (family !== 6) return undefined;
  if (ip.includes('.')) return undefined; // IPv4-mapped forms: no CIDR match
  const [head = '', tail] = ip.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const parts = tail === undefined ? h : [...h, ...Array<string>(Math.max(0, 8 - h.length - t.length)).fill('0'), ...t];
  return { family, value: parts.reduce((n, p) => (n << 16n) | BigInt(parseInt(p || '0', 16)), 0n) };
}

function maskOf(family: 4 | 6, bits: number): bigint {
  const width = family === 4 ? 32 : 128;
  return bits === 0 ? 0n : ((1n << BigInt(bits)) - 1n) << BigInt(width - bits);
}

function cidrsOf(networks: MeshNetworks): Cidr[] {
  const out: Cidr[] = [];
  for (const [network, spec] of Object.entries(networks.networks)) {
    for (const ep of spec.endpoints) {
      const [ip = '', bits = ''] = (ep.fromCidr ?? '').split('/');
      const parsed = ipToBigInt(ip);
      if (!parsed) continue;
      out.push({ network, bits: Number(bits), family: parsed.family, base: parsed.value & maskOf(parsed.family, Number(bits)) });
    }
  }
  // Most specific first, then by network name: deterministic when ranges overlap.
  return out.sort((a, b) => b.bits - a.bits || (a.network < b.network ? -1 : a.network > b.network ? 1 : 0));
}

/** The network MeshNetworks gives every endpoint of `clusterID` (fromRegistry), first by name. */
export function networkFromRegistry(networks: MeshNetworks | undefined, clusterID: string): string {
  const names = Object.keys(networks?.networks ?? {}).sort();
  return names.find((n) => networks!.networks[n]!.endpoints.some((e) => e.fromRegistry === clusterID)) ?? '';
}

/**
 * The fallback network of an endpoint of `clusterID` without a network label, by IP; undefined
 * when nothing could ever apply (the common single-network case costs nothing).
 */
export function networkFallback(clusterID: string, systemNamespaceLabels: Readonly<Record<string, string>> | undefined, networks: MeshNetworks | undefined): ((ip: string | undefined) => string) | undefined {
  const fixed = systemNamespaceLabels?.[LABEL_NETWORK] || networkFromRegistry(networks, clusterID);
  if (fixed) return () => fixed;
  const cidrs = networks ? cidrsOf(networks) : [];
  if (cidrs.length === 0) return undefined;
  return (ip) => {
    const parsed = ip ? ipToBigInt(ip) : undefined;
    if (!parsed) return '';
    return cidrs.find((c) => c.family === parsed.family && (parsed.value & maskOf(c.family, c.bits)) === c.base)?.network ?? '';
  };
}

/** A LoadBalancer's ingress IPs/hostnames and spec.externalIPs: Istio's cluster external addresses. */
export function externalAddresses(svc: ConfigObject<ServiceObject>): string[] {
  const ingress = asArray(asRecord(asRecord(asRecord(svc.spec.status).loadBalancer)).ingress).map((i) => asString(asRecord(i).ip) || asString(asRecord(i).hostname) || '');
  const external = asArray(asRecord(svc.spec.spec).externalIPs).map((ip) => (typeof ip === 'string' ? ip : ''));
  return [...new Set([...ingress, ...external].filter(Boolean))];
}

function gatewayPort(svc: ConfigObject<ServiceObject>, diags: DiagnosticSink): number {
  const raw = svc.metadata.labels[LABEL_GATEWAY_PORT];
  if (raw === undefined) return DEFAULT_GATEWAY_PORT;
  const port = /^\d{1,5}$/.test(raw) ? Number(raw) : NaN;
  if (port >= 1 && port <= 65535) return port;
  diags.add(svc, `metadata.labels[${LABEL_GATEWAY_PORT}]`, `"${raw}" is not a port number; using ${DEFAULT_GATEWAY_PORT}`);
  return DEFAULT_GATEWAY_PORT;
}

function ipOnly(svc: ConfigObject<unknown>, network: string, addresses: readonly string[], diags: DiagnosticSink): string[] {
  return addresses.filter((a) => {
    if (isIP(a) !== 0) return true;
    diags.add(svc, 'status.loadBalancer.ingress', `network ${network} gateway address "${a}" is a DNS name; only IP gateways are used`);
    return false;
  });
}

export interface GatewayInputs {
  /** Each cluster's Services, by cluster ID. */
  readonly servicesByCluster: ReadonlyMap<string, readonly ConfigObject<ServiceObject>[]>;
  readonly meshNetworks?: MeshNetworks;
  readonly domain: string;
}

function registryServiceGateways(inputs: GatewayInputs, diags: DiagnosticSink): NetworkGateway[] {
  const out: NetworkGateway[] = [];
  for (const [network, spec] of Object.entries(inputs.meshNetworks?.networks ?? {})) {
    const clusters = spec.endpoints.map((e) => e.fromRegistry).filter((c): c is string => !!c);
    for (const gw of spec.gateways) {
      if (gw.address !== undefined) {
        if (isIP(gw.address) !== 0) out.push({ network, cluster: '', address: gw.address, port: gw.port });
        continue;
      }
      for (const cluster of clusters) {
        const svc = inputs.servicesByCluster.get(cluster)?.find((s) => `${s.metadata.name}.${s.metadata.namespace}.svc.${inputs.domain}` === gw.registryServiceName);
        if (svc) for (const address of ipOnly(svc, network, externalAddresses(svc), diags)) out.push({ network, cluster, address, port: gw.port });
      }
    }
  }
  return out;
}

function labelledGateways(inputs: GatewayInputs, diags: DiagnosticSink): NetworkGateway[] {
  const out: NetworkGateway[] = [];
  for (const [cluster, services] of inputs.servicesByCluster) {
    for (const svc of services) {
      const network = svc.metadata.labels[LABEL_NETWORK];
      if (!network) continue;
      const port = gatewayPort(svc, diags);
      for (const address of ipOnly(svc, network, externalAddresses(svc), diags)) out.push({ network, cluster, address, port });
    }
  }
  return out;
}

const gatewayKey = (g: NetworkGateway) => `${g.network}\u0000${g.cluster}\u0000${g.address}\u0000${String(g.port).padStart(5, '0')}`;

/** Every network gateway, each once, sorted by network, cluster, address, port. */
export function networkGateways(inputs: GatewayInputs, diags: DiagnosticSink): NetworkGateway[] {
  const byKey = new Map<string, NetworkGateway>();
  for (const g of [...labelledGateways(inputs, diags), ...registryServiceGateways(inputs, diags)]) byKey.set(gatewayKey(g), g);
  return [...byKey.keys()].sort().map((k) => byKey.get(k)!);
}
