/**
 * VirtualService mirror / mirrors → request_mirror_policies, as Istio builds them: the
 * percentage per million (mirrorPercentage / mirrors[].percentage), per hundred for the
 * deprecated integer mirrorPercent, 100% when none is given, no mirror at an explicit 0%.
 * trace_sampled is false. A mirror to a destination this proxy has no cluster for is left out.
 */
import type { Destination, Percent } from '../../../model/types/common.js';
import { fractionalPercent, integerPercent } from '../../common/proto-values.js';
import { resolveDestination } from '../destinations.js';
import type { HttpRouteInput, Json, RouteScope } from './types.js';

function fraction(percentage: Percent | undefined, percent: number | undefined): Json | undefined {
  if (percentage !== undefined) return (percentage.value ?? 0) > 0 ? fractionalPercent(percentage.value!) : undefined;
  if (percent !== undefined) return percent > 0 ? integerPercent(percent) : undefined;
  return integerPercent(100);
}

function mirrorPolicy(scope: RouteScope, input: HttpRouteInput, dest: Destination, share: Json, path: string): Json | undefined {
  const resolved = resolveDestination(scope.ctx, dest, input.namespace, scope.listenerPort);
  if (!resolved.ok) {
    scope.ctx.diags.warn(input.source, path, `${resolved.reason}: mirror left out`);
    return undefined;
  }
  return { cluster: resolved.cluster, runtime_fraction: { default_value: share }, trace_sampled: { value: false } };
}

export function buildMirrorPolicies(scope: RouteScope, input: HttpRouteInput): Json[] {
  const { http, path } = input;
  const out: Json[] = [];
  if (http.mirror) {
    const share = fraction(http.mirrorPercentage, http.mirrorPercent);
    const policy = share ? mirrorPolicy(scope, input, http.mirror, share, `${path}.mirror`) : undefined;
    if (policy) out.push(policy);
  }
  for (const [i, mirror] of (http.mirrors ?? []).entries()) {
    const share = fraction(mirror.percentage, undefined);
    const policy = share ? mirrorPolicy(scope, input, mirror.destination, share, `${path}.mirrors[${i}].destination`) : undefined;
    if (policy) out.push(policy);
  }
  return out;
}
