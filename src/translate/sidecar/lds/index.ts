/**
 * Sidecar listeners (LDS): virtualOutbound (15001), one listener per outbound service port
 * (`0.0.0.0_<port>` shared by HTTP services, `<vip>_<port>` for TCP and sniffed ones), and
 * virtualInbound (15006). A proxy that intercepts nothing (INTERCEPTION_MODE NONE) gets no
 * virtual listeners, as in Istio. A failure in one part is reported and the others still go out.
 */
import type { XdsResource } from '../../types.js';
import { TypeUrl } from '../../type-urls.js';
import type { SidecarContext } from '../context.js';
import type { Json } from './filters.js';
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

function uniqueByName(ctx: SidecarContext, listeners: readonly Json[]): XdsResource[] {
  const seen = new Set<string>();
  const out: XdsResource[] = [];
  for (const body of listeners) {
    const name = String(body.name);
    if (seen.has(name)) {
      ctx.diags.warn(undefined, undefined, `two listeners named ${name}: the later one is dropped`, name);
      continue;
    }
    seen.add(name);
    out.push({ name, body: { '@type': TypeUrl.Listener, ...body } });
  }
  return out;
}

export function buildListeners(ctx: SidecarContext): XdsResource[] {
  const intercepts = ctx.proxy.metadata.interceptionMode !== 'NONE';
  const transparent = ctx.proxy.metadata.interceptionMode === 'TPROXY' ? { transparent: { value: true } } : {};
  const listeners = [
    ...guarded(ctx, 'outbound listeners', () => buildOutboundListeners(ctx)),
    ...(intercepts ? guarded(ctx, 'virtualOutbound', () => [{ ...buildVirtualOutbound(ctx), ...transparent }]) : []),
    ...(intercepts ? guarded(ctx, 'virtualInbound', () => [{ ...buildVirtualInbound(ctx), ...transparent }]) : []),
  ];
  return uniqueByName(ctx, listeners);
}
