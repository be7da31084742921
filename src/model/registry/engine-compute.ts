/**
 * Recomputes the dirty parts of the incremental registry with the same functions a
 * from-scratch build uses. A result deep-equal to the previous one keeps the previous object,
 * so consumers (and the ChangeSet) can compare services and endpoint lists by identity.
 */
import type { ConfigObject } from '../config.js';
import type { EndpointSliceObject } from '../types/core.js';
import { byAge, clusterEndpoints, compareEndpoints, isDnsService, workloadEntriesForService } from './build-registry.js';
import { jsonEqual } from '../store/json-equal.js';
import { convertService } from './convert-service.js';
import { convertServiceEntry, serviceEntryEndpoints, type ServiceEntryInputs } from './convert-service-entry.js';
import { DiagnosticSink } from './diagnostics.js';
import { podRefsOf } from './engine-apply.js';
import { endpointsFromSlice } from './endpoints-from-slices.js';
import {
  addTo, kubeKey, podsIn, removeFrom, workloadEntriesIn,
  type ClusterState, type Dirty, type EngineState, type MergedService, type RegistryEntry, type ServiceUnit, type SliceResult,
} from './engine-state.js';
import { networkGateways } from './networks.js';
import type { MeshEndpoint, MeshService } from './types.js';

const same = <T>(previous: T | undefined, next: T): T => (previous !== undefined && jsonEqual(previous, next) ? previous : next);

/** Endpoint lists: most elements are shared objects (per-slice results are cached), so compare by identity first. */
function sameList(previous: readonly MeshEndpoint[] | undefined, next: MeshEndpoint[]): readonly MeshEndpoint[] {
  if (!previous || previous.length !== next.length) return next;
  for (let i = 0; i < next.length; i++) if (previous[i] !== next[i] && !jsonEqual(previous[i], next[i])) return next;
  return previous;
}

/** A slice's endpoints for one Service, reused while the slice, the Service, its Pods and the cluster's labels are the same. */
function sliceEndpoints(c: ClusterState, name: string, slice: ConfigObject<EndpointSliceObject>, service: MeshService): SliceResult {
  const cached = c.sliceCache.get(name);
  if (cached && cached.slice === slice && cached.service === service && cached.labelsVersion === c.labelsVersion && cached.pods.every(([key, token]) => c.podTokens.get(key) === token)) return cached;
  const sink = new DiagnosticSink();
  const endpoints = endpointsFromSlice(slice, { service, pods: c.pods, workloads: c.workloads, diags: sink });
  const result: SliceResult = { slice, service, labelsVersion: c.labelsVersion, pods: [...podRefsOf(slice)].map((key) => [key, c.podTokens.get(key)]), endpoints, diags: sink.items };
  c.sliceCache.set(name, result);
  return result;
}

function ownEndpoints(state: EngineState, c: ClusterState, name: string, service: MeshService, sink: DiagnosticSink): MeshEndpoint[] {
  if (isDnsService(service)) return [];
  const sliceNames = c.slicesByService.get(name);
  if (!sliceNames) {
    const inputs = { podsByKey: c.pods, podsIn: (ns: string) => podsIn(state, c, ns), workloads: c.workloads };
    return clusterEndpoints(service, undefined, inputs, state.opts, sink);
  }
  const own: MeshEndpoint[] = [];
  for (const sliceName of [...sliceNames].sort((a, b) => byAge(c.slices.get(a)!, c.slices.get(b)!))) {
    const result = sliceEndpoints(c, sliceName, c.slices.get(sliceName)!, service);
    own.push(...result.endpoints);
    sink.items.push(...result.diags);
  }
  return own;
}

function distinct(endpoints: readonly MeshEndpoint[], field: 'nodeName' | 'namespace'): string[] {
  const out = new Set<string>();
  for (const e of endpoints) {
    const v = e[field];
    if (v) out.add(v);
  }
  return [...out];
}

function reindex(index: Map<string, Set<string>>, before: readonly string[], after: readonly string[], name: string): void {
  for (const k of before) if (!after.includes(k)) removeFrom(index, k, name);
  for (const k of after) addTo(index, k, name);
}

function setUnit(state: EngineState, c: ClusterState, name: string, prev: ServiceUnit | undefined, unit: ServiceUnit | undefined): void {
  reindex(c.unitsByNode, prev?.nodes ?? [], unit?.nodes ?? [], name);
  reindex(c.unitsByEndpointNamespace, prev?.namespaces ?? [], unit?.namespaces ?? [], name);
  const ns = name.slice(0, name.indexOf('/'));
  if (unit) {
    c.units.set(name, unit);
    addTo(state.kubeNamesByNamespace, ns, name);
  } else {
    c.units.delete(name);
    if (![...state.clusters.values()].some((other) => other.units.has(name))) removeFrom(state.kubeNamesByNamespace, ns, name);
  }
  const hasDiags = !!unit && (unit.convertDiags.length > 0 || unit.endpointDiags.length > 0);
  if (hasDiags) c.diagUnits.add(name);
  else c.diagUnits.delete(name);
}

/** Recomputes one Service's unit in one cluster; marks its hostname for merging. */
function recomputeUnit(state: EngineState, c: ClusterState, name: string, dirty: Dirty): void {
  const obj = c.services.get(name);
  const prev = c.units.get(name);
  dirty.merged.add(name);
  if (prev && (prev.convertDiags.length > 0 || prev.endpointDiags.length > 0)) dirty.diagnostics = true;
  if (!obj) {
    setUnit(state, c, name, prev, undefined);
    return;
  }
  let service = prev?.service;
  let convertDiags = prev?.convertDiags ?? [];
  if (!prev || prev.obj !== obj) {
    const sink = new DiagnosticSink();
    const opts = c.key === '' ? state.opts : { ...state.opts, clusterID: c.clusterID };
    service = same(prev?.service, convertService(obj, opts, sink));
    convertDiags = sink.items;
  }
  const sink = new DiagnosticSink();
  const own = ownEndpoints(state, c, name, service!, sink);
  const unit = { obj, service: service!, convertDiags, own, endpointDiags: sink.items, nodes: distinct(own, 'nodeName'), namespaces: distinct(own, 'namespace') };
  setUnit(state, c, name, prev, unit);
  if (convertDiags.length > 0 || unit.endpointDiags.length > 0) dirty.diagnostics = true;
}

export function recomputeUnits(state: EngineState, dirty: Dirty): void {
  for (const [cluster, names] of dirty.units) for (const name of names) recomputeUnit(state, cluster, name, dirty);
}

/** One hostname across clusters (build-registry.ts addClusterServices, for one Service). */
function mergeName(state: EngineState, name: string, touched: Set<string>, dirty: Dirty): void {
  const key = kubeKey(name, state.opts.domain);
  const prev = state.kube.get(key);
  const parts: Array<{ cluster: ClusterState; unit: ServiceUnit }> = [];
  for (const cluster of state.order) {
    const unit = cluster.units.get(name);
    if (unit) parts.push({ cluster, unit });
  }
  if (prev && prev.weDiags.length > 0) dirty.diagnostics = true;
  touched.add(key);
  if (parts.length === 0) {
    state.kube.delete(key);
    state.weDiagNames.delete(name);
    if (prev) dirty.serviceEntries = true; // the host may fall to a ServiceEntry
    return;
  }
  const definer = parts[0]!;
  const endpoints: MeshEndpoint[] = [...definer.unit.own];
  const weSink = new DiagnosticSink();
  if (!isDnsService(definer.unit.service)) {
    const entries = workloadEntriesIn(state, definer.unit.service.namespace);
    if (entries.length > 0) endpoints.push(...workloadEntriesForService(definer.unit.service, entries, state.clusters.get('')!.workloads, weSink));
  }
  for (const part of parts.slice(1)) endpoints.push(...part.unit.own);
  endpoints.sort(compareEndpoints);
  const merged: MergedService = {
    service: definer.unit.service,
    endpoints: sameList(prev?.endpoints, endpoints),
    definer: definer.cluster,
    name,
    weDiags: weSink.items,
  };
  state.kube.set(key, merged);
  if (!prev) dirty.serviceEntries = true; // the host may take over from a ServiceEntry
  if (weSink.items.length > 0) {
    state.weDiagNames.add(name);
    dirty.diagnostics = true;
  } else state.weDiagNames.delete(name);
}

export function mergeDirty(state: EngineState, dirty: Dirty, touched: Set<string>): void {
  for (const name of dirty.merged) mergeName(state, name, touched, dirty);
}

/** Every ServiceEntry again, oldest first (build-registry.ts addServiceEntries). */
export function recomputeServiceEntries(state: EngineState, touched: Set<string>): void {
  const primary = state.clusters.get('')!;
  const sink = new DiagnosticSink();
  const entries = new Map<string, RegistryEntry>();
  const selectorNamespaces = new Set<string>();
  for (const se of [...state.serviceEntries.values()].sort(byAge)) {
    const ns = se.metadata.namespace;
    const inputs: ServiceEntryInputs = { workloadEntries: workloadEntriesIn(state, ns), pods: podsIn(state, primary, ns), workloads: primary.workloads, diags: sink };
    convertServiceEntry(se, state.opts, sink).forEach((svc, i) => {
      if (svc.selector) selectorNamespaces.add(svc.namespace);
      const existing: MeshService | undefined = state.kube.get(svc.key)?.service ?? entries.get(svc.key)?.service;
      if (existing) {
        sink.add(se, 'spec.hosts', `host ${svc.hostname} is already defined in namespace ${svc.namespace} by ${existing.origin.kind} ${existing.origin.name}; ignored here`);
        return;
      }
      const prev = state.seEntries.get(svc.key);
      const endpoints = serviceEntryEndpoints(se, svc, i === 0 ? inputs : { ...inputs, diags: new DiagnosticSink() }).sort(compareEndpoints);
      entries.set(svc.key, { service: same(prev?.service, svc), endpoints: sameList(prev?.endpoints, endpoints) });
    });
  }
  for (const key of state.seEntries.keys()) touched.add(key);
  for (const key of entries.keys()) touched.add(key);
  state.seEntries = entries;
  state.seDiags = sink.items;
  state.seSelectorNamespaces = selectorNamespaces;
}

/** Network gateways from the candidate Services only (the others cannot define one). */
export function recomputeGateways(state: EngineState): void {
  const servicesByCluster = new Map(state.order.map((c) => [c.clusterID, [...c.gatewayServices].map((n) => c.services.get(n)!).sort(byAge)]));
  const sink = new DiagnosticSink();
  const gateways = networkGateways({ servicesByCluster, domain: state.opts.domain, ...(state.opts.meshNetworks ? { meshNetworks: state.opts.meshNetworks } : {}) }, sink);
  state.gateways = same(state.gateways, gateways);
  state.gatewayDiags = sink.items;
}
