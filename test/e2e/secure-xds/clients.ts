/**
 * Real gRPC clients for the secure-port tests: one ADS stream over TLS (optionally with a client
 * certificate and/or a bearer token) that reports whether the server answered or ended the
 * stream, and CreateCertificate over TLS. The plaintext variant speaks to 15010 the same way.
 */
import * as grpc from '@grpc/grpc-js';
import { generateKeyPairSync } from 'node:crypto';
import { createCsr } from '../../../src/security/ca/index.js';
import { caServiceDefinition, type IstioCertificateResponse } from '../../../src/serve/ca-proto.js';
import { messageType } from '../../../src/serve/proto/envoy-root.js';

/** The name istiod's serving certificate carries (POD_NAMESPACE istio-system). */
export const ISTIOD_NAME = 'istiod.istio-system.svc';
const ADS = '/envoy.service.discovery.v3.AggregatedDiscoveryService';

export interface ClientCredentials {
  readonly rootPem?: string;
  /** Leaf + intermediates, and its key. */
  readonly cert?: { readonly chainPem: string; readonly keyPem: string };
  readonly token?: string;
}

/** An answered stream: `{ answered: true }`; a refused one: its final status. */
export type StreamOutcome = { answered: true; typeUrl: string } | { answered: false; code: grpc.status; details: string };

function channelCredentials(creds: ClientCredentials | 'plaintext'): grpc.ChannelCredentials {
  if (creds === 'plaintext') return grpc.credentials.createInsecure();
  return grpc.credentials.createSsl(creds.rootPem ? Buffer.from(creds.rootPem) : null, creds.cert ? Buffer.from(creds.cert.keyPem) : null, creds.cert ? Buffer.from(creds.cert.chainPem) : null);
}

function metadataWith(token: string | undefined): grpc.Metadata {
  const metadata = new grpc.Metadata();
  if (token) metadata.set('authorization', `Bearer ${token}`);
  return metadata;
}

export function sidecarNode(podNamespace: string, metadata: Record<string, string> = {}): Record<string, unknown> {
  return { id: `sidecar~10.1.0.7~app-1.${podNamespace}~${podNamespace}.svc.cluster.local`, metadata };
}

/** Opens one stream (SotW unless `delta`), sends one request for `typeUrl`, and waits for the first response or the end. */
export function adsOutcome(address: string, creds: ClientCredentials | 'plaintext', node: Record<string, unknown>, typeUrl: string, resourceNames: string[] = [], delta = false): Promise<StreamOutcome> {
  const client = new grpc.Client(address, channelCredentials(creds), { 'grpc.ssl_target_name_override': ISTIOD_NAME });
  const reqType = messageType(`envoy.service.discovery.v3.${delta ? 'Delta' : ''}DiscoveryRequest`);
  const resType = messageType(`envoy.service.discovery.v3.${delta ? 'Delta' : ''}DiscoveryResponse`);
  const method = `${ADS}/${delta ? 'Delta' : 'Stream'}AggregatedResources`;
  const call = client.makeBidiStreamRequest(method, (r: unknown) => Buffer.from(reqType.encode(reqType.fromObject(r as Record<string, unknown>)).finish()), (b: Buffer) => resType.decode(b) as unknown as { type_url: string }, creds === 'plaintext' ? new grpc.Metadata() : metadataWith(creds.token));
  return new Promise<StreamOutcome>((resolve) => {
    const done = (outcome: StreamOutcome) => {
      resolve(outcome);
      call.cancel();
      client.close();
    };
    call.on('data', (r: { type_url: string }) => done({ answered: true, typeUrl: r.type_url }));
    call.on('status', (s: grpc.StatusObject) => done({ answered: false, code: s.code, details: s.details }));
    call.on('error', () => undefined); // reported through 'status'
    call.write(delta ? { node, type_url: typeUrl, resource_names_subscribe: resourceNames } : { node, type_url: typeUrl, resource_names: resourceNames });
  });
}

export type CertResult = { ok: true; chain: readonly string[]; keyPem: string } | { ok: false; code: grpc.status; details: string };

/** CreateCertificate with a fresh P-256 key; the CSR names nothing (the identity is the caller's). */
export function createCertificate(address: string, creds: ClientCredentials | 'plaintext'): Promise<CertResult> {
  const keys = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const Client = grpc.makeGenericClientConstructor(caServiceDefinition(), 'IstioCertificateService');
  const client = new Client(address, channelCredentials(creds), { 'grpc.ssl_target_name_override': ISTIOD_NAME });
  const metadata = creds === 'plaintext' ? new grpc.Metadata() : metadataWith(creds.token);
  type Call = (r: unknown, m: grpc.Metadata, cb: (e: grpc.ServiceError | null, r?: IstioCertificateResponse) => void) => void;
  return new Promise((resolve) => {
    (client as unknown as { CreateCertificate: Call }).CreateCertificate({ csr: createCsr(keys), validity_duration: 3600 }, metadata, (error, response) => {
      client.close();
      resolve(error ? { ok: false, code: error.code, details: error.details } : { ok: true, chain: response!.cert_chain, keyPem: keys.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string });
    });
  });
}

/** What a workload presents: its leaf and intermediates (the root stays out). */
export function presentedChain(result: Extract<CertResult, { ok: true }>): { chainPem: string; keyPem: string } {
  return { chainPem: result.chain.slice(0, -1).join(''), keyPem: result.keyPem };
}
