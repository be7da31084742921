/** Config objects indexed by kind → namespace → name. */
import type { ConfigObject } from '../config.js';
import type { KindName } from '../kinds.js';
import { freezeMap } from './frozen-map.js';

export interface ConfigIndex {
  get(kind: KindName, namespace: string, name: string): ConfigObject | undefined;
  /** Objects of a kind, in one namespace or all; sorted by namespace then name. */
  list(kind: KindName, namespace?: string): readonly ConfigObject[];
  /** Every object, sorted by kind, namespace, name. */
  all(): readonly ConfigObject[];
  readonly size: number;
}

function compare(a: ConfigObject, b: ConfigObject): number {
  const ka = `${a.kind}\u0000${a.metadata.namespace}\u0000${a.metadata.name}`;
  const kb = `${b.kind}\u0000${b.metadata.namespace}\u0000${b.metadata.name}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

export function buildConfigIndex(objects: readonly ConfigObject[]): ConfigIndex {
  const sorted = Object.freeze([...objects].sort(compare));
  const byKind = new Map<string, Map<string, Map<string, ConfigObject>>>();
  const listByKind = new Map<string, ConfigObject[]>();
  for (const obj of sorted) {
    const nsMap = byKind.get(obj.kind) ?? new Map<string, Map<string, ConfigObject>>();
    byKind.set(obj.kind, nsMap);
    const names = nsMap.get(obj.metadata.namespace) ?? new Map<string, ConfigObject>();
    nsMap.set(obj.metadata.namespace, names);
    names.set(obj.metadata.name, obj);
    listByKind.set(obj.kind, [...(listByKind.get(obj.kind) ?? []), obj]);
  }
  for (const nsMap of byKind.values()) for (const names of nsMap.values()) freezeMap(names);
  for (const nsMap of byKind.values()) freezeMap(nsMap);
  freezeMap(byKind);
  for (const list of listByKind.values()) Object.freeze(list);
  return Object.freeze({
    get: (kind: KindName, namespace: string, name: string) => byKind.get(kind)?.get(namespace)?.get(name),
    list: (kind: KindName, namespace?: string) => {
      if (namespace === undefined) return listByKind.get(kind) ?? [];
      return [...(byKind.get(kind)?.get(namespace)?.values() ?? [])];
    },
    all: () => sorted,
    size: sorted.length,
  });
}
