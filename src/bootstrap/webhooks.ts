/**
 * The admission webhooks of `istiod-ts discovery`: the HTTPS port (--httpsAddr, 15017) with
 * istiod's serving certificate, sidecar injection with the injector settings kept current
 * (files in --injectionDir, else ConfigMap istio-sidecar-injector, else built-in defaults) and
 * the mesh config from the mesh holder, config validation with the daemon's validator, and in
 * Kubernetes mode the leader's caBundle patching of the two webhook configurations.
 */
import { parseListenAddress, type Options } from '../config/options.js';
import { ErrorCodes, UserError } from '../lib/errors.js';
import { defaultInjectorConfig } from '../inject/injector-config.js';
import { defaultValues } from '../inject/values.js';
import type { Validator } from '../model/validation/validate.js';
import type { WebhookMetrics } from '../serve/webhook/webhook-metrics.js';
import { startWebhookServer, type ServingSource } from '../serve/webhook/webhook-server.js';
import { chooseKubeClient } from '../sources/kubernetes/client-choice.js';
import type { KubernetesSource } from '../sources/kubernetes/kube-source.js';
import type { Leadership } from './leader-election.js';
import type { MeshHolder } from './load-mesh-config.js';
import type { RootLogger } from './logging.js';
import { injectionFilesPresent, injectorConfigMapName, watchInjectionFiles, watchInjectorConfigMap, type InjectorSettingsSource } from './injector-settings.js';
import { startCaBundlePatcher, webhookTargets, type CaBundlePatcher } from './webhook-ca-bundle.js';

/** The Lease of the caBundle duty: the election ID Istio's webhook (validation) controller used. */
export const WEBHOOK_ELECTION_ID = 'istio-validation-controller-election';

export interface WebhooksDeps {
  readonly options: Options;
  /** istiod's serving certificate and the CA roots (the secure port's CA). */
  readonly tls: ServingSource & { roots(): string; onRootsChange(listener: () => void): () => void };
  readonly mesh: MeshHolder;
  readonly validator: Validator;
  readonly metrics: WebhookMetrics;
  readonly logs: RootLogger;
  readonly kubeSource?: KubernetesSource;
  readonly leadership?: Leadership;
}

export interface Webhooks {
  readonly port: number;
  close(): Promise<void>;
}

async function settingsSource(deps: WebhooksDeps): Promise<InjectorSettingsSource> {
  const { options, kubeSource } = deps;
  const log = deps.logs.scoped('inject');
  if (await injectionFilesPresent(options.injectionDir)) return watchInjectionFiles(options.injectionDir, log);
  if (kubeSource) return watchInjectorConfigMap(kubeSource.configMaps, options.podNamespace, injectorConfigMapName(options.revision), log);
  const fixed = { config: defaultInjectorConfig(), values: defaultValues() };
  log.info({ injectionDir: options.injectionDir }, 'injector config: built-in defaults (no injection files, no Kubernetes)');
  return { current: () => fixed, origin: () => 'built-in defaults', close: () => undefined };
}

async function caBundlePatcher(deps: WebhooksDeps): Promise<CaBundlePatcher | undefined> {
  const { options, leadership } = deps;
  const choice = chooseKubeClient(options);
  if (!leadership || choice.mode === 'none') return undefined;
  const { loadKubeConfig } = await import('../sources/kubernetes/client-config.js');
  const { createKubeTransport } = await import('../sources/kubernetes/kube-transport.js');
  const rev = options.revision && options.revision !== 'default' ? `-${options.revision}` : '';
  return startCaBundlePatcher({
    kube: leadership.api,
    transport: createKubeTransport(loadKubeConfig(choice)),
    roots: () => deps.tls.roots(),
    onRootsChange: (listener) => deps.tls.onRootsChange(listener),
    leader: leadership.election(WEBHOOK_ELECTION_ID),
    targets: webhookTargets(options.revision, options.podNamespace),
    service: { name: `istiod${rev}`, namespace: options.podNamespace },
    logger: deps.logs.scoped('webhook-patcher'),
  });
}

/** Starts the webhook port; undefined when --httpsAddr is ''. Throws a UserError when it cannot listen. */
export async function startWebhooks(deps: WebhooksDeps): Promise<Webhooks | undefined> {
  const { options } = deps;
  if (options.httpsAddr === '') return undefined;
  const addr = parseListenAddress(options.httpsAddr)!;
  const log = deps.logs.scoped('webhook');
  const settings = await settingsSource(deps);
  let server;
  try {
    server = await startWebhookServer({
      host: addr.host,
      port: addr.port,
      serving: deps.tls,
      logger: log,
      ready: () => !deps.kubeSource || deps.kubeSource.synced,
      inject: {
        context: () => ({ settings: settings.current(), meshConfig: deps.mesh.current(), revision: options.revision ?? '', nativeSidecars: options.enableNativeSidecars }),
        metrics: deps.metrics,
        logger: log,
      },
      validate: { validator: deps.validator, revision: options.revision ?? '', metrics: deps.metrics, logger: log },
    });
  } catch (err) {
    settings.close();
    throw new UserError(ErrorCodes.SERVER_LISTEN, `cannot listen on ${options.httpsAddr} (--httpsAddr): ${(err as Error).message}`);
  }
  const patcher = await caBundlePatcher(deps);
  log.info({ httpsAddr: options.httpsAddr, port: server.port, injectorConfig: settings.origin() }, 'webhook server listening');
  const listening = server;
  return {
    port: listening.port,
    async close() {
      patcher?.close();
      settings.close();
      await listening.close();
    },
  };
}
