/**
 * The composition root of `istiod-ts discovery`: builds every component with explicit
 * dependencies, starts them in order (HTTP first so /ready can say 503 while sources sync),
 * and stops them in reverse order on SIGTERM/SIGINT.
 */
import { resolve } from 'node:path';
import { parseListenAddress, type Options } from '../config/options.js';
import { ErrorCodes, UserError } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';
import { createValidator, type Validator } from '../model/validation/validate.js';
import { createFileSource, type FileSource } from '../sources/file/file-source.js';
import { chooseKubeClient } from '../sources/kubernetes/client-choice.js';
import { createKubernetesSource, type KubernetesSource } from '../sources/kubernetes/kube-source.js';
import type { ConfigSink } from '../sources/file/config-files.js';
import { Reply, startHttpServer } from '../debug/http-server.js';
import { createMeshMetrics } from '../debug/metrics.js';
import { createRootLogger } from './logging.js';
import { createMeshHolder, kubeMeshOptions, loadMeshConfig, type MeshHolder } from './load-mesh-config.js';
import { createModelPipeline } from './model-pipeline.js';
import { debugViews } from './debug-views.js';
import { createMulticluster } from './multicluster.js';
import { createXdsServer } from './xds.js';
import { createGatewayCredentials, pushSecretAccessChange } from './gateway-credentials.js';
import { createCaBundles } from './configmap-ca.js';
import { createDaemonJwksResolver } from './jwks-daemon.js';
import { startSecurePort, type SecurePort } from './secure-port.js';
import { createLeadership, ELECTION_IDS } from './leader-election.js';
import { leaderzRoute, startStatusReporting } from './status-reporting.js';
import { startGatewayDeployment } from './gateway-deployment.js';
import { startWebhooks } from './webhooks.js';

interface Closable {
  readonly name: string;
  close(): Promise<void> | void;
}

function waitForSignal(log: Logger): Promise<string> {
  return new Promise((done) => {
    const on = (signal: string) => {
      log.info({ signal }, 'shutting down');
      done(signal);
    };
    process.once('SIGTERM', () => on('SIGTERM'));
    process.once('SIGINT', () => on('SIGINT'));
  });
}

async function closeAll(components: Closable[], log: Logger): Promise<void> {
  for (const c of [...components].reverse()) {
    try {
      await c.close();
    } catch (err) {
      log.error({ err, component: c.name }, 'component failed to close');
    }
  }
}

function metricsReply(rendered: { contentType: string; body: string }): Reply {
  return new Reply(200, rendered.body, rendered.contentType);
}

/** gRPC's bind errors are plain strings; turn them into the same UserError as the HTTP servers. */
async function listenOrExplain(addr: string, listen: () => Promise<number>): Promise<number> {
  try {
    return await listen();
  } catch (err) {
    throw new UserError(ErrorCodes.SERVER_LISTEN, `cannot listen on ${addr}: ${(err as Error).message}`);
  }
}

/** The Kubernetes source, when --kubeconfig or in-cluster config selects one (the client library loads only then). */
async function kubernetesSource(options: Options, validator: Validator, sink: ConfigSink, logger: Logger, mesh: MeshHolder): Promise<KubernetesSource | undefined> {
  const choice = chooseKubeClient(options);
  if (choice.mode === 'none') return undefined;
  const { connectKube } = await import('../sources/kubernetes/client-config.js');
  let transport;
  try {
    transport = connectKube(choice);
  } catch (err) {
    const what = choice.mode === 'kubeconfig' ? `--kubeconfig ${choice.file}` : 'the in-cluster service account';
    throw new UserError(ErrorCodes.SOURCE_UNAVAILABLE, `cannot use ${what}: ${(err as Error).message}`);
  }
  logger.info({ mode: choice.mode, ...(choice.mode === 'kubeconfig' ? { kubeconfig: choice.file } : { server: choice.server }) }, 'kubernetes client configured');
  const source = createKubernetesSource({ transport, validator, sink, logger, clusterID: options.clusterID, ...kubeMeshOptions(options, mesh, logger) });
  mesh.subscribe((m) => source.setDiscoverySelectors(m.discoverySelectors, [options.podNamespace, m.rootNamespace]));
  return source;
}

/** Loads every source; resolves true once all synced, false when a signal came first. */
async function syncSources(sources: Array<Pick<FileSource | KubernetesSource, 'start'> | undefined>, signal: Promise<string>): Promise<boolean> {
  const all = Promise.all(sources.map((s) => s?.start())).then(() => true);
  return Promise.race([all, signal.then(() => false)]);
}

export async function runDiscovery(options: Options, version: string): Promise<number> {
  const logs = createRootLogger(options.logLevels);
  const log = logs.scoped('bootstrap');
  if (!options.configDir && chooseKubeClient(options).mode === 'none') {
    throw new UserError(ErrorCodes.CLI_USAGE, 'discovery needs a config source: --configDir DIR and/or --kubeconfig FILE (in a pod: the service account)');
  }
  const meshHolder = createMeshHolder(await loadMeshConfig(options.meshConfigFile), options.meshConfigFile ?? 'defaults');
  const mesh = meshHolder.current();
  const components: Closable[] = [];
  const pipeline = createModelPipeline({ options, mesh: meshHolder, logger: logs.scoped('model') });
  components.push({ name: 'model', close: () => pipeline.close() });
  const validator = createValidator({ domain: options.domain });
  for (const problem of validator.problems) log.error({ code: ErrorCodes.CONFIG_INVALID, problem }, 'CRD schema unusable');
  const fileSource = options.configDir === undefined ? undefined : createFileSource({
    dir: resolve(options.configDir),
    validator,
    sink: pipeline.sink,
    logger: logs.scoped('file-source'),
    watch: true,
  });
  const kubeSource = await kubernetesSource(options, validator, pipeline.sink, logs.scoped('kube-source'), meshHolder);
  // MeshNetworks and remote clusters (istio/multiCluster secrets) feed the same model.
  const multicluster = await createMulticluster({ options, validator, sink: pipeline.sink, pipeline, mesh: meshHolder, logger: logs.scoped('multicluster') });
  // Singleton duties (status writes, istio-ca-root-cert) run on the elected replica only; all serve xDS.
  const leadership = kubeSource ? await createLeadership(options, logs.scoped('leader')) : undefined;
  if (leadership) components.push({ name: 'leader-election', close: () => leadership.close() });
  const statusReporting = kubeSource && leadership ? startStatusReporting({ options, kubeSource, pipeline, leadership, logger: logs.scoped('status') }) : undefined;
  if (statusReporting) components.push({ name: 'status', close: () => statusReporting.close() });
  // Gateway API Gateways of class istio get a ServiceAccount, Deployment and Service (leader only).
  const gatewayDeployment = kubeSource && leadership ? startGatewayDeployment({ options, kubeSource, leadership, logger: logs.scoped('gateway-deployment') }) : undefined;
  if (gatewayDeployment) components.push({ name: 'gateway-deployment', close: () => gatewayDeployment.close() });
  const metrics = createMeshMetrics();
  // Gateway credentialName secrets come from Kubernetes; file mode has none (chains are kept unchecked).
  const credentials = kubeSource ? createGatewayCredentials(kubeSource.secrets) : undefined;
  if (credentials) components.push({ name: 'gateway-credentials', close: () => credentials.close() });
  // BackendTLSPolicy / DestinationRule configmap:// CA bundles come from the ConfigMap cache.
  const caBundles = kubeSource ? createCaBundles(kubeSource.configMaps) : undefined;
  if (caBundles) components.push({ name: 'ca-bundles', close: () => caBundles.close() });
  // RequestAuthentication jwksUri key sets, fetched here and inlined into jwt_authn filters.
  const jwks = createDaemonJwksResolver(options, metrics, logs.scoped('jwks'));
  components.push({ name: 'jwks-resolver', close: () => jwks.close() });
  const ads = createXdsServer({ options, mesh: meshHolder, pipeline, metrics, logger: logs.scoped('ads'), jwks, ...(credentials ? { credentials } : {}), ...(caBundles ? { caBundles } : {}) });
  let secure: SecurePort | undefined;
  try {
    // The CA first: an unusable plugged-in bundle or JWT_RULE stops the daemon before it listens.
    if (options.secureGRPCAddr !== '') {
      secure = await startSecurePort({ options, trustDomain: mesh.trustDomain, ads, caMetrics: metrics.ca, caRootMetrics: metrics.caRoots, logs, onSecretAccessChange: pushSecretAccessChange(pipeline, ads, logs.scoped('ads')), ...(leadership ? { rootCertLeader: leadership.election(ELECTION_IDS.namespaceController) } : {}) });
      components.push({ name: 'ca', close: () => secure!.close() });
    }
    const baseViews = debugViews({ pipeline, mesh: () => meshHolder.current(), options, version, ads, jwks, ...(fileSource ? { fileSource } : {}), ...(kubeSource ? { kubeSource } : {}), ...(secure ? { cert: secure.certView } : {}) });
    const withLeader = leadership ? { ...baseViews, routes: { ...baseViews.routes, ...leaderzRoute(leadership, statusReporting) } } : baseViews;
    const views = { ...withLeader, routes: { ...withLeader.routes, ...multicluster.routes } };
    const http = await startHttpServer(parseListenAddress(options.httpAddr)!, views, logs.scoped('http'));
    components.push({ name: 'http', close: () => http.close() });
    log.info({ httpAddr: options.httpAddr, port: http.port, version }, 'http server listening');
    const grpcAddr = parseListenAddress(options.grpcAddr)!;
    const grpcPort = await listenOrExplain(options.grpcAddr, () => ads.listen(grpcAddr.host || '0.0.0.0', grpcAddr.port));
    components.push({ name: 'ads', close: () => ads.close() });
    log.info({ grpcAddr: options.grpcAddr, port: grpcPort }, 'xds server listening');
    if (secure) {
      const securePort = await listenOrExplain(options.secureGRPCAddr, () => secure!.listen());
      log.info({ secureGRPCAddr: options.secureGRPCAddr, port: securePort }, 'secure xds server listening');
      // The webhook port presents the same serving certificate, so it runs only with the CA.
      const tls = { ...secure.serving, roots: secure.roots, onRootsChange: secure.onRootsChange };
      const webhooks = await startWebhooks({ options, tls, mesh: meshHolder, validator, metrics: metrics.webhooks, logs, ...(kubeSource ? { kubeSource } : {}), ...(leadership ? { leadership } : {}) });
      if (webhooks) components.push({ name: 'webhooks', close: () => webhooks.close() });
    }
    const monitoringViews = { ready: views.ready, routes: { ...views.routes, '/metrics': async () => metricsReply(await metrics.render()) } };
    const monitoring = await startHttpServer(parseListenAddress(options.monitoringAddr)!, monitoringViews, logs.scoped('monitoring'));
    components.push({ name: 'monitoring', close: () => monitoring.close() });
    log.info({ monitoringAddr: options.monitoringAddr, port: monitoring.port }, 'monitoring server listening');
    // Sources close before the servers: nothing new reaches the model while it drains.
    if (fileSource) components.push({ name: 'file-source', close: () => fileSource.close() });
    if (kubeSource) components.push({ name: 'kube-source', close: () => kubeSource.close() });
    components.push({ name: 'multicluster', close: () => multicluster.close() });
    const signal = waitForSignal(log);
    // /ready and ADS stay closed until every source synced (the pipeline holds snapshots back).
    if (await syncSources([fileSource, kubeSource, multicluster], signal)) {
      await pipeline.sourcesSynced();
      await signal;
    }
  } catch (err) {
    await closeAll(components, log);
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      const addr = (err as { address?: string; port?: number }).port === parseListenAddress(options.monitoringAddr)?.port ? options.monitoringAddr : options.httpAddr;
      throw new UserError(ErrorCodes.SERVER_LISTEN, `cannot listen on ${addr}: address already in use`);
    }
    throw err;
  }
  await closeAll(components, log);
  log.info('stopped');
  logs.flush();
  return 0;
}
