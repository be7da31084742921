/**
 * The secure gRPC port (--secureGRPCAddr, 15012): one TLS-only server carrying the
 * CreateCertificate service and the same ADS service as 15010, where every xDS stream is
 * authenticated and authorized. istiod's serving certificate comes from the workload CA and is
 * swapped in on renewal and whenever the CA's roots change (client certificates are verified
 * against the current roots).
 */
import { X509Certificate } from 'node:crypto';
import type { Options } from '../config/options.js';
import type { Logger } from '../lib/logger.js';
import type { Authenticator } from '../security/authn/index.js';
import { startServingCertRenewer, type ManagedWorkloadCa, type ServingCert } from '../security/ca/index.js';
import type { CaMetrics } from '../serve/ca-metrics.js';
import { bindTls, createServingCredentials } from '../serve/ca-secure-server.js';
import { registerCaService } from '../serve/ca-service.js';
import type { AdsServer } from '../serve/types.js';
import type { ServingSource } from '../serve/webhook/webhook-server.js';
import { createAuthenticators, createXdsAuthorizer } from './xds-authorizer.js';
import type { SecretAccessCheck } from './gateway-credentials-access.js';

/** What /debug/cert shows about the serving certificate. */
export interface ServingCertInfo {
  readonly dnsNames: readonly string[];
  readonly serialNumber: string;
  readonly notBefore: string;
  readonly notAfter: string;
}

export interface SecureGrpc {
  /** Binds the TLS server (`host:port`); resolves with the bound port. */
  listen(address: string): Promise<number>;
  servingCert(): ServingCertInfo;
  /** The same key pair for the webhook port (15017), with renewal notifications. */
  readonly serving: ServingSource;
  /** Stops renewing; the server itself closes with the ADS server. */
  close(): void;
}

export interface SecureGrpcDeps {
  readonly options: Options;
  readonly ca: ManagedWorkloadCa;
  readonly ads: AdsServer;
  readonly caMetrics: CaMetrics;
  readonly logger: Logger;
  readonly caLogger: Logger;
  /** Kubernetes mode: service-account tokens checked with a TokenReview. */
  readonly tokenReview?: Authenticator;
  /** Whether a gateway's identity may read secrets (SDS of credentialName secrets). */
  readonly secretAccess?: SecretAccessCheck;
}

function describe(cert: ServingCert): ServingCertInfo {
  const x509 = new X509Certificate(cert.certChainPem);
  return { dnsNames: cert.dnsNames, serialNumber: x509.serialNumber, notBefore: cert.notBefore.toISOString(), notAfter: cert.notAfter.toISOString() };
}

export function createSecureGrpc(deps: SecureGrpcDeps): SecureGrpc {
  const { ca, ads, options } = deps;
  if (!ads.secureServer) throw new Error('this ADS server cannot serve the secure port');
  // Built before anything listens: a bad JWT_RULE stops the daemon at start.
  const authenticator = createAuthenticators(ca, options, deps.logger, deps.tokenReview);
  let refresh = (): void => undefined;
  const renewer = startServingCertRenewer(ca, {
    namespace: options.podNamespace,
    extraHosts: options.istiodHosts,
    onRenewed: () => refresh(),
    logger: deps.logger,
  });
  const material = () => ({ certChainPem: renewer.current().certChainPem, keyPem: renewer.current().keyPem, rootsPem: ca.roots().join('') });
  const serving = createServingCredentials(material());
  const servingListeners = new Set<() => void>();
  refresh = () => {
    serving.update(material());
    for (const listener of servingListeners) listener();
  };
  const unsubscribe = ca.onChange(() => refresh());
  const server = ads.secureServer(createXdsAuthorizer(authenticator, ca.trustDomain, deps.secretAccess));
  registerCaService(server, { ca, authenticator, metrics: deps.caMetrics, logger: deps.caLogger });
  return {
    listen: (address) => bindTls(server, address, serving.credentials),
    servingCert: () => describe(renewer.current()),
    serving: {
      current: () => renewer.current(),
      onChange(listener) {
        servingListeners.add(listener);
        return () => void servingListeners.delete(listener);
      },
    },
    close() {
      unsubscribe();
      renewer.close();
    },
  };
}
