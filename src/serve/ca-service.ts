/**
 * CreateCertificate: authenticate the caller (token or client certificate, over TLS only),
 * then have the CA sign the CSR for the caller's identity — never an identity the CSR names.
 * Authentication failures are an opaque UNAUTHENTICATED; the reason goes to the log. CaError
 * codes map to gRPC status codes; anything else is an opaque INTERNAL.
 */
import * as grpc from '@grpc/grpc-js';
import type { Logger } from '../lib/logger.js';
import { silentLogger } from '../lib/logger.js';
import { CaError, type WorkloadCa } from '../security/ca/types.js';
import type { CallerAuthenticator, CallerCredentials } from '../security/authn/index.js';
import { noopCaMetrics, type CaMetrics } from './ca-metrics.js';
import { caServiceDefinition, loadCaProto, type IstioCertificateRequest, type IstioCertificateResponse } from './ca-proto.js';
import { TlsOnlyServer } from './ca-secure-server.js';
import { isDecodeFailure, type DecodeFailure } from './service-definition.js';

export interface CaServiceDeps {
  readonly ca: WorkloadCa;
  readonly authenticator: CallerAuthenticator;
  readonly metrics?: CaMetrics;
  readonly logger?: Logger;
  /** Signing requests in flight at once; more are refused with RESOURCE_EXHAUSTED (bounded memory under a CSR storm). */
  readonly maxInFlight?: number;
}

export const DEFAULT_CA_MAX_IN_FLIGHT = 4096;
const UNAUTHENTICATED_MESSAGE = 'request authenticate failure';

type Call = grpc.ServerUnaryCall<IstioCertificateRequest | DecodeFailure, IstioCertificateResponse>;
type Callback = grpc.sendUnaryData<IstioCertificateResponse>;

const STATUS_BY_CA_CODE: Record<CaError['code'], grpc.status> = {
  InvalidArgument: grpc.status.INVALID_ARGUMENT,
  Unavailable: grpc.status.UNAVAILABLE,
  Internal: grpc.status.INTERNAL,
};

/** Only the `authorization` header and the TLS-verified peer certificate; nothing else in the call grants identity. */
export function callerCredentials(call: Pick<Call, 'metadata' | 'getAuthContext'>): CallerCredentials {
  const authorization = call.metadata.get('authorization').map((v: grpc.MetadataValue) => (Buffer.isBuffer(v) ? v.toString('utf8') : v));
  const peer = call.getAuthContext().sslPeerCertificate;
  return peer?.raw ? { authorization, peerCertificateDer: peer.raw } : { authorization };
}

function looksLikeCsrPem(csr: string): boolean {
  return /-----BEGIN (NEW )?CERTIFICATE REQUEST-----[A-Za-z0-9+/=\s]+-----END (NEW )?CERTIFICATE REQUEST-----/.test(csr);
}

function failure(code: grpc.status, details: string): Partial<grpc.StatusObject> {
  return { code, details };
}

export function createCertificateHandler(deps: CaServiceDeps): grpc.handleUnaryCall<IstioCertificateRequest | DecodeFailure, IstioCertificateResponse> {
  const metrics = deps.metrics ?? noopCaMetrics;
  const logger = deps.logger ?? silentLogger;
  const maxInFlight = deps.maxInFlight ?? DEFAULT_CA_MAX_IN_FLIGHT;
  let inFlight = 0;

  const handle = async (call: Call): Promise<IstioCertificateResponse> => {
    metrics.csrReceived();
    const peer = call.getPeer();
    const auth = await deps.authenticator.authenticate(callerCredentials(call));
    if (!auth.ok) {
      metrics.authenticationFailed();
      logger.warn({ peer, reasons: auth.errors }, 'CSR caller authentication failed');
      throw failure(grpc.status.UNAUTHENTICATED, UNAUTHENTICATED_MESSAGE);
    }
    const { identity, method } = auth.value;
    const request = call.request;
    if (isDecodeFailure(request) || !looksLikeCsrPem(request.csr)) {
      metrics.csrParsingFailed();
      logger.warn({ peer, identity, reason: isDecodeFailure(request) ? request.decodeFailure : 'no PEM CERTIFICATE REQUEST block' }, 'CSR refused');
      throw failure(grpc.status.INVALID_ARGUMENT, isDecodeFailure(request) ? 'request does not decode' : 'csr is not a PEM certificate request');
    }
    try {
      const chain = await deps.ca.sign({ csrPem: request.csr, identity, requestedTtlSeconds: request.validity_duration });
      metrics.certIssued();
      logger.info({ peer, identity, method, ttlRequested: request.validity_duration }, 'certificate issued');
      return { cert_chain: chain };
    } catch (error) {
      if (error instanceof CaError) {
        metrics.signFailed(error.code);
        logger.warn({ peer, identity, code: error.code, reason: error.message }, 'CSR refused by the CA');
        throw failure(STATUS_BY_CA_CODE[error.code] ?? grpc.status.INTERNAL, error.message);
      }
      metrics.signFailed('Internal');
      logger.error({ peer, identity, err: error instanceof Error ? error.message : String(error) }, 'CSR signing failed unexpectedly');
      throw failure(grpc.status.INTERNAL, 'certificate signing failed');
    }
  };

  return (call, callback: Callback) => {
    if (inFlight >= maxInFlight) {
      callback(failure(grpc.status.RESOURCE_EXHAUSTED, 'too many certificate requests in flight'));
      return;
    }
    inFlight++;
    handle(call)
      .then((response) => callback(null, response))
      .catch((error: unknown) => {
        const known = typeof (error as Partial<grpc.StatusObject>)?.code === 'number';
        if (!known) logger.error({ err: error instanceof Error ? error.message : String(error) }, 'CreateCertificate failed unexpectedly');
        callback(known ? (error as Partial<grpc.StatusObject>) : failure(grpc.status.INTERNAL, 'certificate signing failed'));
      })
      .finally(() => inFlight--);
  };
}

/**
 * Adds IstioCertificateService to a TLS-only server. Throws for any other server: a plaintext
 * port carries no identity, so it must never serve certificates.
 */
export function registerCaService(server: grpc.Server, deps: CaServiceDeps): void {
  if (!(server instanceof TlsOnlyServer)) throw new Error('the CA service may only be registered on a TlsOnlyServer (TLS-only, e.g. :15012)');
  loadCaProto();
  server.addService(caServiceDefinition(), { CreateCertificate: createCertificateHandler(deps) });
}
