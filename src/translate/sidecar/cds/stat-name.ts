/**
 * MeshConfig `outboundClusterStatName` / `inboundClusterStatName`: a pattern for the clusters'
 * alt_stat_name (Envoy's stats prefix), with Istio's substitutions:
 *   %SERVICE%            short host: `<name>.<namespace>` for Kubernetes services, else the host
 *   %SERVICE_NAME%       the Kubernetes service name, else the host
 *   %SERVICE_FQDN%       the service hostname
 *   %SUBSET_NAME%        the subset ('' for the default cluster and inbound)
 *   %TARGET_PORT%        the inbound cluster's port (0 for outbound clusters, as in Istio)
 *   %SERVICE_PORT%       the service port number
 *   %SERVICE_PORT_NAME%  the service port name
 * Like every alt_stat_name Istio sets, the result ends with the `;` delimiter.
 */
import type { MeshService, MeshServicePort } from '../../../model/registry/types.js';

export interface StatNameInput {
  readonly service: MeshService;
  readonly port: MeshServicePort;
  readonly subset: string;
  readonly targetPort: number;
}

const isKube = (s: MeshService) => s.source === 'Kubernetes';

/** The pattern with every placeholder replaced, in Istio's order. */
export function buildStatPrefix(pattern: string, input: StatNameInput): string {
  const { service, port } = input;
  const substitutions: readonly (readonly [string, string])[] = [
    ['%SERVICE%', isKube(service) ? `${service.name}.${service.namespace}` : service.hostname],
    ['%SERVICE_NAME%', isKube(service) ? service.name : service.hostname],
    ['%SERVICE_FQDN%', service.hostname],
    ['%SUBSET_NAME%', input.subset],
    ['%TARGET_PORT%', String(input.targetPort)],
    ['%SERVICE_PORT%', String(port.port)],
    ['%SERVICE_PORT_NAME%', port.name],
  ];
  return substitutions.reduce((out, [placeholder, value]) => out.split(placeholder).join(value), pattern);
}

/** The alt_stat_name for a cluster when the mesh sets a pattern, else undefined (keep `<name>;`). */
export function patternedStatName(pattern: string | undefined, input: StatNameInput): string | undefined {
  return pattern ? `${buildStatPrefix(pattern, input)};` : undefined;
}
