/**
 * The CA's Kubernetes side, used when a Kubernetes client is configured (--kubeconfig or
 * in-cluster): the security layer's small API client built from the same client config as the
 * sources, the TokenReview authenticator, the istio-ca-secret root store and the
 * istio-ca-root-cert ConfigMap publisher.
 */
import type { Options } from '../config/options.js';
import { ErrorCodes, UserError } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';
import { createKubeClient, type KubeClient } from '../security/authn/index.js';
import type { ManagedWorkloadCa } from '../security/ca/index.js';
import { createRootCertPublisher } from '../security/k8s/root-cert-publisher.js';
import { chooseKubeClient } from '../sources/kubernetes/client-choice.js';
import { createInformer } from '../sources/kubernetes/informer.js';
import { whileLeader, type LeaderElector } from '../sources/kubernetes/leader-election.js';
import type { ListWatchTransport } from '../sources/kubernetes/transport.js';

export interface CaKube {
  /** The security layer's JSON client (TokenReview, Secrets, ConfigMaps). */
  readonly kube: KubeClient;
  /** The sources layer's list/watch transport, for the namespace watch of root distribution. */
  readonly transport: ListWatchTransport;
}

/** The API clients for the CA, or undefined in file mode. Throws a UserError when the config is unusable. */
export async function connectCaKube(options: Options, log: Logger): Promise<CaKube | undefined> {
  const choice = chooseKubeClient(options);
  if (choice.mode === 'none') return undefined;
  const what = choice.mode === 'kubeconfig' ? `--kubeconfig ${choice.file}` : 'the in-cluster service account';
  try {
    const { loadKubeConfig } = await import('../sources/kubernetes/client-config.js');
    const { kubeCredentials } = await import('../sources/kubernetes/client-credentials.js');
    const { createKubeTransport } = await import('../sources/kubernetes/kube-transport.js');
    const config = loadKubeConfig(choice);
    const credentials = kubeCredentials(config);
    log.info({ server: credentials.server, token: credentials.token !== undefined, clientCert: credentials.clientCertPem !== undefined }, 'CA uses the Kubernetes API (TokenReview, istio-ca-secret, istio-ca-root-cert)');
    return { kube: createKubeClient(credentials), transport: createKubeTransport(config) };
  } catch (err) {
    throw new UserError(ErrorCodes.SOURCE_UNAVAILABLE, `CA cannot use ${what}: ${(err as Error).message}`);
  }
}

export interface RootDistribution {
  close(): Promise<void>;
}

/**
 * Keeps ConfigMap istio-ca-root-cert current in every namespace: a pass on gaining leadership,
 * on every root change, on the publisher's resync interval and for each namespace created
 * later. Singleton duty, as istiod's namespace controller (election
 * istio-namespace-controller-election): only while `leader` leads; without one (tests, a
 * single replica) always. Writes are idempotent (only a differing root-cert.pem is updated).
 */
export function startRootDistribution({ kube, transport }: CaKube, ca: ManagedWorkloadCa, log: Logger, leader?: Pick<LeaderElector, 'isLeader' | 'onChange'>): RootDistribution {
  const publisher = createRootCertPublisher({ kube, roots: () => ca.roots(), logger: log });
  // A namespace created later gets its ConfigMap at once instead of at the next resync.
  const namespaces = createInformer({
    name: 'Namespace (istio-ca-root-cert)',
    path: '/api/v1/namespaces',
    transport,
    logger: log,
    handlers: {
      upsert(ns) {
        // The initial list is the publisher's first pass; terminating namespaces refuse writes; followers write nothing.
        const name = ns.metadata?.name;
        if (!namespaces.synced || !publisher.started || typeof name !== 'string' || (ns as { status?: { phase?: unknown } }).status?.phase === 'Terminating') return;
        void publisher.publishNamespace(name).then((outcome) => {
          if (outcome.action === 'failed') log.warn({ namespace: name, err: outcome.error }, 'cannot publish the root certificate ConfigMap');
          else if (outcome.action === 'created' || outcome.action === 'updated') log.info({ namespace: name, action: outcome.action }, 'root certificate ConfigMap published');
        });
      },
      remove: () => undefined,
    },
  });
  const duty = {
    start: () => publisher.start(),
    stop: () => void publisher.stop().catch((err: Error) => log.error({ err: err.message }, 'root certificate publisher did not stop cleanly')),
  };
  const unsubscribeLeader = leader ? whileLeader(leader, duty) : (duty.start(), () => undefined);
  namespaces.start();
  const unsubscribe = ca.onChange(() => publisher.rootsChanged());
  return {
    async close() {
      unsubscribe();
      unsubscribeLeader();
      namespaces.close();
      await publisher.stop();
    },
  };
}
