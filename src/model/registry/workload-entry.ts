/** WorkloadEntry (standalone, or inline in a ServiceEntry) → endpoint attributes. */
import type { ConfigObject } from '../config.js';
import type { WorkloadEntrySpec } from '../types/workload.js';
import type { DiagnosticSink } from './diagnostics.js';
import { asRecord, asString, asStringMap, isIP, isPortNumber } from './read.js';
import type { MeshEndpoint, MeshServicePort, TlsMode } from './types.js';
import { LABEL_TLS_MODE, networkFor, NO_LOCALITY, parseLocality, type WorkloadContext } from './workload.js';

/** The tlsMode label if present; otherwise istio when a service account is declared. */
export function workloadEntryTlsMode(labels: Readonly<Record<string, string>>, serviceAccount: string | undefined): TlsMode {
  const label = labels[LABEL_TLS_MODE];
  if (label !== undefined) return label === 'istio' ? 'istio' : 'disabled';
  return serviceAccount ? 'istio' : 'disabled';
}

export interface WorkloadEntrySource {
  /** The object to blame in diagnostics and its path to the entry (`spec` or `spec.endpoints[2]`). */
  readonly owner: ConfigObject<unknown>;
  readonly path: string;
  readonly spec: WorkloadEntrySpec;
  readonly namespace: string;
  /** WorkloadEntry name; absent for ServiceEntry inline endpoints. */
  readonly name?: string;
}

/** `dnsAllowed`: DNS-resolved ServiceEntries may name hosts; everything else needs an IP (or unix://). */
export function checkAddress(src: WorkloadEntrySource, dnsAllowed: boolean, diags: DiagnosticSink): string | undefined {
  const address = asString(asRecord(src.spec).address);
  if (!address) {
    diags.add(src.owner, `${src.path}.address`, 'address is required; entry skipped');
    return undefined;
  }
  if (isIP(address) || address.startsWith('unix://')) return address;
  if (dnsAllowed && /^[a-zA-Z0-9]([-a-zA-Z0-9.]*[a-zA-Z0-9])?$/.test(address)) return address;
  diags.add(src.owner, `${src.path}.address`, `address ${JSON.stringify(address)} is not an IP address${dnsAllowed ? ' or hostname' : ''}; entry skipped`);
  return undefined;
}

/** The entry's port for a service port: its ports map by name, else the given default. */
export function entryPort(spec: WorkloadEntrySpec, sp: MeshServicePort, fallback: number | undefined): number | undefined {
  const mapped = asRecord(asRecord(spec).ports)[sp.name];
  return isPortNumber(mapped) ? mapped : fallback;
}

export function entryAttributes(src: WorkloadEntrySource, ctx: WorkloadContext) {
  const spec = asRecord(src.spec);
  const labels = asStringMap(spec.labels);
  const serviceAccount = asString(spec.serviceAccount) || undefined;
  const locality = asString(spec.locality);
  const network = asString(spec.network);
  const weight = typeof spec.weight === 'number' && spec.weight > 0 ? spec.weight : undefined;
  return {
    labels,
    locality: locality ? parseLocality(locality, '/') : NO_LOCALITY,
    namespace: src.namespace,
    network: network || networkFor(labels, src.namespace, ctx, asString(spec.address)),
    tlsMode: workloadEntryTlsMode(labels, serviceAccount),
    clusterID: ctx.clusterID,
    health: 'HEALTHY' as const,
    workloadKind: (src.name ? 'WorkloadEntry' : 'ServiceEntry') as 'WorkloadEntry' | 'ServiceEntry',
    ...(src.name ? { workloadName: src.name } : {}),
    ...(serviceAccount ? { serviceAccount } : {}),
    ...(weight ? { weight } : {}),
  };
}

export function entryEndpoints(src: WorkloadEntrySource, ports: readonly MeshServicePort[], dnsAllowed: boolean, fallback: (sp: MeshServicePort) => number | undefined, ctx: WorkloadContext, diags: DiagnosticSink): MeshEndpoint[] {
  const address = checkAddress(src, dnsAllowed, diags);
  if (!address) return [];
  const attrs = entryAttributes(src, ctx);
  const out: MeshEndpoint[] = [];
  for (const sp of ports) {
    const port = entryPort(src.spec, sp, fallback(sp));
    if (port !== undefined) out.push({ ...attrs, address, port, servicePortName: sp.name });
  }
  return out;
}

export function workloadEntrySource(we: ConfigObject<WorkloadEntrySpec>): WorkloadEntrySource {
  return { owner: we, path: 'spec', spec: we.spec, namespace: we.metadata.namespace, name: we.metadata.name };
}

export function workloadEntryLabels(we: ConfigObject<WorkloadEntrySpec>): Record<string, string> {
  return asStringMap(asRecord(we.spec).labels);
}
