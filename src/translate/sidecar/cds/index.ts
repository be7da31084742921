/** Sidecar clusters (CDS): outbound per service port and subset, inbound, and the special clusters. */
import type { XdsResource } from '../../types.js';
import type { SidecarContext } from '../context.js';

export function buildClusters(_ctx: SidecarContext): XdsResource[] {
  return [];
}
