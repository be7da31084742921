/**
 * The identities a client accepts from a service's servers (the SANs it verifies): the SPIFFE
 * identity of every endpoint with a service account, plus a ServiceEntry's subjectAltNames.
 * Sorted and unique, so the same registry gives the same bytes. Shared by the sidecar and
 * proxyless generators.
 */
import { spiffeIdentity, type MeshService } from '../../model/registry/types.js';
import type { Snapshot } from '../../model/snapshot.js';

export function serviceIdentities(snapshot: Snapshot, trustDomain: string, service: MeshService): string[] {
  const ids = new Set<string>();
  for (const ep of snapshot.endpointsOf(service)) {
    const id = spiffeIdentity(trustDomain, ep);
    if (id) ids.add(id);
  }
  for (const san of service.subjectAltNames ?? []) ids.add(san);
  return [...ids].sort();
}
