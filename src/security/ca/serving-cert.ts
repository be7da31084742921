/**
 * istiod's own serving certificate (ports 15012 and 15017), signed by the workload CA with DNS
 * SANs istiod.<ns>.svc, istiod-remote.<ns>.svc, istio-pilot.<ns>.svc plus extra hosts; renewed
 * before it expires and whenever the CA's signer or roots change.
 */
import { generateKeyPairSync, X509Certificate, type KeyObject } from 'node:crypto';
import { silentLogger, type Logger } from '../../lib/logger.js';
import type { Signer } from './signer.js';
import type { ManagedWorkloadCa } from './workload-ca.js';
import { issueLeaf } from './workload-cert.js';

export interface ServingCert {
  /** Leaf then intermediates (what a TLS server presents). */
  readonly certChainPem: string;
  readonly keyPem: string;
  /** The roots clients should trust (the signing root first). */
  readonly rootsPem: string;
  readonly dnsNames: readonly string[];
  readonly notBefore: Date;
  readonly notAfter: Date;
}

export type ServingKeyType = 'rsa-2048' | 'ec-p256';

export interface ServingCertOptions {
  /** istiod's namespace (istio-system). */
  readonly namespace: string;
  /** --istiodHost extras. */
  readonly extraHosts?: readonly string[];
  /** Default 24h, like a workload certificate. */
  readonly ttlSeconds?: number;
  /** Default 'rsa-2048' (Istio's); 'ec-p256' is cheaper. */
  readonly keyType?: ServingKeyType;
  readonly now?: () => Date;
}

export const DEFAULT_SERVING_CERT_TTL_SECONDS = 24 * 3600;

export function istiodDnsNames(namespace: string, extraHosts: readonly string[] = []): string[] {
  const names = [`istiod.${namespace}.svc`, `istiod-remote.${namespace}.svc`, `istio-pilot.${namespace}.svc`, ...extraHosts];
  return [...new Set(names.filter((n) => n.length > 0))];
}

/** Issues a fresh key and certificate with the current signer. Synchronous (rare; not on the CSR path). */
export function issueServingCert(signer: Signer, opts: ServingCertOptions): ServingCert {
  const now = (opts.now ?? (() => new Date()))();
  const key = generateServingKey(opts.keyType ?? 'rsa-2048');
  const dnsNames = istiodDnsNames(opts.namespace, opts.extraHosts);
  const leafPem = issueLeaf({ signer, now }, key.publicKey, { dnsNames }, opts.ttlSeconds ?? DEFAULT_SERVING_CERT_TTL_SECONDS);
  const roots = signer.spec.rootPems;
  const intermediates = signer.chainPems.filter((p) => !roots.includes(p));
  const leaf = new X509Certificate(leafPem);
  return {
    certChainPem: [leafPem, ...intermediates].join(''),
    keyPem: key.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    rootsPem: roots.join(''),
    dnsNames,
    notBefore: new Date(leaf.validFrom),
    notAfter: new Date(leaf.validTo),
  };
}

function generateServingKey(type: ServingKeyType): { privateKey: KeyObject; publicKey: KeyObject } {
  return type === 'ec-p256' ? generateKeyPairSync('ec', { namedCurve: 'prime256v1' }) : generateKeyPairSync('rsa', { modulusLength: 2048 });
}

export interface ServingCertRenewerOptions extends ServingCertOptions {
  /** Renew once this fraction of the lifetime has passed; default 0.8. */
  readonly renewAtFraction?: number;
  /** How often to look at the clock; default 60 s (tests compress time with `now`). */
  readonly checkIntervalMs?: number;
  /** Called with every new certificate (not with the first one, which start returns). */
  readonly onRenewed: (cert: ServingCert) => void;
  readonly logger?: Logger;
}

export interface ServingCertRenewer {
  current(): ServingCert;
  close(): void;
}

/** Issues istiod's serving certificate now and keeps it fresh (expiry, root or signer change). */
export function startServingCertRenewer(ca: ManagedWorkloadCa, opts: ServingCertRenewerOptions): ServingCertRenewer {
  const log = opts.logger ?? silentLogger;
  const now = opts.now ?? (() => new Date());
  let cert = issueServingCert(ca.currentSigner(), opts);
  const renew = (why: string): void => {
    try {
      cert = issueServingCert(ca.currentSigner(), opts);
      log.info({ why, notAfter: cert.notAfter.toISOString() }, 'istiod serving certificate renewed');
      opts.onRenewed(cert);
    } catch (err) {
      log.error({ why, err: (err as Error).message }, 'istiod serving certificate renewal failed; will retry');
    }
  };
  const renewAt = (): number => {
    const from = cert.notBefore.getTime();
    return from + (cert.notAfter.getTime() - from) * (opts.renewAtFraction ?? 0.8);
  };
  const unsubscribe = ca.onChange(() => renew('the CA signer or roots changed'));
  const timer = setInterval(() => {
    if (now().getTime() >= renewAt()) renew('the certificate is close to expiry');
  }, opts.checkIntervalMs ?? 60_000);
  timer.unref();
  return {
    current: () => cert,
    close() {
      clearInterval(timer);
      unsubscribe();
    },
  };
}
