/**
 * Starts the workload CA as istiod does: a plugged-in bundle from --caDir when that directory
 * holds CA files (an unusable bundle stops the daemon), otherwise a self-signed root persisted
 * in Secret istio-ca-secret in POD_NAMESPACE (Kubernetes mode) or in --caStateDir (file mode).
 * In file mode the trusted roots are published to <caStateDir>/root-cert.pem (the stand-in for
 * the istio-ca-root-cert ConfigMap, which kube-ca.ts keeps in Kubernetes mode) and rewritten
 * whenever they change.
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Options } from '../config/options.js';
import { ErrorCodes, UserError } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';
import type { KubeClient } from '../security/authn/index.js';
import type { CaRootMetrics } from '../serve/ca-metrics.js';
import {
  CaBundleError,
  createPluggedWorkloadCa,
  createSelfSignedWorkloadCa,
  detectBundleFormat,
  directoryRootStore,
  kubeSecretRootStore,
  CA_SECRET_NAME,
  type BundleFormat,
  type ManagedWorkloadCa,
  type RootStore,
} from '../security/ca/index.js';

/** Where the published roots go, as the ConfigMap key istio-ca-root-cert uses. */
export const ROOT_CERT_FILE = 'root-cert.pem';

export interface StartedCa {
  readonly ca: ManagedWorkloadCa;
  /** 'self-signed', or the plugged-in bundle's format. */
  readonly mode: 'self-signed' | { readonly pluggedIn: BundleFormat; readonly dir: string };
  /** The absolute path of the published roots file; in Kubernetes mode, the ConfigMap's name. */
  readonly rootCertFile: string;
  close(): Promise<void>;
}

/** Sets citadel_server_root_cert_expiry_timestamp from the signing (first) root, as Istio does. */
export function recordRootExpiry(ca: Pick<ManagedWorkloadCa, 'rootsInfo'>, metrics: CaRootMetrics): void {
  const signing = ca.rootsInfo()[0];
  if (signing) metrics.rootCertExpiry(Math.floor(Date.parse(signing.notAfter) / 1000));
}

/** `kube`: Kubernetes mode (root in istio-ca-secret, roots distributed by ConfigMap, not a file). */
export async function startWorkloadCa(options: Options, trustDomain: string, log: Logger, rootMetrics?: CaRootMetrics, kube?: KubeClient): Promise<StartedCa> {
  const caDir = resolve(options.caDir);
  const stateDir = resolve(options.caStateDir);
  const format = await detectBundleFormat(caDir);
  const ca = format ? await pluggedIn(caDir, trustDomain, options, log) : await selfSigned(rootStoreFor(stateDir, options, log, kube), trustDomain, options);
  const rootCertFile = kube ? 'ConfigMap istio-ca-root-cert (every namespace)' : join(stateDir, ROOT_CERT_FILE);
  if (!kube) {
    try {
      await publishRoots(rootCertFile, ca.roots());
    } catch (err) {
      await ca.close();
      throw new UserError(ErrorCodes.CA_STATE_UNUSABLE, `cannot write the CA roots to ${rootCertFile} (--caStateDir): ${(err as Error).message}`);
    }
  }
  if (rootMetrics) recordRootExpiry(ca, rootMetrics);
  const unsubscribe = ca.onChange(() => {
    if (rootMetrics) recordRootExpiry(ca, rootMetrics);
    if (kube) return;
    publishRoots(rootCertFile, ca.roots()).then(
      () => log.info({ file: rootCertFile, roots: ca.roots().length }, 'CA roots republished'),
      (err: unknown) => log.error({ file: rootCertFile, err: (err as Error).message }, 'cannot republish the CA roots'),
    );
  });
  const signing = ca.rootsInfo()[0];
  log.info({ mode: format ? `plugged-in (${format})` : 'self-signed', caDir, rootCertFile, trustDomain, rootSerial: signing?.serialNumber, rootNotAfter: signing?.notAfter }, 'workload CA ready');
  return {
    ca,
    mode: format ? { pluggedIn: format, dir: caDir } : 'self-signed',
    rootCertFile,
    async close() {
      unsubscribe();
      await ca.close();
    },
  };
}

function commonOptions(trustDomain: string, options: Options, log: Logger) {
  return {
    trustDomain,
    ttlPolicy: { defaultTtlSeconds: options.defaultWorkloadCertTtlSeconds, maxTtlSeconds: options.maxWorkloadCertTtlSeconds },
    logger: log,
  };
}

async function pluggedIn(caDir: string, trustDomain: string, options: Options, log: Logger): Promise<ManagedWorkloadCa> {
  try {
    return await createPluggedWorkloadCa({ ...commonOptions(trustDomain, options, log), caDir });
  } catch (err) {
    if (err instanceof CaBundleError) throw new UserError(ErrorCodes.CA_BUNDLE_INVALID, `plugged-in CA (--caDir): ${err.message}`);
    throw new UserError(ErrorCodes.CA_BUNDLE_INVALID, `plugged-in CA (--caDir ${caDir}): ${(err as Error).message}`);
  }
}

interface RootStoreChoice {
  readonly store: RootStore;
  /** For the error message: where the root lives and which setting chose it. */
  readonly where: string;
  readonly log: Logger;
}

function rootStoreFor(stateDir: string, options: Options, log: Logger, kube?: KubeClient): RootStoreChoice {
  if (!kube) return { store: directoryRootStore(stateDir), where: `${stateDir} (--caStateDir)`, log };
  const store = kubeSecretRootStore({ kube, namespace: options.podNamespace, logger: log });
  return { store, where: `Secret ${options.podNamespace}/${CA_SECRET_NAME} (POD_NAMESPACE)`, log };
}

async function selfSigned({ store, where, log }: RootStoreChoice, trustDomain: string, options: Options): Promise<ManagedWorkloadCa> {
  try {
    return await createSelfSignedWorkloadCa({
      ...commonOptions(trustDomain, options, log),
      rootStore: store,
      rootTtlSeconds: options.selfSignedCaCertTtlSeconds,
      rootCheckIntervalMs: options.selfSignedRootCertCheckIntervalMs,
      rootGracePeriodPercentile: options.selfSignedRootCertGracePeriodPercentile,
    });
  } catch (err) {
    throw new UserError(ErrorCodes.CA_STATE_UNUSABLE, `self-signed CA root in ${where}: ${(err as Error).message}`);
  }
}

/** Atomically (write then rename), so a reader never sees half a bundle. */
async function publishRoots(file: string, roots: readonly string[]): Promise<void> {
  await mkdir(resolve(file, '..'), { recursive: true, mode: 0o700 });
  const tmp = `${file}.tmp-${process.pid}`;
  await writeFile(tmp, roots.join(''), { mode: 0o644 });
  await rename(tmp, file);
}
