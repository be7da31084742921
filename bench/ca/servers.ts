/**
 * The servers of `npm run bench:ca`, in the bench process as in the daemon: the workload CA
 * (self-signed root, signing worker pool) behind CreateCertificate on a TLS-only gRPC server with
 * JWT_RULE authentication, and the ADS server fed by the file source and model pipeline.
 */
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { DEFAULT_OPTIONS, type Options } from '../../src/config/options.js';
import { silentLogger } from '../../src/lib/logger.js';
import { createValidator } from '../../src/model/validation/validate.js';
import { createFileSource } from '../../src/sources/file/file-source.js';
import { createMeshMetrics } from '../../src/debug/metrics.js';
import { loadMeshConfig } from '../../src/bootstrap/load-mesh-config.js';
import { createModelPipeline } from '../../src/bootstrap/model-pipeline.js';
import { createXdsServer } from '../../src/bootstrap/xds.js';
import { createSelfSignedWorkloadCa, type RootKeyType } from '../../src/security/ca/index.js';
import { createCallerAuthenticator, createJwtAuthenticator, parseJwtRule } from '../../src/security/authn/index.js';
import { bindTls, createServingCredentials, TlsOnlyServer } from '../../src/serve/ca-secure-server.js';
import { registerCaService } from '../../src/serve/ca-service.js';
import { loopbackServingCert } from '../../test/helpers/fake-kube-api.js';

const ISSUER = 'https://bench.example';

export interface CaServer {
  readonly address: string;
  readonly servingCertPem: string;
  /** A JWT for system:serviceaccount:bench:bench-sa, valid for an hour. */
  readonly token: string;
  readonly signingWorkers: number;
  close(): Promise<void>;
}

export async function startCaServer(rootKeyType: RootKeyType, signingWorkers: number | undefined): Promise<CaServer> {
  const ca = await createSelfSignedWorkloadCa({ trustDomain: 'cluster.local', rootKeyType, ...(signingWorkers !== undefined ? { signingWorkers } : {}) });
  const jwtPair = await generateKeyPair('ES256');
  const rule = parseJwtRule(JSON.stringify({ issuer: ISSUER, audiences: ['istio-ca'], jwks: JSON.stringify({ keys: [{ ...(await exportJWK(jwtPair.publicKey)), kid: 'k1' }] }) }));
  if (!rule.ok) throw new Error(rule.errors.join('; '));
  const now = Math.floor(Date.now() / 1000);
  const token = await new SignJWT({ iss: ISSUER, aud: 'istio-ca', sub: 'system:serviceaccount:bench:bench-sa' })
    .setProtectedHeader({ alg: 'ES256', kid: 'k1' }).setIssuedAt(now).setExpirationTime(now + 3600).sign(jwtPair.privateKey);
  const serving = loopbackServingCert();
  const server = new TlsOnlyServer();
  registerCaService(server, { ca, authenticator: createCallerAuthenticator([createJwtAuthenticator({ rule: rule.value })]), logger: silentLogger });
  const credentials = createServingCredentials({ certChainPem: serving.certPem, keyPem: serving.keyPem, rootsPem: ca.roots().join('') });
  const port = await bindTls(server, '127.0.0.1:0', credentials.credentials);
  return {
    address: `127.0.0.1:${port}`,
    servingCertPem: serving.certPem,
    token,
    signingWorkers: signingWorkers ?? (await import('node:os')).availableParallelism(),
    async close() {
      await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
      await ca.close();
    },
  };
}

export interface XdsSide {
  readonly port: number;
  close(): Promise<void>;
}

export async function startXds(configDir: string): Promise<XdsSide> {
  const options: Options = { ...DEFAULT_OPTIONS, configDir };
  const mesh = await loadMeshConfig(undefined);
  const pipeline = createModelPipeline({ options, mesh, logger: silentLogger });
  const fileSource = createFileSource({ dir: configDir, validator: createValidator({ domain: options.domain }), sink: pipeline.sink, logger: silentLogger, watch: true });
  const ads = createXdsServer({ options, mesh, pipeline, metrics: createMeshMetrics(), logger: silentLogger });
  const port = await ads.listen('127.0.0.1', 0);
  await fileSource.start();
  await pipeline.sourcesSynced();
  return {
    port,
    async close() {
      await ads.close();
      await fileSource.close();
      pipeline.close();
    },
  };
}
