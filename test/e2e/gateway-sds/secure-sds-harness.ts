/**
 * The in-process stack both SDS end-to-end suites (gateway and sidecar) run against: the real
 * ADS server with its secure port and stream authorizer, a SubjectAccessReview against the fake
 * API server (re-reviews pushed as the daemon wires them), a CredentialIndex over a real Secret
 * cache, and XdsClients whose bearer token `<ns>:<sa>` stands for a verified identity
 * (TokenReview is tested elsewhere).
 */
import * as grpc from '@grpc/grpc-js';
import { silentLogger } from '../../../src/lib/logger.js';
import { ok } from '../../../src/lib/result.js';
import { computeChangeSet } from '../../../src/model/change-set.js';
import type { Snapshot } from '../../../src/model/snapshot.js';
import { createCallerAuthenticator } from '../../../src/security/authn/index.js';
import { createKubeClient, type KubeClient } from '../../../src/security/authn/kube-client.js';
import { createAdsServer } from '../../../src/serve/ads-server.js';
import { bindTls, createServingCredentials } from '../../../src/serve/ca-secure-server.js';
import type { AdsServer } from '../../../src/serve/types.js';
import { ResourceCache } from '../../../src/sources/kubernetes/resource-cache.js';
import type { KubeObject } from '../../../src/sources/kubernetes/object-cache.js';
import type { KubeSecret } from '../../../src/sources/kubernetes/secret-convert.js';
import type { CredentialIndex } from '../../../src/translate/gateway/sds-credentials.js';
import type { Generator } from '../../../src/translate/types.js';
import { createSecretAccessCheck } from '../../../src/bootstrap/gateway-credentials-access.js';
import { createGatewayCredentials, pushCredentialChanges, pushSecretAccessChange } from '../../../src/bootstrap/gateway-credentials.js';
import { createXdsAuthorizer } from '../../../src/bootstrap/xds-authorizer.js';
import { startFakeKubeApi, type FakeKubeApi } from '../../helpers/fake-kube-api.js';
import { XdsClient } from '../../helpers/xds-client.js';
import type { Pems } from './fixtures.js';

export interface SdsHarness {
  readonly fake: FakeKubeApi;
  readonly ads: AdsServer;
  /** Puts (or replaces) a Secret in the cache the credentials read. */
  put(secret: KubeSecret): void;
  /** A client on the secure port (with the identity's token) or the plaintext one. */
  connect(node: { id: string; metadata: Record<string, unknown> }, identity: { namespace: string; serviceAccount: string }, secure?: boolean): XdsClient;
  close(): Promise<void>;
}

export interface SdsHarnessOptions {
  readonly pems: Pems;
  readonly snapshot: Snapshot;
  readonly secrets: readonly KubeSecret[];
  /** `<ns>/<sa>` identities the fake API server lets list secrets in their namespace. */
  readonly granted: readonly string[];
  readonly generator: (credentials: () => CredentialIndex) => Generator;
  /** The SubjectAccessReview cache's clock (tests move it to expire verdicts). */
  readonly now?: () => number;
}

const tokenAuthenticator = createCallerAuthenticator([{
  method: 'kubernetes-token',
  authenticate: async (c) => {
    const [namespace, serviceAccount] = (c.authorization[0] ?? '').replace(/^Bearer /, '').split(':');
    return namespace && serviceAccount ? ok({ identity: { namespace, serviceAccount }, method: 'kubernetes-token' as const }) : undefined;
  },
}]);

export async function startSdsHarness(o: SdsHarnessOptions): Promise<SdsHarness> {
  const cache = new ResourceCache<KubeSecret>();
  const put = (s: KubeSecret) => cache.apply(s as unknown as KubeObject);
  for (const s of o.secrets) put(s);
  await new Promise((r) => setImmediate(r));
  const fake = await startFakeKubeApi();
  for (const id of o.granted) {
    const [namespace, sa] = id.split('/');
    fake.grantAccess({ user: `system:serviceaccount:${namespace}:${sa}`, verb: 'list', resource: 'secrets', namespace: namespace! });
  }
  const kube: KubeClient = createKubeClient({ server: fake.url, caPem: fake.caPem, token: () => fake.callerToken });
  const credentials = createGatewayCredentials(cache);
  const generator = o.generator(() => credentials.index());
  const ads = createAdsServer({ generatorFor: () => generator, logger: silentLogger });
  const pipeline = { ready: () => true, current: () => o.snapshot };
  // As the daemon wires it: a flipped SubjectAccessReview verdict pushes SDS again.
  const access = createSecretAccessCheck(kube, o.now);
  access.onChange(pushSecretAccessChange(pipeline, ads, silentLogger));
  const server = ads.secureServer!(createXdsAuthorizer(tokenAuthenticator, 'cluster.local', access));
  const securePort = await bindTls(server, '127.0.0.1:0', createServingCredentials({ certChainPem: o.pems.istiodCert, keyPem: o.pems.istiodKey, rootsPem: o.pems.caCert }).credentials);
  const plainPort = await ads.listen('127.0.0.1', 0);
  pushCredentialChanges(credentials, pipeline, ads, silentLogger);
  ads.onSnapshot(o.snapshot, computeChangeSet(undefined, o.snapshot, []));
  const clients: XdsClient[] = [];
  return {
    fake,
    ads,
    put,
    connect(node, identity, secure = true) {
      const metadata = new grpc.Metadata();
      metadata.set('authorization', `Bearer ${identity.namespace}:${identity.serviceAccount}`);
      const tlsOptions = { credentials: grpc.credentials.createSsl(Buffer.from(o.pems.caCert)), channelOptions: { 'grpc.ssl_target_name_override': 'istiod.istio-system.svc' }, metadata };
      const client = XdsClient.connect({ address: `127.0.0.1:${secure ? securePort : plainPort}`, node: { locality: {}, ...node }, ...(secure ? { tls: tlsOptions } : {}) });
      clients.push(client);
      return client;
    },
    async close() {
      await Promise.all(clients.map((c) => c.close()));
      await ads.close();
      kube.close();
      await fake.close();
    },
  };
}
