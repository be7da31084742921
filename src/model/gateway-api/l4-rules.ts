/** TCPRoute and TLSRoute rules → VirtualService L4 destinations (every rule's backendRefs, weighted). */
import type { ConfigObject } from '../config.js';
import type { RouteDestination } from '../types/virtual-service.js';
import { resolveBackend, type RefProblem } from './references.js';
import type { L4RouteRule } from './types.js';
import type { GatewayApiWorld } from './world.js';

export function l4Destinations(world: GatewayApiWorld, route: ConfigObject, problems: RefProblem[]): RouteDestination[] {
  const rules = ((route.spec as { rules?: L4RouteRule[] }).rules ?? []);
  const out: RouteDestination[] = [];
  for (const ref of rules.flatMap((r) => r.backendRefs ?? [])) {
    const resolved = resolveBackend(world, route, ref);
    if (!resolved.ok) {
      problems.push(resolved.problem);
      continue;
    }
    if (resolved.value.weight <= 0) continue;
    out.push({ destination: { host: resolved.value.host, ...(resolved.value.port !== undefined ? { port: { number: resolved.value.port } } : {}) }, weight: resolved.value.weight });
  }
  if (out.length === 1) delete out[0]!.weight;
  return out;
}
