/**
 * The security half of the daemon: the workload CA, istiod's serving certificate and the
 * secure gRPC port (CA + authorized ADS over TLS), and what /debug/cert shows about them.
 */
import { parseListenAddress, type Options } from '../config/options.js';
import type { CertViewSource } from '../debug/cert-view.js';
import type { CaMetrics, CaRootMetrics } from '../serve/ca-metrics.js';
import type { AdsServer } from '../serve/types.js';
import type { ServingSource } from '../serve/webhook/webhook-server.js';
import type { RootLogger } from './logging.js';
import { createTokenReviewAuthenticator } from '../security/authn/index.js';
import { connectCaKube, startRootDistribution, type RootDistribution } from './kube-ca.js';
import { createSecureGrpc } from './secure-grpc.js';
import type { LeaderElector } from '../sources/kubernetes/leader-election.js';
import { startWorkloadCa } from './workload-ca.js';
import { createSecretAccessCheck } from './gateway-credentials-access.js';

export interface SecurePort {
  readonly certView: CertViewSource;
  /** istiod's serving certificate (also presented on the webhook port). */
  readonly serving: ServingSource;
  /** The CA's current roots (PEM), e.g. for the webhook caBundle; `onRootsChange` on rotation. */
  roots(): string;
  onRootsChange(listener: () => void): () => void;
  /** Binds --secureGRPCAddr; resolves with the bound port. */
  listen(): Promise<number>;
  /** Stops the CA and the certificate renewal (the server closes with the ADS server). */
  close(): Promise<void>;
}

export interface SecurePortDeps {
  readonly options: Options;
  readonly trustDomain: string;
  readonly ads: AdsServer;
  readonly caMetrics: CaMetrics;
  /** citadel_server_root_cert_expiry_* gauges, kept current as the roots change. */
  readonly caRootMetrics?: CaRootMetrics;
  readonly logs: RootLogger;
  /** Kubernetes mode: leadership of the istio-ca-root-cert duty (absent: this replica always publishes). */
  readonly rootCertLeader?: Pick<LeaderElector, 'isLeader' | 'onChange'>;
  /** A gateway identity's right to read secrets changed (re-reviewed): push its namespace's gateways. */
  readonly onSecretAccessChange?: (namespace: string) => void;
}

export async function startSecurePort(deps: SecurePortDeps): Promise<SecurePort> {
  const { options } = deps;
  // Kubernetes mode (a client is configured): TokenReview, istio-ca-secret, istio-ca-root-cert.
  const kube = await connectCaKube(options, deps.logs.scoped('ca'));
  let started;
  try {
    started = await startWorkloadCa(options, deps.trustDomain, deps.logs.scoped('ca'), deps.caRootMetrics, kube?.kube);
  } catch (err) {
    kube?.kube.close();
    throw err;
  }
  let grpc;
  let distribution: RootDistribution | undefined;
  try {
    const tokenReview = kube ? createTokenReviewAuthenticator({ kube: kube.kube }) : undefined;
    const secretAccess = createSecretAccessCheck(kube?.kube);
    if (deps.onSecretAccessChange) secretAccess.onChange(deps.onSecretAccessChange);
    grpc = createSecureGrpc({ options, ca: started.ca, ads: deps.ads, caMetrics: deps.caMetrics, logger: deps.logs.scoped('security'), caLogger: deps.logs.scoped('ca'), secretAccess, ...(tokenReview ? { tokenReview } : {}) });
    if (kube) distribution = startRootDistribution(kube, started.ca, deps.logs.scoped('ca'), deps.rootCertLeader);
  } catch (err) {
    await started.close();
    kube?.kube.close();
    throw err;
  }
  const secureGrpc = grpc;
  const { mode } = started;
  return {
    certView: {
      trustDomain: started.ca.trustDomain,
      mode: mode === 'self-signed' ? 'self-signed' : 'plugged-in',
      ...(mode === 'self-signed' ? {} : { pluggedIn: { dir: mode.dir, format: mode.pluggedIn } }),
      rootCertFile: started.rootCertFile,
      roots: () => started.ca.rootsInfo(),
      servingCert: () => secureGrpc.servingCert(),
    },
    serving: secureGrpc.serving,
    roots: () => started.ca.roots().join(''),
    onRootsChange: (listener) => started.ca.onChange(listener),
    listen() {
      const addr = parseListenAddress(options.secureGRPCAddr)!;
      const host = addr.host || '0.0.0.0';
      return secureGrpc.listen(host.includes(':') ? `[${host}]:${addr.port}` : `${host}:${addr.port}`);
    },
    async close() {
      await distribution?.close();
      secureGrpc.close();
      await started.close();
      kube?.kube.close();
    },
  };
}
