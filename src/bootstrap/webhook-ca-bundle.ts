/**
 * Keeps the caBundle of istiod's two webhook configurations equal to the CA's current roots:
 * MutatingWebhookConfiguration istio-sidecar-injector[-<rev>] and ValidatingWebhookConfiguration
 * istio-validator[-<rev>]-<ns>, as Istio names them. Both are watched, so an edit that clears or
 * changes a caBundle is repaired; a root rotation and gaining leadership patch at once. Writes
 * happen on the leader only (Lease istio-validation-controller-election, the election ID Istio
 * used for its webhook controller); followers watch and write nothing. A failed patch is
 * retried with a capped backoff.
 */
import type { Logger } from '../lib/logger.js';
import { kubeJson, type KubeClient } from '../security/authn/kube-client.js';
import { caBundlePatch, type IstiodService } from '../serve/webhook/ca-bundle.js';
import { createInformer, type Informer } from '../sources/kubernetes/informer.js';
import { whileLeader, type LeaderElector } from '../sources/kubernetes/leader-election.js';
import type { ListWatchTransport } from '../sources/kubernetes/transport.js';

const API = '/apis/admissionregistration.k8s.io/v1';
const RETRY_MIN_MS = 500;
const RETRY_MAX_MS = 30_000;

export interface WebhookTarget {
  readonly kind: 'MutatingWebhookConfiguration' | 'ValidatingWebhookConfiguration';
  readonly plural: 'mutatingwebhookconfigurations' | 'validatingwebhookconfigurations';
  readonly name: string;
}

/** Istio's configuration names for a revision and istiod's namespace. */
export function webhookTargets(revision: string | undefined, namespace: string): WebhookTarget[] {
  const rev = revision && revision !== 'default' ? `-${revision}` : '';
  return [
    { kind: 'MutatingWebhookConfiguration', plural: 'mutatingwebhookconfigurations', name: `istio-sidecar-injector${rev}` },
    { kind: 'ValidatingWebhookConfiguration', plural: 'validatingwebhookconfigurations', name: `istio-validator${rev}-${namespace}` },
  ];
}

export interface CaBundlePatcherDeps {
  readonly kube: KubeClient;
  readonly transport: ListWatchTransport;
  /** The CA's current roots, PEM. */
  readonly roots: () => string;
  readonly onRootsChange: (listener: () => void) => () => void;
  readonly leader: Pick<LeaderElector, 'isLeader' | 'onChange'>;
  readonly targets: readonly WebhookTarget[];
  readonly service: IstiodService;
  readonly logger: Logger;
}

interface TargetState {
  readonly target: WebhookTarget;
  readonly informer: Informer;
  running: boolean;
  again: boolean;
  failures: number;
  retry?: NodeJS.Timeout;
}

export interface CaBundlePatcher {
  close(): void;
}

export function startCaBundlePatcher(deps: CaBundlePatcherDeps): CaBundlePatcher {
  const log = deps.logger;
  let closed = false;

  async function patchOnce(state: TargetState): Promise<void> {
    const { target } = state;
    const current = state.informer.objects().find((o) => o.metadata?.name === target.name);
    if (!current) return;
    const ops = caBundlePatch(current, deps.roots(), deps.service);
    if (ops.length === 0) return;
    await kubeJson(deps.kube, 'PATCH', `${API}/${target.plural}/${target.name}`, ops);
    log.info({ kind: target.kind, name: target.name, webhooks: ops.length / 2 }, 'webhook caBundle patched');
  }

  function reconcile(state: TargetState): void {
    if (closed || !deps.leader.isLeader() || !state.informer.synced) return;
    if (state.running) return void (state.again = true);
    state.running = true;
    state.again = false;
    patchOnce(state).then(
      () => (state.failures = 0),
      (err: unknown) => {
        state.failures++;
        const delay = Math.min(RETRY_MAX_MS, RETRY_MIN_MS * 2 ** Math.min(state.failures - 1, 10));
        log.warn({ kind: state.target.kind, name: state.target.name, err: (err as Error).message, retryInMs: delay }, 'cannot patch the webhook caBundle');
        clearTimeout(state.retry);
        state.retry = setTimeout(() => reconcile(state), delay);
        state.retry.unref();
      },
    ).finally(() => {
      state.running = false;
      if (state.again) reconcile(state);
    });
  }

  const states: TargetState[] = deps.targets.map((target) => {
    const state: TargetState = {
      target,
      running: false,
      again: false,
      failures: 0,
      informer: createInformer({
        name: `${target.kind} (caBundle)`,
        path: `${API}/${target.plural}`,
        transport: deps.transport,
        logger: log,
        handlers: {
          // Every change to our configuration (someone cleared the caBundle, a Helm upgrade) is checked.
          upsert: (obj) => (obj.metadata?.name === target.name ? reconcile(state) : undefined),
          remove: () => undefined,
        },
      }),
    };
    return state;
  });
  const all = () => states.forEach(reconcile);
  for (const s of states) {
    s.informer.start();
    void s.informer.whenSynced().then(() => reconcile(s));
  }
  const unsubscribeRoots = deps.onRootsChange(all);
  const unsubscribeLeader = whileLeader(deps.leader, { start: all, stop: () => undefined });
  return {
    close() {
      closed = true;
      unsubscribeRoots();
      unsubscribeLeader();
      for (const s of states) {
        clearTimeout(s.retry);
        s.informer.close();
      }
    },
  };
}
