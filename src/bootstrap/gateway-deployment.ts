/**
 * Wires Istio's gateway deployment controller (PILOT_ENABLE_GATEWAY_API_DEPLOYMENT_CONTROLLER):
 * it reads Gateways and GatewayClasses from the Kubernetes source, recomputes after every
 * Istio/Gateway API object event, and writes only while this replica leads Istio's per-revision
 * election for the duty (Lease `istio-gateway-deployment-default`). While leading it also watches
 * the managed ServiceAccounts, Deployments and Services, so one edited or deleted by someone
 * else is applied again at once.
 */
import type { Options } from '../config/options.js';
import type { Logger } from '../lib/logger.js';
import type { RawGateway } from '../model/gateway-api/deployment.js';
import { chooseKubeClient } from '../sources/kubernetes/client-choice.js';
import type { KubernetesSource } from '../sources/kubernetes/kube-source.js';
import { whileLeader } from '../sources/kubernetes/leader-election.js';
import type { ListWatchTransport } from '../sources/kubernetes/transport.js';
import { createChildWatches } from './gateway-deployment-children.js';
import { createGatewayDeploymentController, type GatewayDeploymentStats } from './gateway-deployment-controller.js';
import type { Leadership } from './leader-election.js';

/** Istio's GatewayDeploymentController election ID with the revision suffix of a per-revision election. */
export const GATEWAY_DEPLOYMENT_ELECTION_ID = 'istio-gateway-deployment-default';

export interface GatewayDeployment {
  stats(): GatewayDeploymentStats & { readonly childWatches: number };
  close(): void;
}

export interface GatewayDeploymentDeps {
  readonly options: Pick<Options, 'enableGatewayDeploymentController' | 'statusQps' | 'statusBurst' | 'kubeconfig' | 'configDir' | 'kubernetesServiceHost' | 'kubernetesServicePort'>;
  readonly kubeSource: Pick<KubernetesSource, 'synced' | 'objectsOf' | 'onObjectEvent'>;
  readonly leadership: Pick<Leadership, 'api' | 'election'>;
  readonly logger: Logger;
  /** For the child watches; default: a transport for the configured cluster, made on first leadership. */
  readonly transport?: ListWatchTransport;
}

/** The list/watch transport for the cluster the options name (loaded lazily, like the other Kubernetes clients). */
async function kubeTransport(options: GatewayDeploymentDeps['options']): Promise<ListWatchTransport> {
  const choice = chooseKubeClient(options);
  if (choice.mode === 'none') throw new Error('no Kubernetes client is configured');
  const { connectKube } = await import('../sources/kubernetes/client-config.js');
  return connectKube(choice);
}

/** Undefined when PILOT_ENABLE_GATEWAY_API_DEPLOYMENT_CONTROLLER=false. */
export function startGatewayDeployment(deps: GatewayDeploymentDeps): GatewayDeployment | undefined {
  const { options, kubeSource } = deps;
  if (!options.enableGatewayDeploymentController) return undefined;
  const controller = createGatewayDeploymentController({
    api: deps.leadership.api,
    inputs: {
      ready: () => kubeSource.synced,
      gateways: () => kubeSource.objectsOf('KubernetesGateway') as RawGateway[],
      classController(name) {
        const cls = kubeSource.objectsOf('GatewayClass').find((c) => c.metadata?.name === name);
        const controllerName = (cls?.spec as { controllerName?: unknown } | undefined)?.controllerName;
        return cls === undefined ? undefined : typeof controllerName === 'string' ? controllerName : '';
      },
    },
    // Istio's controller shares the Kubernetes client's rate limit; here the status writer's.
    qps: options.statusQps,
    burst: options.statusBurst,
    logger: deps.logger,
  });
  const children = createChildWatches({ transport: deps.transport ?? (() => kubeTransport(options)), onChild: controller.childEvent, logger: deps.logger });
  const duty = {
    start() {
      controller.start();
      children.start();
    },
    stop() {
      children.stop();
      controller.stop();
    },
  };
  const offEvents = kubeSource.onObjectEvent(() => controller.poke());
  const offLeader = whileLeader(deps.leadership.election(GATEWAY_DEPLOYMENT_ELECTION_ID), duty);
  return {
    stats: () => ({ ...controller.stats(), childWatches: children.running() }),
    close() {
      offLeader();
      offEvents();
      duty.stop();
    },
  };
}
