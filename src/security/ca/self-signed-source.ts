/**
 * The self-signed root of trust: loaded from (or created into) a RootStore, and re-issued with
 * the same key before it expires, on Istio's schedule (CITADEL_SELF_SIGNED_ROOT_CERT_CHECK_INTERVAL
 * 1h, rotate when less than CITADEL_SELF_SIGNED_ROOT_CERT_GRACE_PERIOD_PERCENTILE = 20% of its
 * lifetime is left).
 */
import { createPrivateKey, createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import { Certificate } from '@peculiar/asn1-x509';
import { silentLogger, type Logger } from '../../lib/logger.js';
import { createSelfSignedRoot, generateRootKey, SELF_SIGNED_ROOT_TTL_SECONDS, type RootKeyType } from './root-cert.js';
import type { RootStore, StoredRoot } from './root-store.js';
import { ChangeListeners, loadSigner, type Signer, type SignerSource } from './signer.js';

export const DEFAULT_ROOT_CHECK_INTERVAL_MS = 3600 * 1000;
export const DEFAULT_ROOT_GRACE_PERIOD_PERCENTILE = 20;

export interface SelfSignedSourceOptions {
  readonly trustDomain: string;
  readonly store: RootStore;
  readonly now: () => Date;
  readonly rootTtlSeconds?: number;
  readonly checkIntervalMs?: number;
  readonly gracePeriodPercentile?: number;
  readonly keyType?: RootKeyType;
  readonly logger?: Logger;
}

export interface SelfSignedSource extends SignerSource {
  /** Re-issues the root if it is inside its grace period; true when it did. The timer calls this too. */
  checkRotation(): Promise<boolean>;
}

export async function startSelfSignedSource(opts: SelfSignedSourceOptions): Promise<SelfSignedSource> {
  const log = opts.logger ?? silentLogger;
  const stored = await opts.store.load();
  let root = stored ? validateStored(stored, opts.store.description) : await createAndSave(opts);
  let signer = signerOf(root);
  const listeners = new ChangeListeners<Signer>();

  let inFlight: Promise<boolean> | undefined;
  /** Serialized: overlapping timer ticks must not rotate twice. */
  function checkRotation(): Promise<boolean> {
    inFlight ??= rotateIfDue().finally(() => (inFlight = undefined));
    return inFlight;
  }

  async function rotateIfDue(): Promise<boolean> {
    if (!needsRotation(signer.cert, opts.now(), opts.gracePeriodPercentile ?? DEFAULT_ROOT_GRACE_PERIOD_PERCENTILE)) return false;
    const certPem = createSelfSignedRoot({
      key: root.key,
      organization: opts.trustDomain,
      subject: AsnConvert.parse(signer.cert.raw, Certificate).tbsCertificate.subject,
      now: opts.now(),
      ttlSeconds: opts.rootTtlSeconds ?? SELF_SIGNED_ROOT_TTL_SECONDS,
    });
    const winner = await opts.store.save({ certPem, keyPem: root.keyPem });
    // Another replica rotated first (shared store): adopt its root so all replicas agree.
    root = winner ? validateStored(winner, opts.store.description) : { ...root, certPem };
    signer = signerOf(root);
    log.info({ serial: signer.cert.serialNumber, notAfter: signer.cert.validTo }, 'self-signed root certificate rotated (same key)');
    listeners.emit(signer);
    return true;
  }

  await checkRotation();
  const timer = setInterval(() => {
    checkRotation().catch((err: Error) => log.error({ err: err.message }, 'self-signed root rotation failed; will retry'));
  }, opts.checkIntervalMs ?? DEFAULT_ROOT_CHECK_INTERVAL_MS);
  timer.unref();
  return {
    current: () => signer,
    onChange: (l) => listeners.add(l),
    checkRotation,
    close: async () => clearInterval(timer),
  };
}

interface LoadedRoot {
  readonly certPem: string;
  readonly keyPem: string;
  readonly key: KeyObject;
}

function signerOf(root: LoadedRoot): Signer {
  return loadSigner({ certPem: root.certPem, keyPem: root.keyPem, intermediatePems: [], rootPems: [root.certPem] });
}

/** Istio's rule: rotate once less than `percentile`% of the root's lifetime remains. */
export function needsRotation(cert: X509Certificate, now: Date, percentile: number): boolean {
  const from = Date.parse(cert.validFrom);
  const to = Date.parse(cert.validTo);
  return to - now.getTime() < ((to - from) * percentile) / 100;
}

async function createAndSave(opts: SelfSignedSourceOptions): Promise<LoadedRoot> {
  const key = generateRootKey(opts.keyType);
  const keyPem = key.export({ type: 'pkcs8', format: 'pem' }) as string;
  const certPem = createSelfSignedRoot({ key, organization: opts.trustDomain, now: opts.now(), ttlSeconds: opts.rootTtlSeconds });
  const winner = await opts.store.save({ certPem, keyPem });
  // Another replica created the shared root first: use theirs, never two roots in one mesh.
  if (winner) return validateStored(winner, opts.store.description);
  return { certPem, keyPem, key };
}

/** A stored root that is unusable is an error to fix, never silently replaced (leaves would stop verifying). */
function validateStored(stored: StoredRoot, where: string): LoadedRoot {
  try {
    const key = createPrivateKey(stored.keyPem);
    const cert = new X509Certificate(stored.certPem);
    if (!cert.ca) throw new Error('the certificate is not a CA (basicConstraints CA:FALSE)');
    const certKey = cert.publicKey.export({ type: 'spki', format: 'der' });
    if (!createPublicKey(key).export({ type: 'spki', format: 'der' }).equals(certKey)) throw new Error('the key does not match the certificate');
    return { certPem: stored.certPem, keyPem: stored.keyPem, key };
  } catch (err) {
    throw new Error(`self-signed root in ${where} is unusable: ${(err as Error).message}`);
  }
}
