/**
 * Builds the @kubernetes/client-node KubeConfig for a client choice (client-choice.ts), and the
 * list/watch transport on top of it. Imported lazily: only a daemon that talks to Kubernetes
 * pays for loading the client library.
 */
import { KubeConfig } from '@kubernetes/client-node';
import type { KubeClientChoice } from './client-choice.js';
import { createKubeTransport } from './kube-transport.js';
import type { ListWatchTransport } from './transport.js';

export type KubeClientTarget = Exclude<KubeClientChoice, { mode: 'none' }>;

/** Builds the client config; throws (with the library's reason) when a file is missing or bad. */
export function loadKubeConfig(choice: KubeClientTarget): KubeConfig {
  const kc = new KubeConfig();
  if (choice.mode === 'kubeconfig') {
    kc.loadFromFile(choice.file);
    if (!kc.getCurrentCluster()) throw new Error(`${choice.file} names no current cluster (current-context "${kc.getCurrentContext()}")`);
    return kc;
  }
  // What loadFromCluster() builds, with host and port from Options instead of the environment.
  kc.loadFromClusterAndUser(
    { name: 'inCluster', server: choice.server, caFile: `${choice.serviceAccountDir}/ca.crt`, skipTLSVerify: false },
    { name: 'inClusterUser', authProvider: { name: 'tokenFile', config: { tokenFile: `${choice.serviceAccountDir}/token` } } },
  );
  return kc;
}

/** The transport informers use; throws like loadKubeConfig. */
export function connectKube(choice: KubeClientTarget): ListWatchTransport {
  return createKubeTransport(loadKubeConfig(choice));
}
