/**
 * The agent's side of istio.v1.auth.IstioCertificateService/CreateCertificate: a TLS channel to
 * CA_ADDR that trusts only the configured roots, the token as `authorization: Bearer`, and a
 * deadline on every call. The roots are re-read by the caller; a change rebuilds the channel.
 */
import * as grpc from '@grpc/grpc-js';
import { caServiceDefinition, type IstioCertificateRequest, type IstioCertificateResponse } from '../serve/ca-proto.js';

export interface CaClientOptions {
  readonly address: string;
  /** PEM roots that verify the CA's serving certificate. */
  readonly rootsPem: string;
  /** Verify (and send as SNI) this name instead of the address's host. */
  readonly serverName?: string;
  readonly deadlineMs?: number;
}

export type CertificateResult =
  | { readonly ok: true; readonly chain: readonly string[] }
  | { readonly ok: false; readonly code: string; readonly details: string };

export interface CaClient {
  createCertificate(csrPem: string, ttlSeconds: number, token: string): Promise<CertificateResult>;
  close(): void;
}

type CreateCertificateFn = (
  request: IstioCertificateRequest,
  metadata: grpc.Metadata,
  options: grpc.CallOptions,
  callback: (error: grpc.ServiceError | null, response?: IstioCertificateResponse) => void,
) => void;

const DEFAULT_DEADLINE_MS = 30_000;

export function createCaClient(opts: CaClientOptions): CaClient {
  const Client = grpc.makeGenericClientConstructor(caServiceDefinition(), 'IstioCertificateService');
  const channelOptions: grpc.ChannelOptions = opts.serverName ? { 'grpc.ssl_target_name_override': opts.serverName, 'grpc.default_authority': opts.serverName } : {};
  const client = new Client(opts.address, grpc.credentials.createSsl(Buffer.from(opts.rootsPem)), channelOptions);
  const call = (client as unknown as { CreateCertificate: CreateCertificateFn }).CreateCertificate.bind(client);
  return {
    createCertificate(csrPem, ttlSeconds, token) {
      const metadata = new grpc.Metadata();
      metadata.set('authorization', `Bearer ${token}`);
      const deadline = new Date(Date.now() + (opts.deadlineMs ?? DEFAULT_DEADLINE_MS));
      return new Promise((resolve) => {
        call({ csr: csrPem, validity_duration: ttlSeconds }, metadata, { deadline }, (error, response) => {
          if (error) resolve({ ok: false, code: grpc.status[error.code] ?? String(error.code), details: error.details });
          else resolve({ ok: true, chain: response?.cert_chain ?? [] });
        });
      });
    },
    close: () => client.close(),
  };
}
