/**
 * Applies one changed object to the incremental registry's inputs and marks what it feeds:
 * a Service its unit; a slice the Service it names; a Pod the Services whose slices refer to it
 * (only when what endpoints read from it changed); a Node/Namespace the units with endpoints
 * there (only when locality/network labels changed); ServiceEntries/WorkloadEntries their group.
 */
import type { ConfigObject } from '../config.js';
import type { EndpointSliceObject, PodObject, ServiceObject } from '../types/core.js';
import { isDeepStrictEqual } from 'node:util';
import { jsonEqual } from '../store/json-equal.js';
import { DiagnosticSink } from './diagnostics.js';
import { sliceServiceName } from './endpoints-from-slices.js';
import {
  addTo, markUnit, nameOf, newCluster, removeFrom, systemNamespace, workloadContext,
  type ClusterState, type Dirty, type EngineState,
} from './engine-state.js';
import { asArray, asRecord, asString } from './read.js';
import { LABEL_NETWORK, LABEL_REGION, LABEL_SUBZONE, LABEL_ZONE, podAttributes } from './workload.js';

type Obj = ConfigObject<unknown>;

function clusterOf(state: EngineState, obj: Obj): ClusterState {
  const key = obj.cluster ?? '';
  let cluster = state.clusters.get(key);
  if (!cluster) {
    cluster = newCluster(key, state.opts);
    state.clusters.set(key, cluster);
  }
  return cluster;
}

function isGatewayCandidate(state: EngineState, svc: ConfigObject<ServiceObject> | undefined): boolean {
  if (!svc) return false;
  return !!svc.metadata.labels[LABEL_NETWORK] || state.registryServiceNames.has(`${svc.metadata.name}.${svc.metadata.namespace}.svc.${state.opts.domain}`);
}

function applyService(state: EngineState, c: ClusterState, name: string, old: ConfigObject<ServiceObject> | undefined, next: ConfigObject<ServiceObject> | undefined, d: Dirty): void {
  const ns = (old ?? next)!.metadata.namespace;
  if (next) {
    c.services.set(name, next);
    addTo(c.servicesByNamespace, ns, name);
  } else {
    c.services.delete(name);
    removeFrom(c.servicesByNamespace, ns, name);
  }
  markUnit(d, c, name);
  // A Service appearing or going away changes whether its slices are orphans.
  if (!old !== !next) for (const slice of c.slicesByService.get(name) ?? []) checkOrphan(c, slice, d);
  if (isGatewayCandidate(state, old) || isGatewayCandidate(state, next)) d.gateways = true;
  if (isGatewayCandidate(state, next)) c.gatewayServices.add(name);
  else c.gatewayServices.delete(name);
}

function checkOrphan(c: ClusterState, sliceName: string, dirty: Dirty): void {
  const slice = c.slices.get(sliceName);
  const before = c.orphanDiags.get(sliceName);
  const sink = new DiagnosticSink();
  if (slice) {
    // The same wording as a from-scratch build (build-registry.ts groupSlices).
    const svc = sliceServiceName(slice);
    const path = 'metadata.labels[kubernetes.io/service-name]';
    if (!svc) sink.add(slice, path, 'EndpointSlice names no Service; skipped');
    else if (!c.services.has(`${slice.metadata.namespace}/${svc}`)) sink.add(slice, path, `Service ${slice.metadata.namespace}/${svc} does not exist; EndpointSlice skipped`);
  }
  const after = sink.items[0];
  if (after) c.orphanDiags.set(sliceName, after);
  else c.orphanDiags.delete(sliceName);
  if (before || after) dirty.diagnostics = true; // content, or order (by age) among the others
}

/** The pod keys a slice's targetRefs name, spelled as the registry looks them up. */
export function podRefsOf(slice: ConfigObject<EndpointSliceObject>): Set<string> {
  const refs = new Set<string>();
  for (const raw of asArray(slice.spec.endpoints)) {
    const ref = asRecord(asRecord(raw).targetRef);
    if (ref.kind === 'Pod') refs.add(`${asString(ref.namespace) ?? slice.metadata.namespace}/${asString(ref.name)}`);
  }
  return refs;
}

function sliceOwner(slice: ConfigObject<EndpointSliceObject>): string | undefined {
  const svc = sliceServiceName(slice);
  return svc ? `${slice.metadata.namespace}/${svc}` : undefined;
}

function applySlice(c: ClusterState, name: string, old: ConfigObject<EndpointSliceObject> | undefined, next: ConfigObject<EndpointSliceObject> | undefined, dirty: Dirty): void {
  for (const [slice, add] of [[old, false], [next, true]] as const) {
    if (!slice) continue;
    const owner = sliceOwner(slice);
    if (owner) {
      (add ? addTo : removeFrom)(c.slicesByService, owner, name);
      markUnit(dirty, c, owner);
    }
    for (const pod of podRefsOf(slice)) (add ? addTo : removeFrom)(c.podRefs, pod, name);
  }
  if (next) c.slices.set(name, next);
  else {
    c.slices.delete(name);
    c.sliceCache.delete(name);
  }
  checkOrphan(c, name, dirty);
}

function applyPod(state: EngineState, c: ClusterState, name: string, old: ConfigObject<PodObject> | undefined, next: ConfigObject<PodObject> | undefined, dirty: Dirty): void {
  const ns = (old ?? next)!.metadata.namespace;
  if (next) {
    c.pods.set(name, next);
    addTo(c.podsByNamespace, ns, name);
  } else {
    c.pods.delete(name);
    removeFrom(c.podsByNamespace, ns, name);
  }
  // Slice endpoints read only the pod's attributes (not its readiness: the slice has that).
  const attributesChanged = !old || !next || !jsonEqual(podAttributes(old, c.workloads), podAttributes(next, c.workloads));
  if (attributesChanged) {
    if (next) c.podTokens.set(name, {});
    else c.podTokens.delete(name);
    for (const slice of c.podRefs.get(name) ?? []) {
      const owner = sliceOwner(c.slices.get(slice)!);
      if (owner) markUnit(dirty, c, owner);
    }
  }
  // File mode: selector Services without slices take endpoints from the namespace's Pods.
  if (state.opts.endpointsFromPods) for (const svc of c.servicesByNamespace.get(ns) ?? []) markUnit(dirty, c, svc);
  if (c.key === '' && state.seSelectorNamespaces.has(ns)) dirty.serviceEntries = true;
}

const localityLabels = (labels: Readonly<Record<string, string>> | undefined) => [labels?.[LABEL_REGION], labels?.[LABEL_ZONE], labels?.[LABEL_SUBZONE]];

function applyNode(c: ClusterState, name: string, next: Obj | undefined, dirty: Dirty): void {
  const before = localityLabels(c.nodeLabels.get(name));
  if (next) c.nodeLabels.set(name, next.metadata.labels);
  else c.nodeLabels.delete(name);
  if (isDeepStrictEqual(before, localityLabels(next?.metadata.labels))) return;
  c.labelsVersion++;
  for (const unit of c.unitsByNode.get(name) ?? []) markUnit(dirty, c, unit);
  if (c.key === '') dirty.serviceEntries = true;
}

function markEverything(state: EngineState, c: ClusterState, dirty: Dirty): void {
  for (const name of c.services.keys()) markUnit(dirty, c, name);
  if (c.key !== '') return;
  for (const names of state.kubeNamesByNamespace.values()) for (const n of names) dirty.merged.add(n);
  dirty.serviceEntries = true;
}

function applyNamespace(state: EngineState, c: ClusterState, name: string, next: Obj | undefined, dirty: Dirty): void {
  const before = c.namespaceLabels.get(name)?.[LABEL_NETWORK] || '';
  if (next) c.namespaceLabels.set(name, next.metadata.labels);
  else c.namespaceLabels.delete(name);
  if (before === (next?.metadata.labels[LABEL_NETWORK] || '')) return;
  c.labelsVersion++;
  if (name === systemNamespace(state.opts)) {
    // The cluster's default network: every endpoint there may move.
    c.workloads = workloadContext(c, state.opts);
    markEverything(state, c, dirty);
    return;
  }
  for (const unit of c.unitsByEndpointNamespace.get(name) ?? []) markUnit(dirty, c, unit);
  if (c.key !== '') return;
  for (const n of state.kubeNamesByNamespace.get(name) ?? []) dirty.merged.add(n); // WorkloadEntry endpoints
  dirty.serviceEntries = true;
}

function applyEntry(state: EngineState, key: string, old: Obj | undefined, next: Obj | undefined, dirty: Dirty): void {
  const kind = (old ?? next)!.kind;
  const map = (kind === 'ServiceEntry' ? state.serviceEntries : state.workloadEntries) as Map<string, Obj>;
  if (next) map.set(key, next);
  else map.delete(key);
  dirty.serviceEntries = true;
  if (kind === 'WorkloadEntry') for (const n of state.kubeNamesByNamespace.get((old ?? next)!.metadata.namespace) ?? []) dirty.merged.add(n);
}

const REGISTRY_KINDS = new Set(['Service', 'EndpointSlice', 'Pod', 'Node', 'Namespace']);

/** `key` is the store key; `old`/`next` the object before/after (absent = none). */
export function applyChange(state: EngineState, key: string, old: Obj | undefined, next: Obj | undefined, dirty: Dirty): void {
  const any = (old ?? next)!;
  if (any.kind === 'ServiceEntry' || any.kind === 'WorkloadEntry') {
    if (any.cluster === undefined) applyEntry(state, key, old, next, dirty);
    return;
  }
  if (!REGISTRY_KINDS.has(any.kind)) return;
  const c = clusterOf(state, any);
  const wasEmpty = c.objects === 0;
  c.objects += (next ? 1 : 0) - (old ? 1 : 0);
  if (c.key !== '' && wasEmpty !== (c.objects === 0)) dirty.clustersChanged = true;
  const name = any.kind === 'Node' || any.kind === 'Namespace' ? any.metadata.name : nameOf(any);
  if (any.kind === 'Service') applyService(state, c, name, old as ConfigObject<ServiceObject>, next as ConfigObject<ServiceObject>, dirty);
  else if (any.kind === 'EndpointSlice') applySlice(c, name, old as ConfigObject<EndpointSliceObject>, next as ConfigObject<EndpointSliceObject>, dirty);
  else if (any.kind === 'Pod') applyPod(state, c, name, old as ConfigObject<PodObject>, next as ConfigObject<PodObject>, dirty);
  else if (any.kind === 'Node') applyNode(c, name, next, dirty);
  else applyNamespace(state, c, name, next, dirty);
}

