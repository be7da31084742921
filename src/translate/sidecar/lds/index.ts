/**
 * Sidecar listeners (LDS): virtualOutbound (15001), one listener per outbound service port
 * (`0.0.0.0_<port>` shared by HTTP services, `<vip>_<port>` for TCP and sniffed ones, or per
 * Sidecar egress listener port and bind), virtualInbound (15006), and inbound listeners bound to
 * their own port (Sidecar ingress captureMode NONE). A proxy that intercepts nothing
 * (INTERCEPTION_MODE NONE) gets no virtual listeners, as in Istio: its outbound listeners bind
 * 127.0.0.1:<port> for real, and it has inbound listeners only from Sidecar ingress listeners.
 * A failure in one part is reported and the others still go out.
 */
import { accessLogField, meshAccessLogs } from '../../common/access-log.js';
import type { XdsResource } from '../../types.js';
import { TypeUrl } from '../../type-urls.js';
import type { SidecarContext } from '../context.js';
import type { Json } from './filters.js';
import { buildBoundInboundListeners } from './inbound-listeners.js';
import { buildOutboundListeners } from './outbound.js';
import { buildVirtualInbound } from './virtual-inbound.js';
import { buildVirtualOutbound } from './virtual-outbound.js';

function guarded(ctx: SidecarContext, what: string, build: () => Json[]): Json[] {
  try {
    return build();
  } catch (err) {
    ctx.diags.error(undefined, undefined, `internal error while building ${what}: ${err instanceof Error ? err.message : String(err)}; left out`);
    return [];
  }
}

/** Every listener Istio builds for a sidecar carries the listener access log (MeshConfig). */
function uniqueByName(ctx: SidecarContext, listeners: readonly Json[]): XdsResource[] {
  const listenerLogs = accessLogField(meshAccessLogs(ctx.mesh).listener);
  const seen = new Set<string>();
  const out: XdsResource[] = [];
  for (const body of listeners) {
    const name = String(body.name);
    if (seen.has(name)) {
      ctx.diags.warn(undefined, undefined, `two listeners named ${name}: the later one is dropped`, name);
      continue;
    }
    seen.add(name);
    out.push({ name, body: { '@type': TypeUrl.Listener, ...body, ...listenerLogs } });
  }
  return out;
}

/**
 * Istio builds no inbound listeners from a NONE-mode proxy's own services (its app owns those
 * ports): without Sidecar ingress listeners nothing accepts inbound mesh traffic, which is worth
 * saying when the proxy does serve something.
 */
function noneModeDiagnostics(ctx: SidecarContext): void {
  if (ctx.scope.ingress.length > 0 || ctx.instances().length === 0) return;
  ctx.diags.warn(ctx.scope.sidecar, undefined, `proxy ${ctx.proxy.id} has INTERCEPTION_MODE NONE and serves ${ctx.instances()[0]!.service.hostname}, but no Sidecar ingress listener declares its ports: it gets no inbound listeners (as in Istio)`);
}

export function buildListeners(ctx: SidecarContext): XdsResource[] {
  const intercepts = ctx.proxy.metadata.interceptionMode !== 'NONE';
  const transparent = ctx.proxy.metadata.interceptionMode === 'TPROXY' ? { transparent: { value: true } } : {};
  const listeners = [
    ...guarded(ctx, 'outbound listeners', () => buildOutboundListeners(ctx)),
    ...(intercepts ? guarded(ctx, 'virtualOutbound', () => [{ ...buildVirtualOutbound(ctx), ...transparent }]) : []),
    ...(intercepts ? guarded(ctx, 'virtualInbound', () => [{ ...buildVirtualInbound(ctx), ...transparent }]) : []),
    ...guarded(ctx, 'inbound listeners', () => buildBoundInboundListeners(ctx)),
  ];
  if (!intercepts) noneModeDiagnostics(ctx);
  return uniqueByName(ctx, listeners);
}
