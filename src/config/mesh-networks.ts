/**
 * MeshNetworks (Istio's meshconfig.MeshNetworks): which network each cluster's endpoints are
 * on and how other networks reach them. Read from `--meshNetworks FILE` or key `meshNetworks`
 * of ConfigMap `istio`, in Istio's format:
 *
 *   networks:
 *     network1:
 *       endpoints: [{ fromRegistry: cluster1 }, { fromCidr: 10.10.0.0/16 }]
 *       gateways: [{ address: 192.0.2.10, port: 15443 }, { registryServiceName: istio-eastwestgateway.istio-system.svc.cluster.local, port: 15443 }]
 *
 * Validated as Istio does (one of fromCidr/fromRegistry per endpoint entry, one of
 * registryServiceName/address per gateway, a port 1-65535); errors name the field path.
 */
import { isIP } from 'node:net';
import { parseDocument } from 'yaml';
import { invalid, issue, required, type ValidationIssue } from '../lib/issue.js';
import { fail, ok, type Result } from '../lib/result.js';

export interface NetworkEndpoints {
  readonly fromCidr?: string;
  readonly fromRegistry?: string;
}

export interface NetworkGatewaySpec {
  /** FQDN of a Service in the registries of this network (its load balancer addresses). */
  readonly registryServiceName?: string;
  /** A fixed IP (or DNS name) of the gateway. */
  readonly address?: string;
  readonly port: number;
  readonly locality?: string;
}

export interface MeshNetwork {
  readonly endpoints: readonly NetworkEndpoints[];
  readonly gateways: readonly NetworkGatewaySpec[];
}

export interface MeshNetworks {
  readonly networks: Readonly<Record<string, MeshNetwork>>;
}

export const EMPTY_MESH_NETWORKS: MeshNetworks = Object.freeze({ networks: Object.freeze({}) });

/** ConfigMap `istio` key holding the MeshNetworks YAML (istiod's meshNetworks file name too). */
export const MESH_NETWORKS_KEY = 'meshNetworks';
const MAX_BYTES = 1024 * 1024;
const REGISTRY_NAME = /^[A-Za-z0-9]([-._A-Za-z0-9]{0,251}[A-Za-z0-9])?$/;
const FQDN = /^(?=.{1,253}$)[A-Za-z0-9*]([-A-Za-z0-9]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([-A-Za-z0-9]{0,61}[A-Za-z0-9])?)*$/;

type Data = Record<string, unknown>;
const isRecord = (v: unknown): v is Data => typeof v === 'object' && v !== null && !Array.isArray(v);

function unknownFields(value: Data, allowed: readonly string[], path: string, issues: ValidationIssue[]): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) issues.push(issue(`${path}.${key}`, 'Forbidden', `unknown field; allowed: ${allowed.join(', ')}`));
  }
}

export function isCidr(value: string): boolean {
  const [ip = '', bits, ...rest] = value.split('/');
  const family = isIP(ip);
  if (family === 0 || bits === undefined || rest.length > 0 || !/^\d{1,3}$/.test(bits)) return false;
  return Number(bits) <= (family === 4 ? 32 : 128);
}

function oneOf(value: Data, a: string, b: string, path: string, issues: ValidationIssue[]): string | undefined {
  const set = [a, b].filter((k) => value[k] !== undefined && value[k] !== '');
  if (set.length === 1) return set[0];
  issues.push(set.length === 0 ? required(path, `one of ${a} or ${b} is required`) : issue(path, 'Forbidden', `only one of ${a} or ${b} may be set`));
  return undefined;
}

function decodeEndpoint(raw: unknown, path: string, issues: ValidationIssue[]): NetworkEndpoints | undefined {
  if (!isRecord(raw)) return void issues.push(invalid(path, raw, 'must be an object with fromCidr or fromRegistry'));
  unknownFields(raw, ['fromCidr', 'fromRegistry'], path, issues);
  const which = oneOf(raw, 'fromCidr', 'fromRegistry', path, issues);
  if (!which) return undefined;
  const value = raw[which];
  if (which === 'fromCidr' && (typeof value !== 'string' || !isCidr(value))) return void issues.push(invalid(`${path}.fromCidr`, value, 'must be a CIDR such as 10.0.0.0/16'));
  if (which === 'fromRegistry' && (typeof value !== 'string' || !REGISTRY_NAME.test(value))) return void issues.push(invalid(`${path}.fromRegistry`, value, 'must be a cluster ID (letters, digits, -, ., _)'));
  return { [which]: value as string };
}

function decodeGateway(raw: unknown, path: string, issues: ValidationIssue[]): NetworkGatewaySpec | undefined {
  if (!isRecord(raw)) return void issues.push(invalid(path, raw, 'must be an object with registryServiceName or address, and port'));
  unknownFields(raw, ['registryServiceName', 'address', 'port', 'locality'], path, issues);
  const before = issues.length;
  const which = oneOf(raw, 'registryServiceName', 'address', path, issues);
  const value = which ? raw[which] : undefined;
  if (which === 'registryServiceName' && (typeof value !== 'string' || !FQDN.test(value))) issues.push(invalid(`${path}.registryServiceName`, value, 'must be a service FQDN such as istio-eastwestgateway.istio-system.svc.cluster.local'));
  if (which === 'address' && (typeof value !== 'string' || (isIP(value) === 0 && !FQDN.test(value)))) issues.push(invalid(`${path}.address`, value, 'must be an IP address or a DNS name'));
  const port = raw.port;
  if (port === undefined) issues.push(required(`${path}.port`, 'the gateway port is required'));
  else if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) issues.push(invalid(`${path}.port`, port, 'must be a port number 1-65535'));
  if (raw.locality !== undefined && typeof raw.locality !== 'string') issues.push(invalid(`${path}.locality`, raw.locality, 'must be a string region/zone/subzone'));
  if (issues.length > before || !which) return undefined;
  return { [which]: value as string, port: port as number, ...(typeof raw.locality === 'string' ? { locality: raw.locality } : {}) } as NetworkGatewaySpec;
}

function decodeList<T>(raw: unknown, path: string, issues: ValidationIssue[], item: (v: unknown, p: string, i: ValidationIssue[]) => T | undefined): T[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) {
    issues.push(invalid(path, raw, 'must be a list'));
    return [];
  }
  return raw.flatMap((v, i) => item(v, `${path}[${i}]`, issues) ?? []);
}

/** Already-parsed data → MeshNetworks, or every problem with its field path. Never throws. */
export function buildMeshNetworks(raw: unknown): Result<MeshNetworks, ValidationIssue> {
  if (raw === undefined || raw === null) return ok(EMPTY_MESH_NETWORKS);
  if (!isRecord(raw)) return fail(invalid('<document>', raw, 'MeshNetworks must be a mapping with a `networks` field'));
  const issues: ValidationIssue[] = [];
  unknownFields(raw, ['networks'], '', issues);
  const networks: Record<string, MeshNetwork> = {};
  if (raw.networks !== undefined && raw.networks !== null && !isRecord(raw.networks)) issues.push(invalid('networks', raw.networks, 'must be a map of network name to network'));
  for (const [name, value] of Object.entries(isRecord(raw.networks) ? raw.networks : {})) {
    const path = `networks.${name}`;
    if (!REGISTRY_NAME.test(name)) issues.push(invalid(path, name, 'a network name must be letters, digits, -, . or _'));
    if (!isRecord(value)) {
      issues.push(invalid(path, value, 'must be an object with endpoints and gateways'));
      continue;
    }
    unknownFields(value, ['endpoints', 'gateways'], path, issues);
    networks[name] = { endpoints: decodeList(value.endpoints, `${path}.endpoints`, issues, decodeEndpoint), gateways: decodeList(value.gateways, `${path}.gateways`, issues, decodeGateway) };
  }
  const fixed = issues.map((i) => (i.path.startsWith('.') ? { ...i, path: i.path.slice(1) } : i));
  return fixed.length > 0 ? fail(...fixed) : ok(deepFreeze({ networks }));
}

/** YAML (or JSON) text → MeshNetworks; empty text = no networks. */
export function parseMeshNetworks(text: string, source: string): Result<MeshNetworks, ValidationIssue> {
  if (text.length > MAX_BYTES) return fail(issue('<document>', 'Too long', `${source}: MeshNetworks is larger than ${MAX_BYTES} bytes`));
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false });
  const error = doc.errors[0];
  if (error) return fail(invalid('<document>', undefined, `${source}: MeshNetworks is not valid YAML: ${error.message}`));
  try {
    return buildMeshNetworks(doc.toJS({ maxAliasCount: 100 }));
  } catch (err) {
    return fail(invalid('<document>', undefined, `${source}: MeshNetworks YAML cannot be expanded: ${(err as Error).message}`));
  }
}

/** Key `meshNetworks` of a ConfigMap (raw object); absent key = no networks. */
export function meshNetworksFromConfigMap(configMap: unknown, source: string): Result<MeshNetworks, ValidationIssue> {
  const data = isRecord(configMap) && isRecord(configMap.data) ? configMap.data : {};
  const text = data[MESH_NETWORKS_KEY];
  if (text === undefined || text === null) return ok(EMPTY_MESH_NETWORKS);
  if (typeof text !== 'string') return fail(invalid(`data.${MESH_NETWORKS_KEY}`, text, 'must be a string holding the MeshNetworks YAML'));
  return parseMeshNetworks(text, source);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value as Data)) deepFreeze(child);
  }
  return value;
}
