/**
 * The benchmark mesh as a --configDir: `services` ServiceEntries (STATIC resolution, inline
 * endpoints with localities, one GRPC port) in namespace `bench`, spread over files of 100. The
 * last service, `churn`, lives alone in churn.yaml: each measured change rewrites only that small
 * file, so the file source re-parses a few lines, not the whole mesh.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const NAMESPACE = 'bench';
export const DOMAIN = 'svc.cluster.local';
export const PORT = 80;
export const CHURN_HOST = `churn.${NAMESPACE}.${DOMAIN}`;
const PER_FILE = 100;
const ZONES = ['us-east1-b', 'us-east1-c'];

export function serviceHost(i: number): string {
  return `svc-${String(i).padStart(4, '0')}.${NAMESPACE}.${DOMAIN}`;
}

/** The proxyless gRPC names for a host (grpcgen: listener and route `<host>:<port>`, cluster `outbound|<port>||<host>`). */
export function listenerName(host: string): string {
  return `${host}:${PORT}`;
}

export function clusterName(host: string): string {
  return `outbound|${PORT}||${host}`;
}

function endpointAddress(service: number, endpoint: number): string {
  return `10.${1 + (service >> 8)}.${service & 255}.${endpoint + 1}`;
}

function serviceEntryYaml(name: string, hosts: readonly string[], addresses: readonly string[]): string {
  const endpoints = addresses.map((a, k) => `    - address: ${a}\n      locality: us-east1/${ZONES[k % ZONES.length]}\n      labels: {version: v${k % 2}}`);
  return [
    'apiVersion: networking.istio.io/v1',
    'kind: ServiceEntry',
    `metadata: {name: ${name}, namespace: ${NAMESPACE}}`,
    'spec:',
    `  hosts: [${hosts.join(', ')}]`,
    '  location: MESH_INTERNAL',
    '  resolution: STATIC',
    `  ports: [{number: ${PORT}, name: grpc, protocol: GRPC}]`,
    '  endpoints:',
    ...endpoints,
  ].join('\n');
}

export interface ChurnState {
  /** Address of the churn service's first endpoint; changing it is an endpoint-only change. */
  readonly firstEndpoint: string;
  /** An extra host on the churn ServiceEntry (a new service: CDS, EDS, LDS and RDS change). */
  readonly extraHost?: string;
}

export function churnYaml(state: ChurnState): string {
  const hosts = [CHURN_HOST, ...(state.extraHost ? [state.extraHost] : [])];
  return `${serviceEntryYaml('churn', hosts, [state.firstEndpoint, '10.250.255.2'])}\n`;
}

/** The marker address for change number `n` (unique per change, never used by the static mesh). */
export function churnAddress(n: number): string {
  return `10.251.${(n >> 8) & 255}.${n & 255}`;
}

export function extraHost(n: number): string {
  return `added-${n}.${NAMESPACE}.${DOMAIN}`;
}

/** Writes the mesh (services − 1 static services plus churn.yaml) and returns the churn file path. */
export function writeMesh(dir: string, services: number, endpointsPerService: number): string {
  mkdirSync(dir, { recursive: true });
  const fixed = services - 1;
  for (let start = 0; start < fixed; start += PER_FILE) {
    const docs: string[] = [];
    for (let i = start; i < Math.min(fixed, start + PER_FILE); i++) {
      const addresses = Array.from({ length: endpointsPerService }, (_, k) => endpointAddress(i, k));
      docs.push(serviceEntryYaml(`svc-${String(i).padStart(4, '0')}`, [serviceHost(i)], addresses));
    }
    writeFileSync(join(dir, `services-${String(start / PER_FILE).padStart(3, '0')}.yaml`), `${docs.join('\n---\n')}\n`);
  }
  const churnFile = join(dir, 'churn.yaml');
  writeFileSync(churnFile, churnYaml({ firstEndpoint: churnAddress(0) }));
  return churnFile;
}
