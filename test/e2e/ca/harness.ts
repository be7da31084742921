/**
 * A real CreateCertificate server for the CA end-to-end tests: the real workload CA, a
 * TlsOnlyServer on 127.0.0.1 with an openssl-made serving certificate, the fake Kubernetes API
 * for TokenReview, a JWT rule with a local key, and a grpc-js client speaking real TLS.
 */
import * as grpc from '@grpc/grpc-js';
import { exportJWK, generateKeyPair, type CryptoKey } from 'jose';
import type { Logger } from '../../../src/lib/logger.js';
import { createSelfSignedWorkloadCa, type ManagedWorkloadCa, type WorkloadCa } from '../../../src/security/ca/index.js';
import { createCallerAuthenticator, createClientCertAuthenticator, createJwtAuthenticator, createKubeClient, createTokenReviewAuthenticator, parseJwtRule, type KubeClient } from '../../../src/security/authn/index.js';
import { caServiceDefinition, type IstioCertificateResponse } from '../../../src/serve/ca-proto.js';
import { bindTls, createServingCredentials, TlsOnlyServer } from '../../../src/serve/ca-secure-server.js';
import { registerCaService } from '../../../src/serve/ca-service.js';
import type { CaMetrics } from '../../../src/serve/ca-metrics.js';
import { loopbackServingCert, startFakeKubeApi, type FakeKubeApi } from '../../helpers/fake-kube-api.js';

export const TRUST_DOMAIN = 'cluster.local';
export const JWT_ISSUER = 'https://oidc.example';
const SA_GROUPS = ['system:serviceaccounts', 'system:serviceaccounts:bookinfo', 'system:authenticated'];

export interface LogLine { level: string; fields: Record<string, unknown>; msg: string }

function recordingLogger(lines: LogLine[]): Logger {
  const at = (level: string) => (a: Record<string, unknown> | string, b?: string) => void lines.push(typeof a === 'string' ? { level, fields: {}, msg: a } : { level, fields: a, msg: b ?? '' });
  const logger: Logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: () => logger };
  return logger;
}

export type CallResult = { ok: true; chain: readonly string[] } | { ok: false; code: grpc.status; details: string };

export interface CaHarness {
  readonly ca: ManagedWorkloadCa;
  /** Certificates the CA actually returned (the issuance count). */
  issued(): number;
  readonly counts: Record<keyof CaMetrics, number>;
  readonly logs: LogLine[];
  readonly kubeApi: FakeKubeApi;
  readonly jwtKey: CryptoKey;
  readonly address: string;
  readonly servingCertPem: string;
  call(request: { csr: string; validity_duration?: number }, options?: { metadata?: Record<string, string>; clientCert?: { certChainPem: string; keyPem: string } }): Promise<CallResult>;
  close(): Promise<void>;
}

function countingCa(ca: WorkloadCa, onIssued: () => void): WorkloadCa {
  return { trustDomain: ca.trustDomain, roots: () => ca.roots(), sign: async (request) => {
    const chain = await ca.sign(request);
    onIssued();
    return chain;
  } };
}

export async function startCaHarness(): Promise<CaHarness> {
  const ca = await createSelfSignedWorkloadCa({ trustDomain: TRUST_DOMAIN, rootKeyType: 'ec-p256' });
  let issued = 0;
  const counts = { csrReceived: 0, authenticationFailed: 0, csrParsingFailed: 0, signFailed: 0, certIssued: 0 };
  const metrics: CaMetrics = { csrReceived: () => void counts.csrReceived++, authenticationFailed: () => void counts.authenticationFailed++, csrParsingFailed: () => void counts.csrParsingFailed++, signFailed: () => void counts.signFailed++, certIssued: () => void counts.certIssued++ };
  const kubeApi = await startFakeKubeApi({
    tokens: {
      'reviews-token': { username: 'system:serviceaccount:bookinfo:reviews', groups: SA_GROUPS, audiences: ['istio-ca'] },
      'api-audience-token': { username: 'system:serviceaccount:bookinfo:reviews', groups: SA_GROUPS },
      'user-token': { username: 'alice@example.com', groups: ['system:authenticated'], audiences: ['istio-ca'] },
    },
  });
  const kube: KubeClient = createKubeClient({ server: kubeApi.url, caPem: kubeApi.caPem, token: () => kubeApi.callerToken });
  const jwtPair = await generateKeyPair('ES256');
  const rule = parseJwtRule(JSON.stringify({ issuer: JWT_ISSUER, audiences: ['istio-ca'], jwks: JSON.stringify({ keys: [{ ...(await exportJWK(jwtPair.publicKey)), kid: 'k1' }] }) }));
  if (!rule.ok) throw new Error(rule.errors.join('; '));
  const authenticator = createCallerAuthenticator([
    createClientCertAuthenticator({ trustDomain: TRUST_DOMAIN, issuers: () => ca.roots() }),
    createTokenReviewAuthenticator({ kube }),
    createJwtAuthenticator({ rule: rule.value }),
  ]);
  const logs: LogLine[] = [];
  const serving = loopbackServingCert();
  const credentials = createServingCredentials({ certChainPem: serving.certPem, keyPem: serving.keyPem, rootsPem: ca.roots().join('') });
  const server = new TlsOnlyServer();
  registerCaService(server, { ca: countingCa(ca, () => void issued++), authenticator, metrics, logger: recordingLogger(logs) });
  const port = await bindTls(server, '127.0.0.1:0', credentials.credentials);
  const address = `127.0.0.1:${port}`;
  const Client = grpc.makeGenericClientConstructor(caServiceDefinition(), 'IstioCertificateService');
  const clients: grpc.Client[] = [];

  const call: CaHarness['call'] = (request, options = {}) => {
    const cert = options.clientCert;
    const creds = grpc.credentials.createSsl(Buffer.from(serving.certPem), cert ? Buffer.from(cert.keyPem) : null, cert ? Buffer.from(cert.certChainPem) : null);
    // The serving certificate also names localhost; overriding avoids Node's IP-as-SNI deprecation warning.
    const client = new Client(address, creds, { 'grpc.ssl_target_name_override': 'localhost' });
    clients.push(client);
    const metadata = new grpc.Metadata();
    for (const [k, v] of Object.entries(options.metadata ?? {})) metadata.set(k, v);
    return new Promise((resolve) => {
      (client as unknown as { CreateCertificate: (r: unknown, m: grpc.Metadata, cb: (e: grpc.ServiceError | null, r?: IstioCertificateResponse) => void) => void }).CreateCertificate(
        { csr: request.csr, validity_duration: request.validity_duration ?? 0 },
        metadata,
        (error, response) => resolve(error ? { ok: false, code: error.code, details: error.details } : { ok: true, chain: response!.cert_chain }),
      );
    });
  };

  return {
    ca, counts, logs, kubeApi, address, call,
    jwtKey: jwtPair.privateKey,
    servingCertPem: serving.certPem,
    issued: () => issued,
    async close() {
      for (const c of clients) c.close();
      await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
      kube.close();
      await kubeApi.close();
      await ca.close();
    },
  };
}
