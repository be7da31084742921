/**
 * Wires Istio's gateway deployment controller (PILOT_ENABLE_GATEWAY_API_DEPLOYMENT_CONTROLLER):
 * it reads Gateways and GatewayClasses from the Kubernetes source, recomputes after every
 * Istio/Gateway API object event, and writes only while this replica leads Istio's per-revision
 * election for the duty (Lease `istio-gateway-deployment-default`).
 */
import type { Options } from '../config/options.js';
import type { Logger } from '../lib/logger.js';
import type { RawGateway } from '../model/gateway-api/deployment.js';
import type { KubernetesSource } from '../sources/kubernetes/kube-source.js';
import { whileLeader } from '../sources/kubernetes/leader-election.js';
import { createGatewayDeploymentController, type GatewayDeploymentStats } from './gateway-deployment-controller.js';
import type { Leadership } from './leader-election.js';

/** Istio's GatewayDeploymentController election ID with the revision suffix of a per-revision election. */
export const GATEWAY_DEPLOYMENT_ELECTION_ID = 'istio-gateway-deployment-default';

export interface GatewayDeployment {
  stats(): GatewayDeploymentStats;
  close(): void;
}

export interface GatewayDeploymentDeps {
  readonly options: Pick<Options, 'enableGatewayDeploymentController' | 'statusQps' | 'statusBurst'>;
  readonly kubeSource: Pick<KubernetesSource, 'synced' | 'objectsOf' | 'onObjectEvent'>;
  readonly leadership: Pick<Leadership, 'api' | 'election'>;
  readonly logger: Logger;
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
  const offEvents = kubeSource.onObjectEvent(() => controller.poke());
  const offLeader = whileLeader(deps.leadership.election(GATEWAY_DEPLOYMENT_ELECTION_ID), controller);
  return {
    stats: () => controller.stats(),
    close() {
      offLeader();
      offEvents();
      controller.stop();
    },
  };
}
