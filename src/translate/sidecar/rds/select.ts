/**
 * Which VirtualService routes a service on a sidecar, as Istio decides it: the oldest one
 * naming the host exactly, else the oldest with the most specific wildcard host covering it.
 * VirtualServices for the same host are not merged for sidecars: the others are reported.
 */
import type { IndexedVirtualService } from '../../../model/index/virtual-service-index.js';
import type { MeshService } from '../../../model/registry/types.js';
import type { SidecarContext } from '../context.js';

/** Does VirtualService host `pattern` ('*', '*.suffix' or exact) cover `host`? */
export const covers = (pattern: string, host: string) => pattern === host || pattern === '*' || (pattern.startsWith('*') && host.endsWith(pattern.slice(1)));

/** The host of `vs` that selects `host` (exact, else its longest covering wildcard), if any. */
export function selectingHost(vs: IndexedVirtualService, host: string): string | undefined {
  if (vs.hosts.includes(host)) return host;
  let best: string | undefined;
  for (const h of vs.hosts) if (covers(h, host) && (best === undefined || h.length > best.length)) best = h;
  return best;
}

const rank = (selector: string, host: string) => (selector === host ? Number.MAX_SAFE_INTEGER : selector.length);

/** The VirtualService for `service` (or undefined), reporting the ones it shadows. */
export function virtualServiceFor(ctx: SidecarContext, service: MeshService, port: number): IndexedVirtualService | undefined {
  const host = service.hostname;
  let chosen: { vs: IndexedVirtualService; selector: string } | undefined;
  const shadowed: { vs: IndexedVirtualService; selector: string }[] = [];
  for (const vs of ctx.virtualServices()) {
    const selector = selectingHost(vs, host);
    if (selector === undefined) continue;
    if (!chosen || rank(selector, host) > rank(chosen.selector, host)) {
      if (chosen) shadowed.push(chosen);
      chosen = { vs, selector };
    } else shadowed.push({ vs, selector });
  }
  for (const other of shadowed) {
    if (!chosen || other.selector !== chosen.selector) continue;
    const winner = chosen.vs.config.metadata;
    ctx.diags.warn(other.vs.config, 'spec.hosts', `host ${other.selector} is also routed by the older VirtualService ${winner.namespace}/${winner.name}; sidecars use only that one for ${host}`, `${port}`);
  }
  return chosen?.vs;
}
