/**
 * Which namespaces are in the mesh's scope (MeshConfig discoverySelectors), kept current as
 * Namespace objects and the selectors change. Pure state: callers learn which namespaces
 * entered or left scope and move those namespaces' objects in or out of the model.
 * - no selectors → every namespace, known or not, is in scope;
 * - with selectors → a namespace is in scope when its labels match ANY selector; a namespace
 *   the Namespace informer has not delivered (yet) is out of scope;
 * - the always-in namespaces (istiod's own and the root namespace) are in scope regardless.
 */
import type { LabelSelector } from '../../config/mesh-types.js';
import { selectedByAny, type Labels } from './label-selector.js';

export interface ScopeChange {
  readonly entered: readonly string[];
  readonly left: readonly string[];
}

export class DiscoveryScope {
  private selectors: readonly LabelSelector[];
  private readonly labels = new Map<string, Labels>();

  constructor(
    private alwaysIn: ReadonlySet<string>,
    selectors: readonly LabelSelector[] | undefined,
  ) {
    this.selectors = selectors ?? [];
  }

  /** True when objects in `namespace` reach the model. Cluster-scoped objects ('' namespace) always do. */
  inScope(namespace: string): boolean {
    if (namespace === '' || this.alwaysIn.has(namespace) || this.selectors.length === 0) return true;
    const labels = this.labels.get(namespace);
    return labels !== undefined && selectedByAny(this.selectors, labels);
  }

  /** A Namespace was added or its labels changed: did it enter or leave scope? */
  setNamespace(name: string, labels: Labels): ScopeChange {
    return this.tracking([name], () => this.labels.set(name, labels));
  }

  /** A Namespace was deleted. */
  removeNamespace(name: string): ScopeChange {
    return this.tracking([name], () => this.labels.delete(name));
  }

  /**
   * The mesh config's selectors changed. `namespacesWithObjects` are namespaces the caller holds
   * objects for, whether or not a Namespace object exists for them. `alwaysIn` replaces the
   * always-in namespaces when given (the root namespace may change with the mesh config).
   */
  setSelectors(selectors: readonly LabelSelector[] | undefined, namespacesWithObjects: Iterable<string>, alwaysIn?: Iterable<string>): ScopeChange {
    const candidates = new Set([...this.labels.keys(), ...namespacesWithObjects]);
    return this.tracking([...candidates], () => {
      this.selectors = selectors ?? [];
      if (alwaysIn) this.alwaysIn = new Set(alwaysIn);
    });
  }

  private tracking(namespaces: readonly string[], mutate: () => void): ScopeChange {
    const before = new Map(namespaces.map((ns) => [ns, this.inScope(ns)]));
    mutate();
    const entered: string[] = [];
    const left: string[] = [];
    for (const [ns, was] of before) {
      const now = this.inScope(ns);
      if (now && !was) entered.push(ns);
      else if (was && !now) left.push(ns);
    }
    return { entered: entered.sort(), left: left.sort() };
  }
}
