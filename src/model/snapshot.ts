/**
 * The immutable, pre-indexed view of the mesh that translate/ reads. Built by the pure
 * `buildSnapshot()` from the store's objects after each debounced batch; deep-frozen.
 */
import type { ConfigObject } from './config.js';
import { buildConfigIndex, type ConfigIndex } from './index/config-index.js';
import { buildDestinationRuleIndex, type DestinationRuleIndex } from './index/destination-rule-index.js';
import { freezeMap } from './index/frozen-map.js';
import { servicesVisibleTo } from './index/service-visibility.js';
import { buildVirtualServiceIndex, type VirtualServiceIndex } from './index/virtual-service-index.js';
import { buildRegistry, byAge } from './registry/build-registry.js';
import { DEFAULT_REGISTRY_OPTIONS, type Diagnostic, type MeshEndpoint, type MeshService, type Registry, type RegistryOptions } from './registry/types.js';
import { deepFreeze } from './validation/validate.js';

export type { Diagnostic, MeshEndpoint, MeshService, Registry, RegistryOptions } from './registry/types.js';
export { DEFAULT_REGISTRY_OPTIONS } from './registry/types.js';

export interface Snapshot {
  /** Monotonic: previous.version + 1 (1 for the first). */
  readonly version: number;
  readonly options: RegistryOptions;
  readonly configs: ConfigIndex;
  readonly registry: Registry;
  readonly virtualServices: VirtualServiceIndex;
  readonly destinationRules: DestinationRuleIndex;
  /** What was skipped while building, naming the source object and field. */
  readonly diagnostics: readonly Diagnostic[];
  /** Services whose exportTo lets `namespace` see them. */
  servicesVisibleTo(namespace: string): readonly MeshService[];
  /** Services named `hostname` (several only for ServiceEntries in different namespaces). */
  servicesForHost(hostname: string): readonly MeshService[];
  endpointsOf(service: MeshService | string): readonly MeshEndpoint[];
  /** Endpoints at IP `address`, with their services (a proxy's own instances). */
  endpointsAt(address: string): readonly { readonly service: MeshService; readonly endpoint: MeshEndpoint }[];
}

type EndpointAt = { readonly service: MeshService; readonly endpoint: MeshEndpoint };

function indexByAddress(registry: Registry): Map<string, EndpointAt[]> {
  const byAddress = new Map<string, EndpointAt[]>();
  for (const service of registry.services) {
    for (const endpoint of registry.endpoints.get(service.key) ?? []) {
      const list = byAddress.get(endpoint.address);
      if (list) list.push({ service, endpoint });
      else byAddress.set(endpoint.address, [{ service, endpoint }]);
    }
  }
  return byAddress;
}

export function registryOptions(partial: Partial<RegistryOptions> = {}): RegistryOptions {
  return Object.freeze({ ...DEFAULT_REGISTRY_OPTIONS, ...partial });
}

function freezeRegistry(registry: Registry): Registry {
  deepFreeze(registry.services);
  for (const eps of registry.endpoints.values()) deepFreeze(eps);
  for (const list of registry.servicesByHost.values()) Object.freeze(list);
  freezeMap(registry.endpoints as Map<string, readonly MeshEndpoint[]>);
  freezeMap(registry.servicesByHost as Map<string, readonly MeshService[]>);
  return Object.freeze(registry);
}

export function buildSnapshot(objects: readonly ConfigObject[], previous: Snapshot | undefined, options: RegistryOptions = DEFAULT_REGISTRY_OPTIONS): Snapshot {
  const built = buildRegistry(objects, options);
  const registry = freezeRegistry(built.registry);
  const byAgeOf = (kind: string) => objects.filter((o) => o.kind === kind).sort(byAge);
  const virtualServices = buildVirtualServiceIndex(byAgeOf('VirtualService'), { domain: options.domain, defaultExportTo: options.defaultVirtualServiceExportTo });
  const destinationRules = buildDestinationRuleIndex(byAgeOf('DestinationRule'), {
    domain: options.domain, rootNamespace: options.rootNamespace, defaultExportTo: options.defaultDestinationRuleExportTo,
  });
  const visibleCache = new Map<string, readonly MeshService[]>();
  let byAddress: Map<string, EndpointAt[]> | undefined;
  return Object.freeze({
    version: (previous?.version ?? 0) + 1,
    options,
    configs: buildConfigIndex(objects),
    registry,
    virtualServices,
    destinationRules,
    diagnostics: deepFreeze([...built.diagnostics, ...destinationRules.diagnostics]),
    servicesVisibleTo(namespace: string) {
      // Memoized per namespace: a pure function of this snapshot's services.
      let found = visibleCache.get(namespace);
      if (!found) visibleCache.set(namespace, (found = Object.freeze(servicesVisibleTo(registry.services, namespace))));
      return found;
    },
    servicesForHost: (hostname: string) => registry.servicesByHost.get(hostname) ?? [],
    endpointsOf: (service: MeshService | string) => registry.endpoints.get(typeof service === 'string' ? service : service.key) ?? [],
    // Built on first use: a pure function of this snapshot's registry.
    endpointsAt: (address: string) => (byAddress ??= indexByAddress(registry)).get(address) ?? [],
  });
}
