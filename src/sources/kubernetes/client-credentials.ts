/**
 * The plain connection facts of a @kubernetes/client-node KubeConfig — server URL, CA bundle,
 * bearer token and client certificate — for the security layer's own small API client
 * (TokenReview, istio-ca-secret, istio-ca-root-cert), which must not depend on the library.
 * Files are read here once, except the token: it is re-read on every call so a rotated
 * projected service-account token (in-cluster, or a kubeconfig's tokenFile provider) is used.
 */
import { readFileSync } from 'node:fs';
import type { KubeConfig } from '@kubernetes/client-node';

export interface KubeCredentials {
  readonly server: string;
  readonly caPem?: string;
  readonly token?: () => string | undefined;
  readonly clientCertPem?: string;
  readonly clientKeyPem?: string;
}

/** kubeconfig `*-data` fields are base64; `*` file fields are paths (made absolute by the library). */
function dataOrFile(data: string | undefined | null, file: string | undefined | null, what: string): string | undefined {
  if (data) return Buffer.from(data, 'base64').toString('utf8');
  if (!file) return undefined;
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`cannot read the ${what} file ${file}: ${(err as Error).message}`);
  }
}

/** The token, freshly read; undefined (and the request goes unauthenticated) when the file vanished. */
function tokenReader(user: NonNullable<ReturnType<KubeConfig['getCurrentUser']>>): (() => string | undefined) | undefined {
  if (user.token) {
    const token = user.token;
    return () => token;
  }
  const file: unknown = user.authProvider?.config?.tokenFile;
  if (typeof file !== 'string' || file === '') return undefined;
  return () => {
    try {
      return readFileSync(file, 'utf8').trim() || undefined;
    } catch {
      return undefined;
    }
  };
}

/** Throws with a clear reason when the config has no current cluster or a referenced file is unreadable. */
export function kubeCredentials(kc: KubeConfig): KubeCredentials {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error(`the Kubernetes client config names no current cluster (current-context "${kc.getCurrentContext()}")`);
  if (cluster.skipTLSVerify) throw new Error(`cluster ${cluster.name}: insecure-skip-tls-verify is not supported for the CA's API calls`);
  const user = kc.getCurrentUser();
  const caPem = dataOrFile(cluster.caData, cluster.caFile, 'certificate-authority');
  const clientCertPem = user ? dataOrFile(user.certData, user.certFile, 'client-certificate') : undefined;
  const clientKeyPem = user ? dataOrFile(user.keyData, user.keyFile, 'client-key') : undefined;
  const token = user ? tokenReader(user) : undefined;
  return {
    server: cluster.server,
    ...(caPem ? { caPem } : {}),
    ...(token ? { token } : {}),
    ...(clientCertPem ? { clientCertPem } : {}),
    ...(clientKeyPem ? { clientKeyPem } : {}),
  };
}
