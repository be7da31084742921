/**
 * `istiod-ts agent`: obtains the workload's certificate from istiod's CA with a fresh key,
 * writes it where gRPC's file_watcher provider reads it, renews at a random point of its
 * lifetime (renewal.ts), retries failures with backoff, and writes the gRPC xDS bootstrap once
 * the first certificate is in place (so a gRPC app started after it finds its files ready).
 */
import { readFile } from 'node:fs/promises';
import { hostname, networkInterfaces } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../lib/logger.js';
import { createCaClient, type CaClient } from './ca-client.js';
import { certFilePaths, writeCertFiles, writeFileAtomically } from './cert-files.js';
import { buildGrpcBootstrap } from './grpc-bootstrap.js';
import { checkIssuedCert, type IssuedCert } from './issued-cert.js';
import { describeKeyType, newWorkloadKey } from './key-material.js';
import type { AgentOptions } from './options.js';
import { renewalDelay, retryDelay } from './renewal.js';

export interface AgentDeps {
  readonly logger: Logger;
  readonly random?: () => number;
  /** The workload IP when INSTANCE_IP is unset; default: the first non-internal IPv4 address. */
  readonly hostIp?: () => string;
}

export interface RunningAgent {
  /** Resolves when the first certificate has been written. */
  readonly ready: Promise<void>;
  close(): Promise<void>;
}

type Attempt = { ok: true; cert: IssuedCert; receivedAtMs: number } | { ok: false; reason: string; fields?: Record<string, unknown> };

function firstHostIp(): string {
  for (const list of Object.values(networkInterfaces())) {
    const found = list?.find((a) => a.family === 'IPv4' && !a.internal);
    if (found) return found.address;
  }
  return '127.0.0.1';
}

async function readText(path: string, what: string): Promise<{ ok: true; text: string } | { ok: false; reason: string }> {
  try {
    const text = (await readFile(path, 'utf8')).trim();
    return text === '' ? { ok: false, reason: `${what} ${path} is empty` } : { ok: true, text };
  } catch (err) {
    return { ok: false, reason: `cannot read ${what} ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` };
  }
}

/** Node timers overflow past ~24.8 days (a 90-day certificate renews later than that): wait in slices. */
const MAX_TIMER_MS = 2 ** 31 - 1;

async function sleepFor(ms: number, signal: AbortSignal): Promise<void> {
  const until = Date.now() + ms;
  for (let left = ms; left > 0 && !signal.aborted; left = until - Date.now()) {
    await sleep(Math.min(left, MAX_TIMER_MS), undefined, { signal }).catch(() => undefined);
  }
}

export function startAgent(options: AgentOptions, deps: AgentDeps): RunningAgent {
  const log = deps.logger;
  const random = deps.random ?? Math.random;
  const abort = new AbortController();
  let client: { roots: string; client: CaClient } | undefined;
  let bootstrapFor: string | undefined;
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (markReady = resolve));

  function clientFor(roots: string): CaClient {
    if (client?.roots !== roots) {
      client?.client.close();
      client = { roots, client: createCaClient({ address: options.caAddr, rootsPem: roots, serverName: options.caServerName }) };
    }
    return client.client;
  }

  async function attempt(): Promise<Attempt> {
    const roots = await readText(options.caRootCertFile, 'CA root certificate file');
    if (!roots.ok) return roots;
    const token = await readText(options.tokenFile, 'token file');
    if (!token.ok) return token;
    const key = await newWorkloadKey(options.keyType);
    const result = await clientFor(roots.text).createCertificate(key.csrPem, options.secretTtlSeconds, token.text);
    if (!result.ok) return { ok: false, reason: 'CreateCertificate failed', fields: { code: result.code, details: result.details } };
    const receivedAtMs = Date.now();
    const checked = checkIssuedCert(result.chain, key.privateKeyPem);
    if (!checked.ok) return { ok: false, reason: `unusable CreateCertificate response: ${checked.errors.join('; ')}` };
    const cert = checked.value;
    await writeCertFiles(options.outputCertsDir, { certChainPem: cert.certChainPem, keyPem: key.privateKeyPem, rootPem: cert.rootPem });
    return { ok: true, cert, receivedAtMs };
  }

  async function writeBootstrap(cert: IssuedCert): Promise<void> {
    const path = options.grpcXdsBootstrapFile;
    if (!path || bootstrapFor === cert.spiffeId) return;
    const namespace = options.podNamespace ?? cert.namespace;
    const bootstrap = buildGrpcBootstrap({
      discoveryAddress: options.discoveryAddress,
      certFiles: certFilePaths(options.outputCertsDir),
      certRefreshIntervalMs: options.certRefreshIntervalMs,
      workload: {
        ip: options.instanceIp ?? (deps.hostIp ?? firstHostIp)(),
        podName: options.podName ?? hostname(),
        namespace,
        domain: options.domain,
        serviceAccount: options.serviceAccount ?? cert.serviceAccount,
        clusterId: options.clusterId,
        extraMetadata: options.extraMetadata,
      },
    });
    await writeFileAtomically(path, `${JSON.stringify(bootstrap, null, 2)}\n`);
    bootstrapFor = cert.spiffeId;
    log.info({ path, nodeId: (bootstrap.node as { id: string }).id, xdsServer: options.discoveryAddress }, 'gRPC xDS bootstrap written');
  }

  function warnOnMismatch(cert: IssuedCert): void {
    if (options.podNamespace && options.podNamespace !== cert.namespace) log.warn({ identity: cert.spiffeId, podNamespace: options.podNamespace }, 'issued identity is for another namespace than POD_NAMESPACE');
    if (options.serviceAccount && options.serviceAccount !== cert.serviceAccount) log.warn({ identity: cert.spiffeId, serviceAccount: options.serviceAccount }, 'issued identity is for another service account than SERVICE_ACCOUNT');
  }

  async function loop(): Promise<void> {
    let failures = 0;
    while (!abort.signal.aborted) {
      let outcome: Attempt;
      try {
        outcome = await attempt();
      } catch (err) {
        outcome = { ok: false, reason: `cannot write certificate files to ${options.outputCertsDir}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` };
      }
      if (abort.signal.aborted) return;
      let delayMs: number;
      if (outcome.ok) {
        failures = 0;
        const { cert, receivedAtMs } = outcome;
        const next = renewalDelay(options, { receivedAtMs, notAfterMs: cert.notAfterMs }, Date.now(), random);
        log.info({ identity: cert.spiffeId, serial: cert.serialNumber, notAfter: new Date(cert.notAfterMs).toISOString(), dir: options.outputCertsDir, renewInMs: next.delayMs, renewAtFraction: Number(next.atFraction.toFixed(3)) }, 'certificate written');
        warnOnMismatch(cert);
        try {
          await writeBootstrap(cert);
        } catch (err) {
          log.error({ path: options.grpcXdsBootstrapFile, error: (err as Error).message }, 'cannot write the gRPC xDS bootstrap');
        }
        markReady();
        delayMs = next.delayMs;
      } else {
        failures++;
        delayMs = retryDelay(failures, options.initialBackoffMs, options.maxBackoffMs, random);
        log.warn({ ...outcome.fields, reason: outcome.reason, caAddr: options.caAddr, attempt: failures, retryInMs: delayMs }, 'cannot obtain a certificate; will retry');
      }
      await sleepFor(delayMs, abort.signal);
    }
  }

  log.info({ caAddr: options.caAddr, key: describeKeyType(options.keyType), ttlSeconds: options.secretTtlSeconds, outputCerts: options.outputCertsDir }, 'agent starting');
  const running = loop().catch((err: unknown) => log.error({ error: err instanceof Error ? err.stack : String(err) }, 'agent loop failed'));
  return {
    ready,
    async close() {
      abort.abort();
      await running;
      client?.client.close();
    },
  };
}

/** Runs the agent until SIGTERM or SIGINT; exit code 0. */
export async function runAgent(options: AgentOptions, logger: Logger): Promise<number> {
  const agent = startAgent(options, { logger });
  const signal = await new Promise<string>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  logger.info({ signal }, 'shutting down');
  await agent.close();
  return 0;
}
