/**
 * What changed between two snapshots, for the stages that push: which kinds and object keys
 * changed (from the store), which service hostnames changed definition or endpoints (known by
 * an incremental build; otherwise from diffing fingerprints of the registries), and whether the
 * change is endpoints-only (so ADS can push just EDS).
 */
import type { MeshService } from './registry/types.js';
import type { Snapshot } from './snapshot.js';

export interface ChangeSet {
  readonly fromVersion: number;
  readonly toVersion: number;
  /** No previous snapshot: everything is new. */
  readonly full: boolean;
  /** Kinds of the changed objects, sorted. */
  readonly kinds: readonly string[];
  /** Changed objects as `kind/namespace/name` (`kind/name` when cluster-scoped), sorted. */
  readonly keys: readonly string[];
  /** Hostnames whose service definition was added, removed or changed. */
  readonly servicesChanged: readonly string[];
  /** Hostnames whose endpoint list changed (including services added or removed). */
  readonly endpointsChanged: readonly string[];
  /**
   * true when only endpoints moved: no service definition changed and every changed object is
   * of a kind that feeds only the registry. Consumers may then push EDS for endpointsChanged.
   */
  readonly endpointsOnly: boolean;
}

/** Kinds whose whole effect on proxies is through the registry (services + endpoints). */
const REGISTRY_KINDS: ReadonlySet<string> = new Set(['Service', 'EndpointSlice', 'Pod', 'Node', 'Namespace', 'ServiceEntry', 'WorkloadEntry']);

export function kindOfKey(key: string): string {
  const slash = key.indexOf('/');
  return slash < 0 ? key : key.slice(0, slash);
}

/** JSON with sorted object keys, so equal data compares equal regardless of build order. */
export function stableStringify(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return v;
    return Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  });
}

/**
 * A fingerprint of registry data: plain JSON, 15x faster than stableStringify on a large mesh.
 * Equal enough: the registry builds its objects in a fixed key order and Kubernetes sends maps
 * (labels) sorted, so equal data gives equal text; where it does not (a map reordered in a
 * file), the cost is a spurious push, never a missed one (different data never gives equal text).
 */
const fingerprintOf = (value: unknown): string => JSON.stringify(value) ?? '';

interface Fingerprints {
  readonly services: Map<string, [MeshService, string]>;
  readonly endpoints: Map<string, string>;
}

/** A snapshot is immutable: its fingerprints are computed once, when it is first compared. */
const fingerprintCache = new WeakMap<Snapshot, Fingerprints>();

function fingerprints(snapshot: Snapshot | undefined): Fingerprints {
  const cached = snapshot && fingerprintCache.get(snapshot);
  if (cached) return cached;
  const services = new Map<string, [MeshService, string]>();
  const endpoints = new Map<string, string>();
  for (const svc of snapshot?.registry.services ?? []) {
    const eps = snapshot?.endpointsOf(svc) ?? [];
    // The endpoints' service accounts are part of the service's definition for clients (the
    // SANs they verify), so a new account is a service change, as in Istio, not an EDS-only one.
    const accounts = [...new Set(eps.map((e) => `${e.namespace}/${e.serviceAccount ?? ''}`))].sort().join(',');
    services.set(svc.key, [svc, `${fingerprintOf(svc)}|${accounts}`]);
    endpoints.set(svc.key, fingerprintOf(eps));
  }
  const result = { services, endpoints };
  if (snapshot) fingerprintCache.set(snapshot, result);
  return result;
}

/** Hostname sets an incremental build already knows; `previous` is the snapshot they are relative to. */
interface KnownDiff {
  readonly previous: Snapshot;
  readonly services: ReadonlySet<string>;
  readonly endpoints: ReadonlySet<string>;
}

const knownDiffs = new WeakMap<Snapshot, KnownDiff>();

/**
 * Records what an incremental build found changed between `previous` and `next` (services
 * recomputed to something not deep-equal; the rest kept their identity), so computing their
 * ChangeSet needs no fingerprints.
 */
export function rememberRegistryDiff(previous: Snapshot, next: Snapshot, diff: { services: ReadonlySet<string>; endpoints: ReadonlySet<string> }): void {
  knownDiffs.set(next, { previous, services: diff.services, endpoints: diff.endpoints });
}

function diffRegistries(previous: Snapshot | undefined, next: Snapshot): { services: Set<string>; endpoints: Set<string> } {
  const known = knownDiffs.get(next);
  if (known && known.previous === previous) return { services: new Set(known.services), endpoints: new Set(known.endpoints) };
  if (!previous) {
    // Everything is new: no fingerprints needed (the next diff computes next's when it needs them).
    const hosts = new Set(next.registry.services.map((s) => s.hostname as string));
    return { services: hosts, endpoints: new Set(hosts) };
  }
  const before = fingerprints(previous);
  const after = fingerprints(next);
  const services = new Set<string>();
  const endpoints = new Set<string>();
  for (const key of new Set([...before.services.keys(), ...after.services.keys()])) {
    const host = (after.services.get(key) ?? before.services.get(key))?.[0].hostname as string;
    if (before.services.get(key)?.[1] !== after.services.get(key)?.[1]) services.add(host);
    if (before.endpoints.get(key) !== after.endpoints.get(key)) endpoints.add(host);
  }
  return { services, endpoints };
}

export function computeChangeSet(previous: Snapshot | undefined, next: Snapshot, changedKeys: Iterable<string>): ChangeSet {
  const keys = [...new Set(changedKeys)].sort();
  const kinds = [...new Set(keys.map(kindOfKey))].sort();
  const diff = diffRegistries(previous, next);
  const endpointsOnly = previous !== undefined && diff.services.size === 0 && diff.endpoints.size > 0 && kinds.every((k) => REGISTRY_KINDS.has(k));
  return Object.freeze({
    fromVersion: previous?.version ?? 0,
    toVersion: next.version,
    full: previous === undefined,
    kinds: Object.freeze(kinds),
    keys: Object.freeze(keys),
    servicesChanged: Object.freeze([...diff.services].sort()),
    endpointsChanged: Object.freeze([...diff.endpoints].sort()),
    endpointsOnly,
  });
}
