/**
 * DiscoveryResponse / DeltaDiscoveryResponse bytes written around already-encoded resources.
 * Each resource is encoded once per snapshot (as an Any) by the resource cache; a response is
 * just field tags and lengths around those shared bytes, so nothing is re-encoded per proxy.
 * Field numbers are read from the real message types, not hard-coded.
 */
import protobuf from 'protobufjs';
import { messageType } from './proto/envoy-root.js';

const LENGTH_DELIMITED = 2;

function fieldIds(typeName: string): Record<string, number> {
  const type = messageType(typeName);
  return Object.fromEntries(type.fieldsArray.map((f) => [f.name, f.id]));
}

let ids: { any: Record<string, number>; sotw: Record<string, number>; delta: Record<string, number>; resource: Record<string, number> } | undefined;

function fields(): NonNullable<typeof ids> {
  ids ??= {
    any: fieldIds('google.protobuf.Any'),
    sotw: fieldIds('envoy.service.discovery.v3.DiscoveryResponse'),
    delta: fieldIds('envoy.service.discovery.v3.DeltaDiscoveryResponse'),
    resource: fieldIds('envoy.service.discovery.v3.Resource'),
  };
  return ids;
}

function tag(writer: protobuf.Writer, id: number | undefined): protobuf.Writer {
  if (id === undefined) throw new Error('unknown field in a discovery message');
  return writer.uint32((id << 3) | LENGTH_DELIMITED);
}

function writeString(writer: protobuf.Writer, id: number | undefined, value: string): void {
  if (value !== '') tag(writer, id).string(value);
}

/** An Any wrapping one encoded resource message. */
export function encodeAny(typeUrl: string, message: Uint8Array): Uint8Array {
  const f = fields().any;
  const writer = protobuf.Writer.create();
  writeString(writer, f.type_url, typeUrl);
  tag(writer, f.value).bytes(message);
  return writer.finish();
}

export interface SotwResponseParts {
  readonly typeUrl: string;
  readonly versionInfo: string;
  readonly nonce: string;
  /** Encoded Any messages (a frozen list is encoded once and its bytes reused). */
  readonly resources: readonly { readonly any: Uint8Array }[];
}

/** A Buffer over the same memory (Buffer.from(Uint8Array) would copy). */
function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

const resourceBlocks = new WeakMap<readonly { readonly any: Uint8Array }[], Buffer>();

/**
 * The `resources` fields of a DiscoveryResponse. Memoized per (frozen, shared) list, so proxies
 * receiving the same resources share the encoded block; protobuf fields may come in any order,
 * so the per-proxy fields (version, nonce) are simply written around it.
 */
function resourcesBlock(resources: readonly { readonly any: Uint8Array }[]): Buffer {
  const known = resourceBlocks.get(resources);
  if (known) return known;
  const f = fields().sotw;
  const writer = protobuf.Writer.create();
  for (const r of resources) tag(writer, f.resources).bytes(r.any);
  const block = asBuffer(writer.finish());
  if (Object.isFrozen(resources)) resourceBlocks.set(resources, block);
  return block;
}

export function encodeSotwResponse(parts: SotwResponseParts): Buffer {
  const f = fields().sotw;
  const writer = protobuf.Writer.create();
  writeString(writer, f.version_info, parts.versionInfo);
  writeString(writer, f.type_url, parts.typeUrl);
  writeString(writer, f.nonce, parts.nonce);
  return Buffer.concat([asBuffer(writer.finish()), resourcesBlock(parts.resources)]);
}

export interface DeltaResourcePart {
  readonly name: string;
  readonly version: string;
  /** Encoded Any message. */
  readonly any: Uint8Array;
}

export interface DeltaResponseParts {
  readonly typeUrl: string;
  readonly systemVersionInfo: string;
  readonly nonce: string;
  readonly resources: readonly DeltaResourcePart[];
  readonly removed: readonly string[];
}

function encodeDeltaResource(part: DeltaResourcePart): Uint8Array {
  const f = fields().resource;
  const writer = protobuf.Writer.create();
  writeString(writer, f.version, part.version);
  tag(writer, f.resource).bytes(part.any);
  writeString(writer, f.name, part.name);
  return writer.finish();
}

export function encodeDeltaResponse(parts: DeltaResponseParts): Buffer {
  const f = fields().delta;
  const writer = protobuf.Writer.create();
  writeString(writer, f.system_version_info, parts.systemVersionInfo);
  for (const r of parts.resources) tag(writer, f.resources).bytes(encodeDeltaResource(r));
  writeString(writer, f.type_url, parts.typeUrl);
  for (const name of parts.removed) tag(writer, f.removed_resources).string(name);
  writeString(writer, f.nonce, parts.nonce);
  return asBuffer(writer.finish());
}
