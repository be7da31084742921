/** Sidecar endpoints (EDS): a ClusterLoadAssignment per EDS cluster. */
import type { XdsResource } from '../../types.js';
import type { SidecarContext } from '../context.js';

export function buildLoadAssignment(_ctx: SidecarContext, _clusterName: string): XdsResource | undefined {
  return undefined;
}
