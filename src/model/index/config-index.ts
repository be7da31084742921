/**
 * Config objects indexed by kind → namespace → sorted list. Immutable; `updateConfigIndex`
 * derives the next index from changed objects, copying only the touched namespaces' lists.
 */
import type { ConfigObject } from '../config.js';
import type { KindName } from '../kinds.js';
import { freezeMap } from './frozen-map.js';

export interface ConfigIndex {
  /** The object of that kind/namespace/name; the config cluster's copy when a remote cluster has one too. */
  get(kind: KindName, namespace: string, name: string): ConfigObject | undefined;
  /** Objects of a kind, in one namespace or all; sorted by namespace then name. */
  list(kind: KindName, namespace?: string): readonly ConfigObject[];
  /** Every object, sorted by kind, namespace, name. */
  all(): readonly ConfigObject[];
  readonly size: number;
}

/** kind → namespace → objects sorted by name, then cluster (the config cluster first). */
type Tables = ReadonlyMap<string, ReadonlyMap<string, readonly ConfigObject[]>>;

const tablesOf = new WeakMap<ConfigIndex, Tables>();

const text = (a: string, b: string): number => (a === b ? 0 : a < b ? -1 : 1);
const compareInNamespace = (a: ConfigObject, b: ConfigObject): number => text(a.metadata.name, b.metadata.name) || text(a.cluster ?? '', b.cluster ?? '');

/** First position whose object sorts at or after `obj` (by name, cluster). */
function lowerBound(list: readonly ConfigObject[], name: string, cluster: string): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const m = list[mid]!;
    if ((text(m.metadata.name, name) || text(m.cluster ?? '', cluster)) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function indexOf(tables: Tables, size: number): ConfigIndex {
  const kindLists = new Map<string, readonly ConfigObject[]>();
  let everything: readonly ConfigObject[] | undefined;
  const list = (kind: KindName, namespace?: string): readonly ConfigObject[] => {
    const byNs = tables.get(kind);
    if (namespace !== undefined) return byNs?.get(namespace) ?? [];
    let found = kindLists.get(kind);
    if (!found) {
      // Built on first use: a pure function of this index.
      const namespaces = [...(byNs?.keys() ?? [])].sort();
      kindLists.set(kind, (found = Object.freeze(namespaces.flatMap((ns) => byNs!.get(ns)!))));
    }
    return found;
  };
  const index: ConfigIndex = Object.freeze({
    get(kind: KindName, namespace: string, name: string) {
      const objects = tables.get(kind)?.get(namespace);
      const hit = objects?.[lowerBound(objects, name, '')];
      return hit?.metadata.name === name ? hit : undefined;
    },
    list,
    all: () => (everything ??= Object.freeze([...tables.keys()].sort().flatMap((k) => list(k as KindName)))),
    size,
  });
  tablesOf.set(index, tables);
  return index;
}

export function buildConfigIndex(objects: readonly ConfigObject[]): ConfigIndex {
  const byKind = new Map<string, Map<string, ConfigObject[]>>();
  for (const obj of objects) {
    const byNs = byKind.get(obj.kind) ?? new Map<string, ConfigObject[]>();
    byKind.set(obj.kind, byNs);
    const list = byNs.get(obj.metadata.namespace);
    if (list) list.push(obj);
    else byNs.set(obj.metadata.namespace, [obj]);
  }
  for (const byNs of byKind.values()) {
    for (const list of byNs.values()) Object.freeze(list.sort(compareInNamespace));
    freezeMap(byNs);
  }
  return indexOf(freezeMap(byKind), objects.length);
}

export interface IndexChange {
  readonly before?: ConfigObject;
  readonly after?: ConfigObject;
}

/** The index with `changes` applied; untouched kinds and namespaces are shared with `previous`. */
export function updateConfigIndex(previous: ConfigIndex, changes: readonly IndexChange[]): ConfigIndex {
  const tables = tablesOf.get(previous);
  if (!tables) throw new Error('updateConfigIndex: not an index built by buildConfigIndex');
  if (changes.length === 0) return previous;
  const byKind = new Map(tables);
  const copied = new Map<string, Map<string, ConfigObject[]>>();
  const listFor = (kind: string, ns: string): ConfigObject[] => {
    let byNs = copied.get(kind);
    if (!byNs) {
      byNs = new Map(tables.get(kind) as Map<string, ConfigObject[]> | undefined);
      copied.set(kind, byNs);
    }
    let list = byNs.get(ns);
    if (!list || Object.isFrozen(list)) byNs.set(ns, (list = [...(list ?? [])]));
    return list;
  };
  let size = previous.size;
  for (const { before, after } of changes) {
    if (before) {
      const list = listFor(before.kind, before.metadata.namespace);
      const at = lowerBound(list, before.metadata.name, before.cluster ?? '');
      if (list[at] && compareInNamespace(list[at], before) === 0) {
        list.splice(at, 1);
        size--;
      }
    }
    if (after) {
      const list = listFor(after.kind, after.metadata.namespace);
      const at = lowerBound(list, after.metadata.name, after.cluster ?? '');
      const replace = list[at] !== undefined && compareInNamespace(list[at], after) === 0;
      list.splice(at, replace ? 1 : 0, after);
      if (!replace) size++;
    }
  }
  for (const [kind, byNs] of copied) {
    for (const [ns, list] of byNs) {
      if (list.length === 0) byNs.delete(ns);
      else Object.freeze(list);
    }
    if (byNs.size === 0) byKind.delete(kind);
    else byKind.set(kind, freezeMap(byNs));
  }
  return indexOf(freezeMap(byKind), size);
}
