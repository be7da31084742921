/**
 * Where the outbound listeners of one Sidecar egress listener bind, by Istio's rules:
 * - bind_to_port (a real socket) when the proxy intercepts nothing (INTERCEPTION_MODE NONE), when
 *   the egress listener's captureMode is NONE, or when it binds a Unix domain socket; otherwise
 *   the listeners only receive what virtualOutbound hands over by original destination;
 * - the address: the egress listener's `bind`; else the proxy's loopback when bound to a port;
 *   else '' (decided per service: 0.0.0.0 for HTTP, the service VIP for TCP and sniffed ports).
 */
import type { EgressListenerScope } from '../scope.js';
import type { SidecarContext } from '../context.js';
import { localhostFor } from '../cds/shared.js';

export const UNIX_PREFIX = 'unix://';

export interface EgressBinding {
  /** '' = decided per service. */
  readonly bind: string;
  readonly bindToPort: boolean;
}

export const isUnixBind = (bind: string) => bind.startsWith(UNIX_PREFIX);

export function egressBinding(ctx: SidecarContext, el: EgressListenerScope): EgressBinding {
  const bind = el.listener?.bind ?? '';
  const bindToPort = ctx.proxy.metadata.interceptionMode === 'NONE' || el.listener?.captureMode === 'NONE' || isUnixBind(bind);
  return { bind: bind || (bindToPort ? localhostFor(ctx.proxy) : ''), bindToPort };
}
