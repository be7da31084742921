/**
 * Turns the incremental registry's state into a Registry (reusing every unchanged part of the
 * previous one) and its diagnostics in the order a from-scratch build reports them.
 */
import { jsonEqual } from '../store/json-equal.js';
import { deepFreeze } from '../validation/validate.js';
import { byAge, compareServices } from './build-registry.js';
import { kubeKey, type ClusterState, type EngineState, type RegistryEntry } from './engine-state.js';
import type { Diagnostic, MeshEndpoint, MeshService, Registry } from './types.js';
import { freezeMap } from '../index/frozen-map.js';

/** Hostnames whose definition / endpoint list changed in one update. */
export interface RegistryDiff {
  readonly services: Set<string>;
  readonly endpoints: Set<string>;
}

const reuse = <T>(before: T, after: T): T => (before === after || jsonEqual(before, after) ? before : after);

const hostOf = (key: string): string => key.slice(key.indexOf('/') + 1);

/** The endpoints' service accounts are part of a service's definition for clients (the SANs they verify). */
export function accountsOf(endpoints: readonly MeshEndpoint[]): string {
  let found = accountsCache.get(endpoints);
  if (found === undefined) accountsCache.set(endpoints, (found = [...new Set(endpoints.map((e) => `${e.namespace}/${e.serviceAccount ?? ''}`))].sort().join(',')));
  return found;
}

/** Endpoint lists are immutable once in a registry: their accounts are computed once. */
const accountsCache = new WeakMap<readonly MeshEndpoint[], string>();

/** Applies the touched keys to `state.entries`; returns what changed and whether the service set did. */
export function updateEntries(state: EngineState, touched: ReadonlySet<string>): { diff: RegistryDiff; changed: Map<string, RegistryEntry | undefined>; servicesMoved: boolean } {
  const diff: RegistryDiff = { services: new Set(), endpoints: new Set() };
  const changed = new Map<string, RegistryEntry | undefined>();
  let servicesMoved = false;
  for (const key of touched) {
    const before = state.entries.get(key);
    const kube = state.kube.get(key);
    let after: RegistryEntry | undefined = kube ? { service: kube.service, endpoints: kube.endpoints } : state.seEntries.get(key);
    if (before?.service === after?.service && before?.endpoints === after?.endpoints) continue;
    // A host moving between a Service and a ServiceEntry may keep equal parts: keep their identity.
    if (before && after) after = { service: reuse(before.service, after.service), endpoints: reuse(before.endpoints, after.endpoints) };
    if (after) state.entries.set(key, after);
    else state.entries.delete(key);
    changed.set(key, after);
    const host = hostOf(key);
    if (before?.service !== after?.service) servicesMoved = true;
    if (before?.endpoints !== after?.endpoints) diff.endpoints.add(host);
    if (!before || !after || before.service !== after.service || accountsOf(before.endpoints) !== accountsOf(after.endpoints)) diff.services.add(host);
  }
  return { diff, changed, servicesMoved };
}

function freezeNew(entry: RegistryEntry): void {
  deepFreeze(entry.service);
  deepFreeze(entry.endpoints);
}

/** The next Registry: new maps/arrays only where something changed. */
export function nextRegistry(state: EngineState, changed: ReadonlyMap<string, RegistryEntry | undefined>, servicesMoved: boolean, gatewaysChanged: boolean): Registry {
  const prev = state.registry;
  if (changed.size === 0 && !gatewaysChanged) return prev;
  for (const entry of changed.values()) if (entry) freezeNew(entry);
  let { services, servicesByHost, endpoints } = prev;
  if (servicesMoved) {
    const sorted = [...state.entries.values()].map((e) => e.service).sort(compareServices);
    const byHost = new Map<string, MeshService[]>();
    for (const s of sorted) {
      const list = byHost.get(s.hostname);
      if (list) list.push(s);
      else byHost.set(s.hostname, [s]);
    }
    for (const list of byHost.values()) Object.freeze(list);
    services = Object.freeze(sorted);
    servicesByHost = freezeMap(byHost);
    endpoints = freezeMap(new Map(sorted.map((s) => [s.key, state.entries.get(s.key)!.endpoints])));
  } else if (changed.size > 0) {
    const map = new Map(prev.endpoints);
    for (const [key, entry] of changed) map.set(key, entry!.endpoints);
    endpoints = freezeMap(map);
  }
  const gateways = deepFreeze(state.gateways);
  return Object.freeze({ services, endpoints, servicesByHost, ...(gateways.length > 0 ? { networkGateways: gateways } : {}) });
}

function unitsWithDiagnostics(state: EngineState, c: ClusterState): string[] {
  const names = new Set(c.diagUnits);
  for (const name of state.weDiagNames) if (state.kube.get(kubeKey(name, state.opts.domain))?.definer === c) names.add(name);
  return [...names].sort((a, b) => byAge(c.services.get(a)!, c.services.get(b)!));
}

/** Per cluster: conversion, orphan slices, then endpoints (+ WorkloadEntries); ServiceEntries; gateways. */
export function assembleDiagnostics(state: EngineState): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const c of state.order) {
    const names = unitsWithDiagnostics(state, c);
    for (const name of names) out.push(...c.units.get(name)!.convertDiags);
    const orphans = [...c.orphanDiags.keys()].sort((a, b) => byAge(c.slices.get(a)!, c.slices.get(b)!));
    for (const slice of orphans) out.push(c.orphanDiags.get(slice)!);
    for (const name of names) {
      out.push(...c.units.get(name)!.endpointDiags);
      const merged = state.kube.get(kubeKey(name, state.opts.domain));
      if (merged?.definer === c) out.push(...merged.weDiags);
    }
  }
  out.push(...state.seDiags, ...state.gatewayDiags);
  return out;
}
