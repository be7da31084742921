/**
 * Wires status writing: the writer reads the Kubernetes source (raw Istio and Gateway API
 * objects, validation reports) and the current snapshot (diagnostics, Gateway API conditions),
 * recomputes after every such object event and every snapshot, and writes only while this replica leads election istio-status-leader.
 */
import type { Options } from '../config/options.js';
import type { Logger } from '../lib/logger.js';
import { gatewayApiStatusOf } from '../model/gateway-api/snapshot-status.js';
import type { KubernetesSource } from '../sources/kubernetes/kube-source.js';
import { watchedKinds } from '../sources/kubernetes/kube-source.js';
import { whileLeader } from '../sources/kubernetes/leader-election.js';
import { createStatusWriter, type StatusWriterStats } from '../sources/kubernetes/status-writer.js';
import { createCaBundles } from './configmap-ca.js';
import { ELECTION_IDS, type Leadership } from './leader-election.js';
import type { ModelPipeline } from './model-pipeline.js';

export interface StatusReporting {
  stats(): StatusWriterStats;
  close(): void;
}

export interface StatusReportingDeps {
  readonly options: Pick<Options, 'enableStatus' | 'statusQps' | 'statusBurst'>;
  readonly kubeSource: KubernetesSource;
  readonly pipeline: Pick<ModelPipeline, 'current' | 'subscribe'>;
  readonly leadership: Pick<Leadership, 'api' | 'election'>;
  readonly logger: Logger;
}

/** Undefined when PILOT_ENABLE_STATUS=false. */
export function startStatusReporting(deps: StatusReportingDeps): StatusReporting | undefined {
  const { options, kubeSource, pipeline } = deps;
  if (!options.enableStatus) return undefined;
  // BackendTLSPolicy ResolvedRefs reads the ConfigMap cache (a missing or invalid CA bundle).
  const caBundles = kubeSource.configMaps ? createCaBundles(kubeSource.configMaps) : undefined;
  const writer = createStatusWriter({
    api: deps.leadership.api,
    kinds: watchedKinds().filter((k) => k.istio || k.gatewayApi === true),
    inputs: {
      // Until the source synced and a snapshot exists, findings are partial: clearing by them would be wrong.
      ready: () => kubeSource.synced && pipeline.current() !== undefined,
      objectsOf: (kind) => kubeSource.objectsOf(kind),
      reports: () => kubeSource.reports(),
      diagnostics: () => pipeline.current()?.diagnostics ?? [],
      // Gateway API conditions: computed from the current snapshot (memoized per snapshot).
      gatewayApiStatus: () => gatewayApiStatusOf(pipeline.current(), caBundles?.statusLookup()),
    },
    qps: options.statusQps,
    burst: options.statusBurst,
    logger: deps.logger,
  });
  pipeline.subscribe(() => writer.poke());
  const offEvents = kubeSource.onObjectEvent(() => writer.poke());
  const offConfigMaps = caBundles?.onChange(() => writer.poke());
  const offLeader = whileLeader(deps.leadership.election(ELECTION_IDS.status), writer);
  return {
    stats: () => writer.stats(),
    close() {
      offLeader();
      offEvents();
      offConfigMaps?.();
      caBundles?.close();
      writer.stop();
    },
  };
}

/** /debug/leaderz: this replica's identity, every election it takes part in, and the status writer. */
export function leaderzRoute(leadership: Pick<Leadership, 'status'>, reporting: StatusReporting | undefined): Record<string, () => unknown> {
  return { '/debug/leaderz': () => ({ ...leadership.status(), statusWriter: reporting?.stats() ?? null }) };
}
