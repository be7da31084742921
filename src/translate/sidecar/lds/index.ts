/** Sidecar listeners (LDS): virtualOutbound, per-port outbound listeners, virtualInbound. */
import type { XdsResource } from '../../types.js';
import type { SidecarContext } from '../context.js';

export function buildListeners(_ctx: SidecarContext): XdsResource[] {
  return [];
}
