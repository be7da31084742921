export * from './types.js';
export { buildRegistry, type RegistryBuild } from './build-registry.js';
export { convertService, serviceFqdn, EXPORT_TO_ANNOTATION } from './convert-service.js';
export { convertServiceEntry } from './convert-service-entry.js';
export { kubePortProtocol, parseProtocol } from './protocol.js';
export { isVisibleTo, parseExportToAnnotation } from './export-to.js';
