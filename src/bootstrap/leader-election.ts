/**
 * Leadership for singleton duties in Kubernetes mode. As istiod does, each duty has its own
 * election (Lease) named by Istio's election ID, so duties may lead on different replicas:
 * - istio-namespace-controller-election: the istio-ca-root-cert ConfigMaps (the namespace controller);
 * - istio-status-leader: status writes to Istio objects (istiod's StatusController);
 * - later duties (webhook caBundle patching) ask for their own ID with `election(id)`.
 * LEADER_ELECTION_LEASE_NAME puts every duty on one Lease instead. Identity is POD_NAME.
 * With ENABLE_LEADER_ELECTION=false every replica leads (istiod's bypass, for one replica).
 */
import { hostname } from 'node:os';
import type { Options } from '../config/options.js';
import type { Logger } from '../lib/logger.js';
import { createKubeClient, type KubeClient } from '../security/authn/index.js';
import { chooseKubeClient } from '../sources/kubernetes/client-choice.js';
import { createLeaderElector, type LeaderElector, type LeaderStatus } from '../sources/kubernetes/leader-election.js';
import { createLeaseLock } from '../sources/kubernetes/lease-client.js';

/** Istio's election IDs (pilot/pkg/leaderelection) for the duties istiod-ts has. */
export const ELECTION_IDS = Object.freeze({
  namespaceController: 'istio-namespace-controller-election',
  status: 'istio-status-leader',
});

export interface Leadership {
  /** The elector for one duty (created and started on first use). */
  election(id: string): LeaderElector;
  /** For /debug/leaderz. */
  status(): { identity: string; enabled: boolean; elections: LeaderStatus[] };
  /** The JSON client the elections use (status writes share it). */
  readonly api: KubeClient;
  /** Releases every held lease, then drops the client. */
  close(): Promise<void>;
}

/** Always leading: ENABLE_LEADER_ELECTION=false. */
function bypass(id: string, identity: string): LeaderElector {
  return {
    start: () => undefined,
    isLeader: () => true,
    onChange: () => () => undefined,
    status: () => ({ lease: `${id} (leader election disabled)`, identity, leader: true, acquisitions: 1 }),
    close: async () => undefined,
  };
}

export function leaderIdentity(options: Pick<Options, 'podName'>): string {
  return options.podName ?? `unknown-${hostname()}-${process.pid}`;
}

/** Leadership, or undefined in file mode (no Kubernetes client: the single replica does everything). */
export async function createLeadership(options: Options, log: Logger): Promise<Leadership | undefined> {
  const choice = chooseKubeClient(options);
  if (choice.mode === 'none') return undefined;
  const { loadKubeConfig } = await import('../sources/kubernetes/client-config.js');
  const { kubeCredentials } = await import('../sources/kubernetes/client-credentials.js');
  const settings = options.leaderElection;
  // A request must not outlive the renew deadline by much: the deadline decides, not the socket.
  const api = createKubeClient({ ...kubeCredentials(loadKubeConfig(choice)), timeoutMs: Math.max(1000, Math.min(10_000, settings.renewDeadlineMs)) });
  const identity = leaderIdentity(options);
  const namespace = settings.namespace ?? options.podNamespace;
  const electors = new Map<string, LeaderElector>();
  if (!options.podName && settings.enabled) log.warn({ identity }, 'POD_NAME is not set; leader election uses a made-up identity');

  function election(id: string): LeaderElector {
    const name = settings.leaseName ?? id;
    let elector = electors.get(name);
    if (!elector) {
      elector = settings.enabled
        ? createLeaderElector({ lock: createLeaseLock(api, namespace, name), identity, leaseDurationMs: settings.leaseDurationMs, renewDeadlineMs: settings.renewDeadlineMs, retryPeriodMs: settings.retryPeriodMs, logger: log })
        : bypass(name, identity);
      electors.set(name, elector);
      elector.start();
    }
    return elector;
  }

  return {
    election,
    api,
    status: () => ({ identity, enabled: settings.enabled, elections: [...electors.values()].map((e) => e.status()) }),
    async close() {
      await Promise.all([...electors.values()].map((e) => e.close()));
      api.close();
    },
  };
}
