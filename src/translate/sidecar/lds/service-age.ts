/** Creation time of the object behind a service (Kubernetes Service or ServiceEntry), '' when unknown. */
import type { ConfigObject } from '../../../model/config.js';
import type { MeshService } from '../../../model/registry/types.js';
import type { SidecarContext } from '../context.js';

export function serviceCreatedAt(ctx: SidecarContext, svc: MeshService): string {
  const obj = ctx.config(svc.origin.kind as ConfigObject['kind'], svc.origin.namespace, svc.origin.name);
  return obj?.metadata.creationTimestamp ?? '';
}

/** Oldest first, then by key: the order in which Istio lets services win contended ports. */
export function byServiceAge(ctx: SidecarContext): (a: MeshService, b: MeshService) => number {
  const memo = new Map<string, string>();
  const age = (s: MeshService) => {
    let t = memo.get(s.key);
    if (t === undefined) memo.set(s.key, (t = serviceCreatedAt(ctx, s)));
    return t;
  };
  return (a, b) => {
    const ta = age(a);
    const tb = age(b);
    if (ta !== tb) return ta < tb ? -1 : 1;
    return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
  };
}
