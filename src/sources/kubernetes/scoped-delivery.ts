/**
 * Between the informers and KubeObjects: only objects in namespaces within the discovery scope
 * reach the model. Informers keep caching everything (no restart when the scope changes);
 * when a namespace enters scope its cached objects are applied, when it leaves they are
 * removed. Cluster-scoped kinds (Namespace, Node) always pass.
 */
import type { LabelSelector } from '../../config/mesh-types.js';
import type { KindInfo } from '../../model/kinds.js';
import type { DiscoveryScope, ScopeChange } from './discovery-scope.js';
import type { KubeObjectReport } from './kube-objects.js';
import { labelsOf } from './label-selector.js';
import type { KubeObject } from './object-cache.js';

export interface ScopedTarget {
  apply(info: KindInfo, obj: KubeObject): KubeObjectReport | undefined;
  remove(info: KindInfo, obj: KubeObject): void;
}

/** One informer's kind and its cache (objects as delivered). */
export interface CachedKind {
  readonly info: KindInfo;
  objects(): KubeObject[];
}

function namespaceOf(obj: KubeObject): string {
  const ns = obj.metadata?.namespace;
  return typeof ns === 'string' ? ns : '';
}

export class ScopedDelivery {
  constructor(
    private readonly scope: DiscoveryScope,
    private readonly target: ScopedTarget,
    private readonly cachedKinds: () => readonly CachedKind[],
    private readonly onScopeChange: (change: ScopeChange) => void = () => {},
  ) {}

  upsert(info: KindInfo, obj: KubeObject): KubeObjectReport | undefined {
    if (!info.namespaced) {
      const report = this.target.apply(info, obj);
      if (info.kind === 'Namespace' && typeof obj.metadata?.name === 'string') this.moved(this.scope.setNamespace(obj.metadata.name, labelsOf(obj)));
      return report;
    }
    // Out of scope: whatever the model had of it (the namespace just left) goes.
    if (!this.scope.inScope(namespaceOf(obj))) return void this.target.remove(info, obj);
    return this.target.apply(info, obj);
  }

  remove(info: KindInfo, obj: KubeObject): void {
    this.target.remove(info, obj);
    if (info.kind === 'Namespace' && typeof obj.metadata?.name === 'string') this.moved(this.scope.removeNamespace(obj.metadata.name));
  }

  /** New MeshConfig discoverySelectors: every namespace with cached objects is re-evaluated. */
  setSelectors(selectors: readonly LabelSelector[] | undefined, alwaysIn?: readonly string[]): ScopeChange {
    const namespaces = new Set<string>();
    for (const kind of this.cachedKinds()) if (kind.info.namespaced) for (const obj of kind.objects()) namespaces.add(namespaceOf(obj));
    const change = this.scope.setSelectors(selectors, namespaces, alwaysIn);
    this.moved(change);
    return change;
  }

  private moved(change: ScopeChange): void {
    if (change.entered.length === 0 && change.left.length === 0) return;
    const entered = new Set(change.entered);
    const left = new Set(change.left);
    for (const kind of this.cachedKinds()) {
      if (!kind.info.namespaced) continue;
      for (const obj of kind.objects()) {
        const ns = namespaceOf(obj);
        if (entered.has(ns)) this.target.apply(kind.info, obj);
        else if (left.has(ns)) this.target.remove(kind.info, obj);
      }
    }
    this.onScopeChange(change);
  }
}
