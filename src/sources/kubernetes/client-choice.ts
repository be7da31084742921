/**
 * Which Kubernetes client config the daemon uses: `--kubeconfig FILE`, or in-cluster (the pod's
 * service account) when running in a pod without --kubeconfig and without --configDir.
 * A pure function of Options (the CLI copies KUBERNETES_SERVICE_HOST/PORT in). Kept apart from
 * client-config.ts so that choosing does not load @kubernetes/client-node.
 */
import { isIPv6 } from 'node:net';
import type { Options } from '../../config/options.js';

/** Where Kubernetes mounts a pod's service account credentials. */
export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

export type KubeClientChoice =
  | { readonly mode: 'kubeconfig'; readonly file: string }
  | { readonly mode: 'in-cluster'; readonly server: string; readonly serviceAccountDir: string }
  | { readonly mode: 'none' };

type ClientOptions = Pick<Options, 'kubeconfig' | 'configDir' | 'kubernetesServiceHost' | 'kubernetesServicePort'>;

export function chooseKubeClient(options: ClientOptions, serviceAccountDir = SERVICE_ACCOUNT_DIR): KubeClientChoice {
  if (options.kubeconfig) return { mode: 'kubeconfig', file: options.kubeconfig };
  const host = options.kubernetesServiceHost;
  if (options.configDir !== undefined || !host) return { mode: 'none' };
  const port = options.kubernetesServicePort || '443';
  // client-go's rule: these ports are the API server's plaintext ones.
  const scheme = port === '80' || port === '8080' || port === '8001' ? 'http' : 'https';
  const hostPart = isIPv6(host) ? `[${host}]` : host;
  return { mode: 'in-cluster', server: `${scheme}://${hostPart}:${port}`, serviceAccountDir };
}

