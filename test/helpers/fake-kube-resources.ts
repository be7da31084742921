/**
 * The fake API server's object storage under its earlier name: `CoreStore` is the generic
 * ObjectStore (test/helpers/fake-kube/object-store.ts), which now holds every resource, not only
 * Namespaces, ConfigMaps and Secrets. Kept so imports of this module keep working.
 */
export { ObjectStore as CoreStore } from './fake-kube/object-store.js';
export { statusBody, type DenyRule, type KubeObject, type Reply } from './fake-kube/types.js';

/** The resources the first version of the fake served (any plural is accepted now). */
export type CoreResource = 'namespaces' | 'configmaps' | 'secrets';
