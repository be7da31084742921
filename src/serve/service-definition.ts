/**
 * The hand-written grpc-js service definition of envoy.service.discovery.v3.
 * AggregatedDiscoveryService. Requests are decoded with protobufjs (snake_case fields, node
 * metadata Struct as plain JSON); a request that does not decode becomes a DecodeFailure value
 * so the stream can be ended with INVALID_ARGUMENT instead of grpc-js's generic INTERNAL.
 * Responses arrive already encoded (see response-encoding.ts) and pass through untouched.
 */
import type * as grpc from '@grpc/grpc-js';
import type { NodeInput } from '../model/proxy.js';
import { messageType } from './proto/envoy-root.js';

export const ADS_SERVICE = 'envoy.service.discovery.v3.AggregatedDiscoveryService';

export interface ErrorDetail {
  readonly code?: number;
  readonly message?: string;
}

export interface SotwRequest {
  readonly version_info?: string;
  readonly node?: NodeInput;
  readonly resource_names: readonly string[];
  readonly type_url?: string;
  readonly response_nonce?: string;
  readonly error_detail?: ErrorDetail;
}

export interface DeltaRequest {
  readonly node?: NodeInput;
  readonly type_url?: string;
  readonly resource_names_subscribe: readonly string[];
  readonly resource_names_unsubscribe: readonly string[];
  readonly initial_resource_versions: Readonly<Record<string, string>>;
  readonly response_nonce?: string;
  readonly error_detail?: ErrorDetail;
}

export interface DecodeFailure {
  readonly decodeFailure: string;
}

export function isDecodeFailure(value: unknown): value is DecodeFailure {
  return typeof value === 'object' && value !== null && 'decodeFailure' in value;
}

function deserializer<T>(typeName: string): (bytes: Buffer) => T | DecodeFailure {
  const type = messageType(typeName);
  return (bytes) => {
    try {
      return type.toObject(type.decode(bytes), { arrays: true, objects: true, longs: String, enums: String }) as T;
    } catch (error) {
      return { decodeFailure: error instanceof Error ? error.message : String(error) };
    }
  };
}

const passThrough = (bytes: Buffer): Buffer => bytes;

function bidi<T>(method: string, requestType: string): grpc.MethodDefinition<T | DecodeFailure, Buffer> {
  return {
    path: `/${ADS_SERVICE}/${method}`,
    requestStream: true,
    responseStream: true,
    requestSerialize: () => {
      throw new Error('the ADS server never serializes requests');
    },
    requestDeserialize: deserializer<T>(requestType),
    responseSerialize: passThrough,
    responseDeserialize: passThrough,
  };
}

export function adsServiceDefinition(): grpc.ServiceDefinition {
  return {
    StreamAggregatedResources: bidi<SotwRequest>('StreamAggregatedResources', 'envoy.service.discovery.v3.DiscoveryRequest'),
    DeltaAggregatedResources: bidi<DeltaRequest>('DeltaAggregatedResources', 'envoy.service.discovery.v3.DeltaDiscoveryRequest'),
  };
}
