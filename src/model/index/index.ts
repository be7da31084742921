export { buildConfigIndex, type ConfigIndex } from './config-index.js';
export { buildVirtualServiceIndex, type IndexedVirtualService, type VirtualServiceIndex } from './virtual-service-index.js';
export { buildDestinationRuleIndex, type DestinationRuleIndex, type MergedDestinationRule } from './destination-rule-index.js';
export { hostMatches, mostSpecificHost, resolveShortName } from './host.js';
export { servicesVisibleTo } from './service-visibility.js';
export { freezeMap } from './frozen-map.js';
