/**
 * The composition root of `istiod-ts discovery`: builds every component with explicit
 * dependencies, starts them in order (HTTP first so /ready can say 503 while sources sync),
 * and stops them in reverse order on SIGTERM/SIGINT.
 */
import { resolve } from 'node:path';
import { parseListenAddress, type Options } from '../config/options.js';
import { ErrorCodes, UserError } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';
import { createValidator } from '../model/validation/validate.js';
import { createFileSource } from '../sources/file/file-source.js';
import { Reply, startHttpServer } from '../debug/http-server.js';
import { createMeshMetrics } from '../debug/metrics.js';
import { createRootLogger } from './logging.js';
import { loadMeshConfig } from './load-mesh-config.js';
import { createModelPipeline } from './model-pipeline.js';
import { debugViews } from './debug-views.js';
import { createXdsServer } from './xds.js';
import { startSecurePort, type SecurePort } from './secure-port.js';

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

export async function runDiscovery(options: Options, version: string): Promise<number> {
  const logs = createRootLogger(options.logLevels);
  const log = logs.scoped('bootstrap');
  if (!options.configDir) {
    if (options.kubeconfig) throw new UserError(ErrorCodes.SOURCE_UNAVAILABLE, 'Kubernetes sources (--kubeconfig) are not available in this version; use --configDir DIR');
    throw new UserError(ErrorCodes.CLI_USAGE, 'discovery needs a config source: --configDir DIR');
  }
  const mesh = await loadMeshConfig(options.meshConfigFile);
  const components: Closable[] = [];
  const pipeline = createModelPipeline({ options, mesh, logger: logs.scoped('model') });
  components.push({ name: 'model', close: () => pipeline.close() });
  const validator = createValidator({ domain: options.domain });
  for (const problem of validator.problems) log.error({ code: ErrorCodes.CONFIG_INVALID, problem }, 'CRD schema unusable');
  const fileSource = createFileSource({
    dir: resolve(options.configDir),
    validator,
    sink: pipeline.sink,
    logger: logs.scoped('file-source'),
    watch: true,
  });
  const metrics = createMeshMetrics();
  const ads = createXdsServer({ options, mesh, pipeline, metrics, logger: logs.scoped('ads') });
  let secure: SecurePort | undefined;
  try {
    // The CA first: an unusable plugged-in bundle or JWT_RULE stops the daemon before it listens.
    if (options.secureGRPCAddr !== '') {
      secure = await startSecurePort({ options, trustDomain: mesh.trustDomain, ads, caMetrics: metrics.ca, caRootMetrics: metrics.caRoots, logs });
      components.push({ name: 'ca', close: () => secure!.close() });
    }
    const views = debugViews({ pipeline, fileSource, mesh, options, version, ads, ...(secure ? { cert: secure.certView } : {}) });
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
    }
    const monitoringViews = { ready: views.ready, routes: { ...views.routes, '/metrics': async () => metricsReply(await metrics.render()) } };
    const monitoring = await startHttpServer(parseListenAddress(options.monitoringAddr)!, monitoringViews, logs.scoped('monitoring'));
    components.push({ name: 'monitoring', close: () => monitoring.close() });
    log.info({ monitoringAddr: options.monitoringAddr, port: monitoring.port }, 'monitoring server listening');
    await fileSource.start();
    components.push({ name: 'file-source', close: () => fileSource.close() });
    pipeline.sourcesSynced();
    await waitForSignal(log);
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
