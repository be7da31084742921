/** Sidecar route configurations (RDS), named by outbound port. */
import type { XdsResource } from '../../types.js';
import type { SidecarContext } from '../context.js';

export function buildRouteConfiguration(_ctx: SidecarContext, _name: string): XdsResource | undefined {
  return undefined;
}
