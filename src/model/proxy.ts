/**
 * The proxy behind an xDS stream, parsed from its Envoy `node`: the id
 * `<type>~<ip>~<pod>.<namespace>~<namespace>.svc.<domain>` and the metadata istio-agent (or a
 * proxyless gRPC bootstrap) sends. Everything here is untrusted network input: every field is
 * type-checked and size-limited, and a bad node is an error value naming the field, never a throw.
 */
import { isIP } from 'node:net';
import { fail, ok, type Result } from '../lib/result.js';
import type { Locality } from './registry/types.js';

export type ProxyType = 'sidecar' | 'router';
const PROXY_TYPES: readonly ProxyType[] = ['sidecar', 'router'];

export interface ProxyMetadata {
  readonly namespace?: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly clusterId?: string;
  readonly generator?: string;
  readonly istioVersion?: string;
  readonly serviceAccount?: string;
  readonly instanceIps: readonly string[];
  readonly workloadName?: string;
  readonly interceptionMode?: string;
  readonly meshId?: string;
  readonly network?: string;
  readonly podName?: string;
  readonly owner?: string;
  /** Every metadata key as sent (after the checks), for debug views. */
  readonly raw: Readonly<Record<string, unknown>>;
}

export interface Proxy {
  /** The full node id. */
  readonly nodeId: string;
  /** `<pod>.<namespace>`, the id Istio's debug endpoints use (`?proxyID=`). */
  readonly id: string;
  readonly type: ProxyType;
  readonly ipAddresses: readonly string[];
  /** The proxy's config namespace: metadata NAMESPACE, else the first label of dnsDomain. */
  readonly namespace: string;
  /** `<namespace>.svc.<domain>`. */
  readonly dnsDomain: string;
  readonly metadata: ProxyMetadata;
  readonly locality?: Locality;
  /** The client software, e.g. `envoy` or `gRPC Node` with its version. */
  readonly userAgent?: string;
}

/** The parts of an Envoy `node` this module reads (Struct already converted to plain JSON). */
export interface NodeInput {
  readonly id?: unknown;
  readonly metadata?: unknown;
  readonly locality?: unknown;
  readonly user_agent_name?: unknown;
  readonly user_agent_version?: unknown;
}

export const PROXY_LIMITS = Object.freeze({
  nodeIdChars: 1024,
  metadataStringChars: 64 * 1024,
  mapEntries: 1024,
  instanceIps: 64,
});

type Fields = Record<string, unknown>;

const STRING_KEYS: Readonly<Record<string, keyof ProxyMetadata>> = {
  NAMESPACE: 'namespace',
  CLUSTER_ID: 'clusterId',
  GENERATOR: 'generator',
  ISTIO_VERSION: 'istioVersion',
  SERVICE_ACCOUNT: 'serviceAccount',
  WORKLOAD_NAME: 'workloadName',
  INTERCEPTION_MODE: 'interceptionMode',
  MESH_ID: 'meshId',
  NETWORK: 'network',
  NAME: 'podName',
  OWNER: 'owner',
};

function isPlainObject(v: unknown): v is Fields {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkString(value: unknown, field: string, errors: string[]): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') {
    errors.push(`node.metadata.${field}: must be a string, got ${describe(value)}`);
    return undefined;
  }
  if (value.length > PROXY_LIMITS.metadataStringChars) {
    errors.push(`node.metadata.${field}: longer than ${PROXY_LIMITS.metadataStringChars} characters`);
    return undefined;
  }
  return value;
}

function checkStringMap(value: unknown, field: string, errors: string[]): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (!isPlainObject(value)) {
    errors.push(`node.metadata.${field}: must be a map of strings, got ${describe(value)}`);
    return {};
  }
  const entries = Object.entries(value);
  if (entries.length > PROXY_LIMITS.mapEntries) {
    errors.push(`node.metadata.${field}: more than ${PROXY_LIMITS.mapEntries} entries`);
    return {};
  }
  const out: Record<string, string> = {};
  for (const [k, v] of entries) {
    const s = checkString(v, `${field}[${JSON.stringify(k.slice(0, 64))}]`, errors);
    if (s !== undefined) out[k] = s;
  }
  return out;
}

/** INSTANCE_IPS is a comma-separated string, as istio-agent sends it. */
function checkInstanceIps(value: unknown, errors: string[]): string[] {
  const text = checkString(value, 'INSTANCE_IPS', errors);
  if (!text) return [];
  const ips = text.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (ips.length > PROXY_LIMITS.instanceIps) errors.push(`node.metadata.INSTANCE_IPS: more than ${PROXY_LIMITS.instanceIps} addresses`);
  const bad = ips.filter((ip) => isIP(ip) === 0);
  if (bad.length > 0) errors.push(`node.metadata.INSTANCE_IPS: not an IP address: ${JSON.stringify(bad[0]!.slice(0, 64))}`);
  return ips;
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  return typeof value === 'object' ? 'a map' : `${typeof value} ${JSON.stringify(value).slice(0, 40)}`;
}

function parseMetadata(raw: unknown, errors: string[]): ProxyMetadata {
  if (raw !== undefined && raw !== null && !isPlainObject(raw)) errors.push(`node.metadata: must be a map, got ${describe(raw)}`);
  const fields: Fields = isPlainObject(raw) ? raw : {};
  const scalars: Record<string, string | undefined> = {};
  for (const [key, prop] of Object.entries(STRING_KEYS)) scalars[prop] = checkString(fields[key], key, errors);
  return {
    ...(scalars as Partial<ProxyMetadata>),
    labels: checkStringMap(fields.LABELS, 'LABELS', errors),
    annotations: checkStringMap(fields.ANNOTATIONS, 'ANNOTATIONS', errors),
    instanceIps: checkInstanceIps(fields.INSTANCE_IPS, errors),
    raw: fields,
  };
}

function parseLocality(raw: unknown, errors: string[]): Locality | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!isPlainObject(raw)) {
    errors.push(`node.locality: must be a message, got ${describe(raw)}`);
    return undefined;
  }
  const part = (key: string) => {
    const v = raw[key];
    if (v === undefined || v === null) return '';
    if (typeof v !== 'string' || v.length > 1024) {
      errors.push(`node.locality.${key}: must be a string of at most 1024 characters`);
      return '';
    }
    return v;
  };
  return { region: part('region'), zone: part('zone'), subzone: part('sub_zone') };
}

interface IdParts { type: ProxyType; ip: string; id: string; dnsDomain: string }

function parseNodeId(raw: unknown): Result<IdParts, string> {
  if (typeof raw !== 'string' || raw === '') return fail('node.id: missing; expected <type>~<ip>~<pod>.<namespace>~<namespace>.svc.<domain>');
  if (raw.length > PROXY_LIMITS.nodeIdChars) return fail(`node.id: longer than ${PROXY_LIMITS.nodeIdChars} characters`);
  const parts = raw.split('~');
  if (parts.length !== 4) return fail(`node.id ${JSON.stringify(raw)}: has ${parts.length} parts separated by '~', expected 4: <type>~<ip>~<pod>.<namespace>~<namespace>.svc.<domain>`);
  const [type, ip, id, dnsDomain] = parts as [string, string, string, string];
  if (!(PROXY_TYPES as readonly string[]).includes(type)) return fail(`node.id ${JSON.stringify(raw)}: invalid node type ${JSON.stringify(type)}; valid types: ${PROXY_TYPES.join(', ')}`);
  if (id === '') return fail(`node.id ${JSON.stringify(raw)}: the third part (<pod>.<namespace>) is empty`);
  return ok({ type: type as ProxyType, ip, id, dnsDomain });
}

/** The config namespace: metadata NAMESPACE, else `<ns>` from `<ns>.svc.<domain>`, else from `<pod>.<ns>`. */
function configNamespace(meta: ProxyMetadata, parts: IdParts): string {
  if (meta.namespace) return meta.namespace;
  const fromDomain = parts.dnsDomain.split('.')[0];
  if (fromDomain) return fromDomain;
  const dot = parts.id.lastIndexOf('.');
  return dot >= 0 ? parts.id.slice(dot + 1) : '';
}

function userAgent(node: NodeInput): string | undefined {
  const name = typeof node.user_agent_name === 'string' ? node.user_agent_name.slice(0, 128) : '';
  const version = typeof node.user_agent_version === 'string' ? node.user_agent_version.slice(0, 128) : '';
  return name ? `${name}${version ? ` ${version}` : ''}` : undefined;
}

/** Parses and checks a node. Errors are complete sentences naming the field, fit for a gRPC status. */
export function parseProxy(node: NodeInput | undefined): Result<Proxy, string> {
  if (!node) return fail('node: missing from the first request on the stream');
  const idParts = parseNodeId(node.id);
  if (!idParts.ok) return idParts;
  const errors: string[] = [];
  const metadata = parseMetadata(node.metadata, errors);
  const locality = parseLocality(node.locality, errors);
  const parts = idParts.value;
  const ipAddresses = metadata.instanceIps.length > 0 ? metadata.instanceIps : isIP(parts.ip) !== 0 ? [parts.ip] : [];
  if (errors.length === 0 && ipAddresses.length === 0) errors.push(`node.id ${JSON.stringify(node.id)}: no valid IP address in the node id or in metadata INSTANCE_IPS`);
  if (errors.length > 0) return fail(...errors);
  const namespace = configNamespace(metadata, parts);
  if (namespace === '') return fail(`node.id ${JSON.stringify(node.id)}: cannot tell the proxy's namespace (no metadata NAMESPACE and no <namespace>.svc.<domain>)`);
  return ok(Object.freeze({
    nodeId: node.id as string,
    id: parts.id,
    type: parts.type,
    ipAddresses: Object.freeze(ipAddresses),
    namespace,
    dnsDomain: parts.dnsDomain,
    metadata: Object.freeze(metadata),
    ...(locality ? { locality } : {}),
    ...(userAgent(node) ? { userAgent: userAgent(node) } : {}),
  }));
}
