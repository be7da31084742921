/**
 * istio.v1.auth.IstioCertificateService, loaded with protobufjs from this package's own
 * proto/istio/v1/auth/ca.proto (the package root holds proto/; this module runs from
 * dist/src/serve/, so the path is resolved relative to it, never to the working directory).
 */
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import type * as grpc from '@grpc/grpc-js';
import protobuf from 'protobufjs';
import type { DecodeFailure } from './service-definition.js';

export const CA_SERVICE = 'istio.v1.auth.IstioCertificateService';
export const CREATE_CERTIFICATE_PATH = `/${CA_SERVICE}/CreateCertificate`;

/** The decoded request; int64 arrives as a JS number (exact up to 2^53, ample for seconds). */
export interface IstioCertificateRequest {
  readonly csr: string;
  readonly validity_duration: number;
  readonly metadata?: Readonly<Record<string, unknown>>;
}

export interface IstioCertificateResponse {
  readonly cert_chain: readonly string[];
}

/** proto/ at the package root: dist/src/serve/ → ../../../proto. */
export function protoDir(): string {
  return fileURLToPath(new URL('../../../proto', import.meta.url));
}

let cachedRoot: protobuf.Root | undefined;

function caRoot(): protobuf.Root {
  if (!cachedRoot) {
    const root = new protobuf.Root();
    // google/protobuf/struct.proto is answered by protobufjs's bundled definitions.
    root.resolvePath = (_origin, target) => (target.startsWith('google/protobuf/') ? target : join(protoDir(), target));
    root.loadSync('istio/v1/auth/ca.proto', { keepCase: true });
    root.resolveAll();
    cachedRoot = root;
  }
  return cachedRoot;
}

function decodeRequest(bytes: Buffer): IstioCertificateRequest | DecodeFailure {
  const type = caRoot().lookupType('istio.v1.auth.IstioCertificateRequest');
  try {
    const message = type.toObject(type.decode(bytes), { longs: Number, defaults: true, objects: false });
    return { csr: String(message.csr ?? ''), validity_duration: Number(message.validity_duration ?? 0), metadata: message.metadata as Record<string, unknown> | undefined };
  } catch (error) {
    return { decodeFailure: error instanceof Error ? error.message : String(error) };
  }
}

function encodeResponse(response: IstioCertificateResponse): Buffer {
  const type = caRoot().lookupType('istio.v1.auth.IstioCertificateResponse');
  return Buffer.from(type.encode(type.fromObject({ cert_chain: [...response.cert_chain] })).finish());
}

function encodeRequest(request: IstioCertificateRequest): Buffer {
  const type = caRoot().lookupType('istio.v1.auth.IstioCertificateRequest');
  return Buffer.from(type.encode(type.fromObject({ csr: request.csr, validity_duration: request.validity_duration })).finish());
}

function decodeResponse(bytes: Buffer): IstioCertificateResponse {
  const type = caRoot().lookupType('istio.v1.auth.IstioCertificateResponse');
  const message = type.toObject(type.decode(bytes), { arrays: true });
  return { cert_chain: (message.cert_chain as string[] | undefined) ?? [] };
}

/** The grpc-js service definition; the client half is what `istiod-ts agent` and tests use. */
export function caServiceDefinition(): grpc.ServiceDefinition {
  const createCertificate: grpc.MethodDefinition<IstioCertificateRequest | DecodeFailure, IstioCertificateResponse> = {
    path: CREATE_CERTIFICATE_PATH,
    requestStream: false,
    responseStream: false,
    requestSerialize: (request) => encodeRequest(request as IstioCertificateRequest),
    requestDeserialize: decodeRequest,
    responseSerialize: encodeResponse,
    responseDeserialize: decodeResponse,
  };
  return { CreateCertificate: createCertificate };
}

/** Loads the proto now, so a missing proto/ fails at startup rather than on the first CSR. */
export function loadCaProto(): void {
  caRoot();
}
