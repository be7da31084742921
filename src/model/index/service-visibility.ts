/** Which services a namespace may see, by each service's exportTo. */
import { isVisibleTo } from '../registry/export-to.js';
import type { MeshService } from '../registry/types.js';

export function servicesVisibleTo(services: readonly MeshService[], namespace: string): MeshService[] {
  return services.filter((s) => isVisibleTo(s.exportTo, s.namespace, namespace));
}
