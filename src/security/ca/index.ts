/**
 * The workload CA's public surface. Callers (CreateCertificate service, bootstrap, debug views)
 * import from here only.
 */
import { silentLogger, type Logger } from '../../lib/logger.js';
import { detectBundleFormat } from './plugged-bundle.js';
import { startPluggedSource } from './plugged-source.js';
import type { RootKeyType } from './root-cert.js';
import { memoryRootStore, type RootStore } from './root-store.js';
import { startSelfSignedSource } from './self-signed-source.js';
import { createSignPool } from './sign-pool.js';
import { inProcessBackend, type SigningBackend } from './signing-backend.js';
import type { SignerSource } from './signer.js';
import { DEFAULT_TTL_POLICY, type TtlPolicy } from './ttl.js';
import { assembleWorkloadCa, type ManagedWorkloadCa } from './workload-ca.js';

export * from './types.js';
export { createCsr, verifyCsr, type CsrOptions } from './csr.js';
export { spiffeIdOf } from './workload-cert.js';
export { DEFAULT_WORKLOAD_CERT_TTL_SECONDS, MAX_WORKLOAD_CERT_TTL_SECONDS, type TtlPolicy } from './ttl.js';
export { directoryRootStore, memoryRootStore, type RootStore, type StoredRoot } from './root-store.js';
export { kubeSecretRootStore, CA_SECRET_NAME, CA_SECRET_TYPE, type KubeSecretRootStoreOptions } from './k8s-secret-store.js';
export { detectBundleFormat, type BundleFormat } from './plugged-bundle.js';
export type { ReloadOutcome } from './plugged-source.js';
export type { ManagedWorkloadCa } from './workload-ca.js';
export type { Signer, SignerSpec } from './signer.js';
export type { RootKeyType } from './root-cert.js';

export interface CommonCaOptions {
  readonly trustDomain: string;
  /** The clock (tests compress time with it). */
  readonly now?: () => Date;
  readonly ttlPolicy?: TtlPolicy;
  /** Signing worker threads; default: the CPU count. 0 signs in-process (on the event loop). */
  readonly signingWorkers?: number;
  /** Requests waiting for a signing worker before new ones get Unavailable; default 1024. */
  readonly maxSignQueue?: number;
  readonly logger?: Logger;
}

export interface SelfSignedCaOptions extends CommonCaOptions {
  /** Where the root persists; default: memory (a new root each start). */
  readonly rootStore?: RootStore;
  /** Default 'rsa-2048' as Istio; 'ec-p256' is much faster to generate. */
  readonly rootKeyType?: RootKeyType;
  /** CITADEL_SELF_SIGNED_CA_CERT_TTL; default 10 years. */
  readonly rootTtlSeconds?: number;
  /** CITADEL_SELF_SIGNED_ROOT_CERT_CHECK_INTERVAL; default 1 hour. */
  readonly rootCheckIntervalMs?: number;
  /** CITADEL_SELF_SIGNED_ROOT_CERT_GRACE_PERIOD_PERCENTILE; default 20. */
  readonly rootGracePeriodPercentile?: number;
}

export interface PluggedCaOptions extends CommonCaOptions {
  /** The plugged-in CA directory (Istio: /etc/cacerts). */
  readonly caDir: string;
  readonly reloadDebounceMs?: number;
  readonly reloadPollIntervalMs?: number;
  /** Told why a changed bundle was refused (the previous one keeps signing). */
  readonly onReloadError?: (err: Error) => void;
}

/** A CA with a self-signed root (created, or loaded from the store), rotated before expiry with the same key. */
export async function createSelfSignedWorkloadCa(opts: SelfSignedCaOptions): Promise<ManagedWorkloadCa> {
  const now = opts.now ?? (() => new Date());
  const source = await startSelfSignedSource({
    trustDomain: opts.trustDomain,
    store: opts.rootStore ?? memoryRootStore(),
    now,
    rootTtlSeconds: opts.rootTtlSeconds,
    checkIntervalMs: opts.rootCheckIntervalMs,
    gracePeriodPercentile: opts.rootGracePeriodPercentile,
    keyType: opts.rootKeyType,
    logger: opts.logger ?? silentLogger,
  });
  return assemble(opts, source, now);
}

/** A CA signing with a plugged-in bundle from `caDir`, hot-reloaded. Rejects with CaBundleError when unusable. */
export async function createPluggedWorkloadCa(opts: PluggedCaOptions): Promise<ManagedWorkloadCa> {
  const now = opts.now ?? (() => new Date());
  const source = await startPluggedSource({
    dir: opts.caDir,
    now,
    logger: opts.logger ?? silentLogger,
    debounceMs: opts.reloadDebounceMs,
    pollIntervalMs: opts.reloadPollIntervalMs,
    onReloadError: opts.onReloadError,
  });
  return assemble(opts, source, now);
}

/** Istio's choice: a plugged-in CA when `caDir` holds CA files, otherwise a self-signed root. */
export async function createWorkloadCa(opts: SelfSignedCaOptions & Partial<Pick<PluggedCaOptions, 'caDir' | 'onReloadError'>>): Promise<ManagedWorkloadCa> {
  if (opts.caDir && (await detectBundleFormat(opts.caDir))) return createPluggedWorkloadCa({ ...opts, caDir: opts.caDir });
  return createSelfSignedWorkloadCa(opts);
}

function assemble(opts: CommonCaOptions, source: SignerSource, now: () => Date): ManagedWorkloadCa {
  const ttlPolicy = opts.ttlPolicy ?? DEFAULT_TTL_POLICY;
  const backend: SigningBackend =
    opts.signingWorkers === 0
      ? inProcessBackend(opts.trustDomain, ttlPolicy)
      : createSignPool({ trustDomain: opts.trustDomain, ttlPolicy, size: opts.signingWorkers, maxQueue: opts.maxSignQueue });
  return assembleWorkloadCa({ trustDomain: opts.trustDomain, source, backend, now });
}
export {
  DEFAULT_SERVING_CERT_TTL_SECONDS,
  istiodDnsNames,
  issueServingCert,
  startServingCertRenewer,
  type ServingCert,
  type ServingCertOptions,
  type ServingCertRenewer,
  type ServingCertRenewerOptions,
  type ServingKeyType,
} from './serving-cert.js';
